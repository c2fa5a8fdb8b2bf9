from django.apps import AppConfig


class SystemConfig(AppConfig):
    """Operator commands that belong to no domain app (serving; later backup and restore)."""

    name = "rapport.system"
    label = "system"

    def ready(self) -> None:
        from rapport.system import checks  # noqa: F401  (registers the deployment checks)
