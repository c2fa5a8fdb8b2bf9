from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "rapport.requests"
    label = "requests"
    verbose_name = "Requests"
