"""Background work for .ics imports; thin: an id in, a service call out."""

from django_tasks import task

from rapport.calendars import services


@task()
def run_import(job_id: int) -> None:
    services.work_on(job_id)


def enqueue_import(job_id: int) -> None:
    """Queue an import's preview or run for `rapport worker` (called once its transaction
    commits)."""
    run_import.enqueue(job_id)
