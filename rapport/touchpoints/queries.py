"""Access-scoped reads of touchpoints. Confidential touchpoints reach their author only."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import is_owner, require_detail, require_owner
from rapport.people.models import Group, Person
from rapport.people.queries import library_wide, people_for, scope_person_ids
from rapport.touchpoints.models import Participation, Touchpoint


def touchpoint_scope(user: User) -> Q:
    """Own touchpoints always; others' only when not confidential and about a person or group
    the user may see."""
    own = Q(author=user)
    if user.is_manager:
        return Q(pk__in=[])
    if user.is_admin or library_wide():
        return own | Q(confidential=False)
    people = scope_person_ids(user)  # one list: PostgreSQL then sees how few they are
    about_people = Q(
        pk__in=Participation.objects.filter(person_id__in=people).values("touchpoint_id")
    )
    served = Group.librarians.through.objects.filter(user=user).values("group_id")
    return own | Q(confidential=False) & (Q(group_id__in=served) | about_people)


def touchpoints_for(user: User) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.filter(touchpoint_scope(user))


def touchpoints_between(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[Touchpoint]:
    """`touchpoints_for(user)` in [start, end), found from the scope's side for a librarian:
    the period's touchpoints of their people, of the groups they serve and their own, each
    read off its index, then checked for confidentiality. The same rows, without testing every
    touchpoint of the period against the scope (a year of a large library is many)."""
    if user.is_manager or user.is_admin or library_wide():
        return touchpoints_for(user).filter(occurred_at__gte=start, occurred_at__lt=end)
    period = Q(occurred_at__gte=start, occurred_at__lt=end)
    served = Group.librarians.through.objects.filter(user=user).values("group_id")
    ids = (
        Participation.objects.filter(period, person_id__in=scope_person_ids(user))
        .values("touchpoint_id")
        .order_by()
        .union(
            Touchpoint.objects.filter(period, group_id__in=served).values("pk").order_by(),
            Touchpoint.objects.filter(period, author=user).values("pk").order_by(),
        )
    )
    return Touchpoint.objects.filter(period, visible_to(user), pk__in=ids)


#: Who may change or delete a touchpoint: the librarian who logged it, or an administrator.
ONLY_AUTHOR = "Only the librarian who logged this touchpoint can change or delete it."


def may_change_touchpoint(user: User, tp: Touchpoint) -> bool:
    """The touchpoints' write rule, for pages that offer only what will work."""
    return is_owner(user, tp.author_id)


def access_touchpoint(user: User, pk: int | str, *, for_write: bool = False) -> Touchpoint:
    """A touchpoint the user may read; for a write, one they logged (or any they may read, for
    an administrator)."""
    require_detail(user, what="touchpoints")
    tp = scoped_row(
        touchpoints_for(user),
        pk,
        for_write=for_write,
        missing=f"There is no touchpoint {pk} that you can see.",
        shown=lambda qs: qs.select_related("author", "group").prefetch_related("people"),
    )
    if for_write:
        require_owner(user, tp.author_id, message=ONLY_AUTHOR)
    return tp


def visible_to(user: User) -> Q:
    """For a person or group already checked: their touchpoints this user may read."""
    return Q(confidential=False) | Q(author=user)


def timeline_for_person(user: User, person: Person) -> QuerySet[Touchpoint]:
    """A person's touchpoints, newest first. The caller got `person` through access_person."""
    ids = Participation.objects.filter(person=person).values("touchpoint_id")
    return (
        Touchpoint.objects.filter(visible_to(user), pk__in=ids)
        .select_related("author", "group")
        .prefetch_related("people")
        .order_by("-occurred_at", "-id")
    )


def timeline_for_group(user: User, group: Group) -> QuerySet[Touchpoint]:
    """A group's touchpoints (logged against the group), newest first."""
    return (
        Touchpoint.objects.filter(visible_to(user), group=group)
        .select_related("author", "group")
        .prefetch_related("people")
        .order_by("-occurred_at", "-id")
    )


def counts_for_person(user: User, person: Person) -> dict[str, dict[str, int]]:
    """Touchpoint counts by kind and by channel, over what the user may see."""
    qs = Touchpoint.objects.filter(
        visible_to(user), pk__in=Participation.objects.filter(person=person).values("touchpoint_id")
    )
    kinds: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    for kind, channel, n in qs.values_list("kind", "channel").annotate(n=Count("id")).order_by():
        kinds[kind] += n
        channels[channel] += n
    return {"kind": dict(kinds.most_common()), "channel": dict(channels.most_common())}


def recent_for(user: User, served: Iterable[int]) -> QuerySet[Touchpoint]:
    """The user's own touchpoints and those logged against the groups they serve, newest first.

    visible_to suffices for both and avoids the full scope's subquery over every participation.
    """
    return (
        Touchpoint.objects.filter(visible_to(user))
        .filter(Q(author=user) | Q(group_id__in=list(served)))
        .select_related("author", "group")
        .prefetch_related("people")
        .order_by("-occurred_at", "-id")
    )


def mark_visible_people(user: User, touchpoints: Iterable[Any]) -> None:
    """Give each touchpoint `shown_people` (whom this user may see) and `hidden_count`.

    A touchpoint the user may read can also involve people outside their scope; their names
    stay hidden. One query for the whole list, whatever its length.
    """
    touchpoints = list(touchpoints)
    ids = {p.pk for tp in touchpoints for p in tp.people.all()}
    visible = set(
        people_for(user, include_archived=True).filter(pk__in=ids).values_list("pk", flat=True)
        if ids
        else []
    )
    for tp in touchpoints:
        everyone = list(tp.people.all())
        tp.shown_people = [p for p in everyone if p.pk in visible]
        tp.hidden_count = len(everyone) - len(tp.shown_people)
