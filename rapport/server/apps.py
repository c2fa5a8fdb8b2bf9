from django.apps import AppConfig


class ServerConfig(AppConfig):
    """Running Rapport: `serve`, `worker`, and Rapport's own `check --deploy` checks."""

    name = "rapport.server"
    label = "server"

    def ready(self) -> None:
        from rapport.server import checks  # noqa: F401  (registers the deployment checks)
