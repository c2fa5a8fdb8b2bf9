"""Background work for privacy; thin: the schedule's run, by the system or for an admin."""

from django_tasks import task

from rapport.accounts.models import User
from rapport.privacy import services


@task()
def apply_retention(user_id: int | None = None) -> None:
    """Safe to run twice: a second run finds nothing left to strip."""
    by = User.objects.filter(pk=user_id).first() if user_id else None
    services.apply_retention(by=by)
