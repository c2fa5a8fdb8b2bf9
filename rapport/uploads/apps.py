from django.apps import AppConfig


class UploadsConfig(AppConfig):
    """Uploaded-file jobs: the fields every import's job has, the one lifecycle (upload,
    check, run, resume) and the task and status page all kinds of import share."""

    name = "rapport.uploads"
    label = "uploads"
