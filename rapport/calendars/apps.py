from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "rapport.calendars"
    label = "calendars"
    verbose_name = "Calendar feeds and imports"

    def ready(self) -> None:
        from rapport.calendars.services import MEETINGS
        from rapport.uploads.kinds import register

        register(MEETINGS)
