"""Access-scoped reads of people, groups and memberships. Every page and route reads here."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_detail, require_librarian
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


def access_person(
    user: User, pk: int | str, *, for_write: bool = False, include_archived: bool = True
) -> Person:
    """A person the user may see; for a write, one a librarian may change (any they see)."""
    require_detail(user, what="people")
    if for_write:
        require_librarian(user, to="change records")
    return scoped_row(
        people_for(user, include_archived=include_archived),
        pk,
        for_write=for_write,
        missing=f"There is no person {pk} that you can see.",
        shown=lambda qs: qs.select_related("referred_by"),
    )


def groups_for(user: User, *, include_archived: bool = False) -> QuerySet[Group]:
    """Librarians see the groups they serve (all, with library-wide sharing); managers and
    admins see every group (managers only as aggregates)."""
    qs = Group.objects.all()
    if not (user.is_admin or user.is_manager or library_wide()):
        qs = qs.filter(librarians=user)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def writable_groups(user: User) -> QuerySet[Group]:
    """The groups a librarian may add people to: those they serve (all, for an admin or with
    library-wide sharing), by name; none for a manager."""
    if user.is_manager:
        return Group.objects.none()
    return groups_for(user).order_by("name", "pk")


def groups_to_add_to(user: User, *, exclude: Any = ()) -> list[Group]:
    """`writable_groups` (less `exclude`, ids or a subquery), each with `logged`, the number of
    touchpoints the user logged in it: one query, for a choice of groups with `usual_of`."""
    logged = Count("touchpoints", filter=Q(touchpoints__author=user))
    return list(writable_groups(user).exclude(pk__in=exclude).annotate(logged=logged))


def usual_of(groups: list[Group]) -> Group | None:
    """Of `groups_to_add_to`, the one the librarian logs most with; with no touchpoints in
    any, the only one there is, if just one."""
    used = [g for g in groups if _logged(g) > 0]
    if used:
        return min(used, key=lambda g: (-_logged(g), g.name, g.pk))
    return groups[0] if len(groups) == 1 else None


def _logged(group: Group) -> int:
    """The touchpoints the user logged in the group, as `groups_to_add_to` annotated it."""
    return getattr(group, "logged", 0)


def usual_group(user: User) -> Group | None:
    """The librarian's usual group: the one they log most with (`usual_of`)."""
    return usual_of(groups_to_add_to(user))


def access_group(user: User, pk: int | str, *, for_write: bool = False) -> Group:
    """A group the user may see (managers: as figures); for a write, one they may change."""
    if for_write:
        require_librarian(user, to="change records")
    scope = groups_for(user, include_archived=True)
    return scoped_row(
        scope, pk, for_write=for_write, missing=f"There is no group {pk} that you can see."
    )


def memberships_for(user: User) -> QuerySet[Membership]:
    """Memberships of people the user may see, in groups the user may see."""
    if user.is_manager:
        return Membership.objects.none()
    return Membership.objects.filter(
        person__in=people_for(user, include_archived=True),
    ).select_related("person", "group")


def access_membership(user: User, pk: int | str, *, for_write: bool = False) -> Membership:
    """A membership of a person the user may see; for a write, one they may change."""
    require_detail(user, what="people")
    if for_write:
        require_librarian(user, to="change records")
    return scoped_row(
        memberships_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no membership {pk} that you can see.",
    )


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


# Knowing an address is not a key to others' history -------------------------------------
#
# Under "groups" sharing, a librarian's people are the members of the groups they serve and
# their contacts. Logging a touchpoint (or importing one) with someone makes them a contact, so
# that the librarian finds them again; but when that person is already someone else's (a
# member of a group a colleague serves, or a colleague's contact), becoming their contact
# would open every touchpoint colleagues logged about them. So a librarian who reaches such
# a person only by typing their address logs the contact and sees their own touchpoint, and
# the person stays out of their reach until a colleague who has them, or an administrator,
# shares them (rapport/people/sharing.py). A person nobody else has is theirs at once.


def reached_by(person_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each of these people, the librarians whose reach holds them (groups served,
    contacts): two queries, whatever the number."""
    ids = list(set(person_ids))
    reach: dict[int, set[int]] = {pk: set() for pk in ids}
    if not ids:
        return reach
    served = Membership.objects.filter(person_id__in=ids).values_list(
        "person_id", "group__librarians"
    )
    contacts = Person.contacts.through.objects.filter(person_id__in=ids).values_list(
        "person_id", "user_id"
    )
    for pk, user_id in [*served, *contacts]:
        if user_id is not None:
            reach[pk].add(user_id)
    return reach


def contacts_to_keep(pairs: Iterable[tuple[int, int]]) -> tuple[set[tuple[int, int]], set[int]]:
    """Of (person id, librarian id) pairs (who worked with whom), those that may become
    contacts: the librarian has the person already, or no one else does; and the people
    withheld from someone because colleagues have them. Library-wide sharing withholds
    nothing (everyone sees everyone anyway)."""
    pairs = set(pairs)
    if library_wide():
        return pairs, set()
    reach = reached_by(person for person, _ in pairs)
    keep = {(p, u) for p, u in pairs if u in reach[p] or not reach[p]}
    return keep, {p for p, _ in pairs - keep}


def waiting_for_share(user: User, person: Person) -> list[User]:
    """Librarians who logged touchpoints with this person but cannot reach them (colleagues had
    them when they did): whom the user, who has the person, might share them with. One
    query."""
    if user.is_manager or library_wide():
        return []
    contacts = Person.contacts.through.objects.filter(person=person).values("user_id")
    serving = Membership.objects.filter(person=person).values("group__librarians")
    authors = User.objects.filter(touchpoints__people=person, is_active=True).exclude(
        Q(pk__in=contacts) | Q(pk__in=serving)
    )
    return list(authors.distinct().order_by("username"))
