"""Access-scoped reads of import jobs and saved mappings.

Librarians see the jobs they started; administrators see every job. Saved mappings are the
library's, shared by everyone who imports. Managers import nothing and see none of it.
"""

from django.db.models import QuerySet

from rapport.accounts.models import User
from rapport.errors import Forbidden, NotFound
from rapport.imports.models import ImportIssue, ImportJob, SavedMapping

MANAGERS = "Managers see aggregate figures only; imports are for librarians and administrators."


def jobs_for(user: User) -> QuerySet[ImportJob]:
    """The import jobs this user may see, newest first."""
    if user.is_manager:
        raise Forbidden(MANAGERS)
    jobs = ImportJob.objects.select_related("created_by", "saved_mapping", "staff_fallback")
    return jobs if user.is_admin else jobs.filter(created_by=user)


def get_job_for(user: User, pk: int) -> ImportJob:
    try:
        return jobs_for(user).get(pk=pk)
    except ImportJob.DoesNotExist:
        raise NotFound("No such import, or not one of yours.") from None


def mappings_for(user: User) -> QuerySet[SavedMapping]:
    """Saved mappings, by name."""
    if user.is_manager:
        raise Forbidden(MANAGERS)
    return SavedMapping.objects.order_by("name")


def get_mapping_by_name(user: User, name: str) -> SavedMapping:
    try:
        return mappings_for(user).get(name__iexact=name.strip())
    except SavedMapping.DoesNotExist:
        raise NotFound(f"There is no saved mapping called “{name}”.") from None


def issues_for(job: ImportJob, phase: str) -> QuerySet[ImportIssue]:
    """A job's per-row errors and warnings of one phase, by row (the job is fetched already)."""
    return ImportIssue.objects.filter(job=job, phase=phase).order_by("row", "id")
