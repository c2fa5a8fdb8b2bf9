from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "rapport.relationships"
    label = "relationships"
    verbose_name = "Relationships"
