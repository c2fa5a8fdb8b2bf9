from django.apps import AppConfig


class TouchpointsConfig(AppConfig):
    name = "rapport.touchpoints"
    label = "touchpoints"
