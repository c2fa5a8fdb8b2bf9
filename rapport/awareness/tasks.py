"""Background work for current awareness; thin: ids in, a service call out."""

from django_tasks import task

from rapport.awareness import matching


@task()
def run_matching(run_id: int) -> None:
    matching.run_matching(run_id)


def enqueue_run(run_id: int) -> None:
    """Queue a matching run for `rapport worker` (called once the run's transaction commits)."""
    run_matching.enqueue(run_id)
