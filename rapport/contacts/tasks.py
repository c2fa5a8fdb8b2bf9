"""Background work for vCard imports; thin: an id in, a service call out."""

from django_tasks import task

from rapport.contacts import services


@task()
def work_on_import(job_id: int) -> None:
    services.work_on(job_id)


def enqueue_import(job_id: int) -> None:
    """Queue an import's check or run for `rapport worker` (once its transaction commits)."""
    work_on_import.enqueue(job_id)
