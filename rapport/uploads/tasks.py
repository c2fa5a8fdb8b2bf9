"""The one background task of every upload job; thin: a kind and an id in, the kind's
`work` out (it does what the job's status asks, and is safe to run twice)."""

from django_tasks import task

from rapport.uploads.kinds import kind_named


@task()
def work_on_upload(kind: str, job_id: int) -> None:
    kind_named(kind).work(job_id)


def enqueue(kind: str, job_id: int) -> None:
    """Queue the job for `rapport worker` (call once its transaction commits)."""
    work_on_upload.enqueue(kind, job_id)
