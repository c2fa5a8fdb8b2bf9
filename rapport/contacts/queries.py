"""Access-scoped reads for vCards: the imports a user may see, and the people to export."""

from django.db.models import QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_detail, require_librarian, require_owner
from rapport.contacts.models import ContactImport
from rapport.people.models import Person
from rapport.people.queries import search_people

MAX_IDS = 10_000


def imports_for(user: User) -> QuerySet[ContactImport]:
    """Imports the user started (every import, for an administrator)."""
    if user.is_manager:
        return ContactImport.objects.none()
    qs = ContactImport.objects.select_related("created_by")
    return qs if user.is_admin else qs.filter(created_by=user)


#: Who may work a vCard import: the librarian who uploaded it, or an administrator.
ONLY_UPLOADER = "Only the person who uploaded this file, or an administrator, can work its import."


def access_contact_import(user: User, pk: int | str, *, for_write: bool = False) -> ContactImport:
    """A vCard import the user started (any, for an administrator); for a write (a run, a
    resume), read locked."""
    require_librarian(user, to="import people")
    job = scoped_row(
        imports_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no import {pk} that you can see.",
    )
    if for_write:
        require_owner(user, job.created_by_id, message=ONLY_UPLOADER)
    return job


def people_to_export(
    user: User,
    *,
    q: str = "",
    group: int | None = None,
    status: str = "",
    ids: list[int] | None = None,
) -> QuerySet[Person]:
    """The people list's selection (same filters), or an explicit one, among people the user
    may see."""
    require_detail(user, what="people")
    qs = search_people(user, q=q, group=group, status=status)
    if ids is not None:
        qs = qs.filter(pk__in=ids[:MAX_IDS])
    return qs
