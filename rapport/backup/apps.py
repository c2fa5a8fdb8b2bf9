from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "rapport.backup"
    label = "backup"
    verbose_name = "Backup and restore"
