"""The digest run as a background task for `rapport worker`; thin, like the command."""

from django_tasks import task

from rapport.awareness.sending import send_digests


@task()
def send_digests_task() -> dict[str, int]:
    """Send what is due and retry what is waiting; safe to enqueue as often as you like."""
    result = send_digests()
    return {
        "composed": result.composed,
        "sent": result.sent,
        "failed": result.failed,
        "released": result.released,
    }
