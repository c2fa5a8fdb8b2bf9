from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "rapport.imports"
    label = "imports"
    verbose_name = "Imports"

    def ready(self) -> None:
        from rapport.imports.services import TABLES
        from rapport.uploads.kinds import register

        register(TABLES)
