"""Access-scoped reads of people, groups and memberships. Every page and route reads here."""

from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet

from rapport.accounts.models import User
from rapport.errors import Forbidden, NotFound
from rapport.people.models import Group, Membership, Person


def library_wide() -> bool:
    return settings.RAPPORT_SHARING == "library"


def served_group_ids(user: User) -> list[int]:
    """The groups the user serves, read off the link table's index alone."""
    links = Group.librarians.through.objects.filter(user=user).order_by("group_id")
    return list(links.values_list("group_id", flat=True))


def _own_people(user: User) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Person ids of the two ways someone is a librarian's: members (past or present) of the
    groups they serve, and the people they have worked with (`Person.contacts`)."""
    members = Membership.objects.filter(group__librarians=user).order_by().values("person_id")
    contacts = Person.contacts.through.objects.filter(user=user).order_by().values("person_id")
    return members, contacts


def people_scope(user: User) -> Q:
    """The people a user may see: their own people (`_own_people`). Admins and library-wide
    sharing: all."""
    if user.is_admin or library_wide():
        return Q()
    if user.is_manager:
        return Q(pk__in=[])
    members, contacts = _own_people(user)
    return Q(pk__in=members) | Q(pk__in=contacts)


def scope_person_ids(user: User) -> QuerySet[Any]:
    """The ids of a librarian's people (`people_scope`, less its "everyone" case: check
    `library_wide` and the role first) as one list, members and contacts together. Shaped so
    PostgreSQL sees how few they are: behind an OR of two lists it guessed three quarters of
    everyone, and read every participation to find theirs."""
    if user.is_manager:
        return Membership.objects.none().values("person_id")
    members, contacts = _own_people(user)
    return members.union(contacts)


def people_for(user: User, *, include_archived: bool = False) -> QuerySet[Person]:
    """People the user may see, archived ones only when asked."""
    qs = Person.objects.filter(people_scope(user))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def search_people(
    user: User,
    *,
    q: str = "",
    group: int | None = None,
    status: str = "",
    sort: str = "name",
    include_archived: bool = False,
) -> QuerySet[Person]:
    """The people list: name or e-mail search, group and status filters, a few sort orders."""
    qs = people_for(user, include_archived=include_archived)
    if q.strip():
        for word in q.lower().split()[:5]:
            qs = qs.filter(search_text__contains=word)
    if group:
        qs = qs.filter(pk__in=Membership.objects.filter(group_id=group).values("person_id"))
    if status:
        qs = qs.filter(status=status)
    if sort not in PEOPLE_SORTS:
        sort = "name"
    return qs.order_by(*PEOPLE_SORTS[sort])


PEOPLE_SORTS: dict[str, list[Any]] = {
    "name": ["full_name", "id"],
    "-last_contact": [F("last_contact_at").desc(nulls_last=True), "full_name", "id"],
    "last_contact": [F("last_contact_at").asc(nulls_first=True), "full_name", "id"],
    "-touchpoints": ["-touchpoint_count", "full_name", "id"],
}


def get_person_for(user: User, pk: int | str, *, include_archived: bool = True) -> Person:
    if user.is_manager:
        raise Forbidden("Managers see aggregate figures only, not individual people.")
    try:
        return (
            people_for(user, include_archived=include_archived)
            .select_related("referred_by")
            .get(pk=int(pk))
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no person {pk} that you can see.") from None


def groups_for(user: User, *, include_archived: bool = False) -> QuerySet[Group]:
    """Librarians see the groups they serve (all, with library-wide sharing); managers and
    admins see every group (managers only as aggregates)."""
    qs = Group.objects.all()
    if not (user.is_admin or user.is_manager or library_wide()):
        qs = qs.filter(librarians=user)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def get_group_for(user: User, pk: int | str) -> Group:
    try:
        return groups_for(user, include_archived=True).get(pk=int(pk))
    except (Group.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no group {pk} that you can see.") from None


def memberships_for(user: User) -> QuerySet[Membership]:
    """Memberships of people the user may see, in groups the user may see."""
    if user.is_manager:
        return Membership.objects.none()
    return Membership.objects.filter(
        person__in=people_for(user, include_archived=True),
    ).select_related("person", "group")


def get_membership_for(user: User, pk: int | str) -> Membership:
    try:
        return memberships_for(user).get(pk=int(pk))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"There is no membership {pk} that you can see.") from None


def members_of(user: User, group: Group) -> QuerySet[Membership]:
    """A group's memberships with their people, for the group page."""
    return (
        Membership.objects.filter(group=group, person__in=people_for(user))
        .select_related("person")
        .order_by("person__full_name")
    )


def never_contacted(user: User, group: Group) -> QuerySet[Person]:
    return people_for(user).filter(
        pk__in=Membership.objects.filter(group=group).values("person_id"), touchpoint_count=0
    )
