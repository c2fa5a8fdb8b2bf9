from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "rapport.duplicates"
    label = "duplicates"
    verbose_name = "Duplicates and merge"
