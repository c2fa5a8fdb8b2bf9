"""Access-scoped reads for vCards: the imports a user may see, and the people to export."""

from django.db.models import QuerySet

from rapport.accounts.models import User
from rapport.contacts.models import ContactImport
from rapport.errors import Forbidden, NotFound
from rapport.people.models import Person
from rapport.people.queries import search_people

MAX_IDS = 10_000


def imports_for(user: User) -> QuerySet[ContactImport]:
    """Imports the user started (every import, for an administrator)."""
    if user.is_manager:
        return ContactImport.objects.none()
    qs = ContactImport.objects.select_related("created_by")
    return qs if user.is_admin else qs.filter(created_by=user)


def get_import_for(user: User, pk: int | str) -> ContactImport:
    if user.is_manager:
        raise Forbidden("Managers see aggregate figures only and cannot import people.")
    try:
        return imports_for(user).get(pk=int(pk))
    except (ContactImport.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no import {pk} that you can see.") from None


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
    if user.is_manager:
        raise Forbidden("Managers see aggregate figures only, not individual people.")
    qs = search_people(user, q=q, group=group, status=status)
    if ids is not None:
        qs = qs.filter(pk__in=ids[:MAX_IDS])
    return qs
