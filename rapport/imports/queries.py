"""Access-scoped reads of import jobs and saved mappings.

Librarians see the jobs they started; administrators see every job. Saved mappings are the
library's, shared by everyone who imports. Managers import nothing and see none of it.
"""

from django.db.models import QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian, require_owner
from rapport.errors import NotFound
from rapport.imports.models import ImportIssue, ImportJob, SavedMapping

#: Who may work an import: the librarian who uploaded it, or an administrator.
ONLY_UPLOADER = "Only the librarian who uploaded this file, or an administrator, can."


def jobs_for(user: User) -> QuerySet[ImportJob]:
    """The import jobs this user may see, newest first."""
    require_librarian(user, to="import")
    jobs = ImportJob.objects.select_related("created_by", "saved_mapping", "staff_fallback")
    return jobs if user.is_admin else jobs.filter(created_by=user)


def access_import(user: User, pk: int | str, *, for_write: bool = False) -> ImportJob:
    """An import job the user started (any, for an administrator); for a write (a dry run, a
    run, a resume, a mapping), read locked: the worker may have moved it on since."""
    job = scoped_row(
        jobs_for(user),
        pk,
        for_write=for_write,
        missing="No such import, or not one of yours.",
    )
    if for_write:
        require_owner(user, job.created_by_id, message=ONLY_UPLOADER)
    return job


def mappings_for(user: User) -> QuerySet[SavedMapping]:
    """Saved mappings, by name."""
    require_librarian(user, to="import")
    return SavedMapping.objects.order_by("name")


def get_mapping_by_name(user: User, name: str) -> SavedMapping:
    try:
        return mappings_for(user).get(name__iexact=name.strip())
    except SavedMapping.DoesNotExist:
        raise NotFound(f"There is no saved mapping called “{name}”.") from None


def access_mapping(user: User, pk: int | str, *, for_write: bool = False) -> SavedMapping:
    """A saved mapping: the library's, for every librarian to use and change."""
    return scoped_row(
        mappings_for(user), pk, for_write=for_write, missing=f"There is no saved mapping {pk}."
    )


def issues_for(job: ImportJob, phase: str) -> QuerySet[ImportIssue]:
    """A job's per-row errors and warnings of one phase, by row (the job is fetched already)."""
    return ImportIssue.objects.filter(job=job, phase=phase).order_by("row", "id")
