"""Background work for imports; thin: a job id in, the engine out. All are safe to run twice:
the engine only claims a job in the state the service left it in, and one process at a time."""

from django_tasks import task

from rapport.imports import engine


@task()
def read_import(job_id: int) -> None:
    engine.read_job(job_id)


@task()
def check_import(job_id: int) -> None:
    engine.check_job(job_id)


@task()
def run_import(job_id: int) -> None:
    engine.run_job(job_id)


def enqueue(kind: str, job_id: int) -> None:
    """Queue a new workbook's reading ("read"), a job's dry run ("check") or its run ("run")
    for `rapport worker`."""
    {"read": read_import, "check": check_import, "run": run_import}[kind].enqueue(job_id)
