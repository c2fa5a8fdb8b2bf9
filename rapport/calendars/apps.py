from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rapport.calendars"
    label = "calendars"
    verbose_name = "Calendar feeds and imports"
