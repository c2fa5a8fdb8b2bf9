"""Background work for imports; thin: a job id in, the engine out. Both are safe to run twice:
the engine only claims a job in the state the service left it in."""

from django_tasks import task

from rapport.imports import engine


@task()
def check_import(job_id: int) -> None:
    engine.check_job(job_id)


@task()
def run_import(job_id: int) -> None:
    engine.run_job(job_id)


def enqueue(kind: str, job_id: int) -> None:
    """Queue a job's dry run ("check") or run for `rapport worker`."""
    (check_import if kind == "check" else run_import).enqueue(job_id)
