from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "rapport.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
