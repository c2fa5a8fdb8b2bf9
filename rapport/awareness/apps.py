from django.apps import AppConfig


class AwarenessConfig(AppConfig):
    name = "rapport.awareness"
    label = "awareness"
    verbose_name = "Current awareness"
