"""What the API adds on top of the access-scoped queries: it only narrows their results.

Nothing here widens what a user sees; every function starts from a queryset or object that a
scoped query (people_for, groups_for, touchpoints_for, get_*_for, ...) returned.
"""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from rapport.accounts.models import User
from rapport.errors import Invalid, NotFound
from rapport.people.models import Group, Membership
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.touchpoints.queries import visible_to

T = TypeVar("T")


def resolve(getter: Callable[[User, Any], T], user: User, pk: int, field: str) -> T:
    """An id given in the input, fetched through its scoped getter. An id the user may not see
    is a mistake in that field (422), not a missing page (404)."""
    try:
        return getter(user, pk)
    except NotFound as e:
        raise Invalid(e.message, {field: [e.message]}) from None


def resolve_many(
    getter: Callable[[User, Any], T], user: User, pks: list[int], field: str
) -> list[T]:
    found: list[T] = []
    errors: list[str] = []
    for pk in dict.fromkeys(pks):
        try:
            found.append(getter(user, pk))
        except NotFound as e:
            errors.append(e.message)
    if errors:
        raise Invalid(errors[0], {field: errors})
    return found


def _count(qs: QuerySet[Any]) -> Coalesce:
    """COUNT(*) of a correlated subquery: one number per outer row, no join fan-out."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


def with_group_counts(user: User, groups: QuerySet[Group]) -> QuerySet[Group]:
    """Current members (archived people left out) and the touchpoints logged against each
    group that this user could read: confidential ones of other authors are not counted, so a
    count never hints at them."""
    today = timezone.localdate()
    members = Membership.objects.filter(
        group=OuterRef("pk"), person__archived_at__isnull=True
    ).exclude(ended_on__lt=today)
    touchpoints = Touchpoint.objects.filter(visible_to(user), group=OuterRef("pk"))
    return groups.annotate(member_count=_count(members), touchpoint_count=_count(touchpoints))


def with_tag(qs: QuerySet[Touchpoint], tag: str) -> QuerySet[Touchpoint]:
    """Touchpoints carrying this tag. PostgreSQL has JSON containment; SQLite stores the list
    as JSON text, where a quoted, escaped element can only match a whole tag."""
    tag = tag.strip().lstrip("#").lower()
    if not tag:
        return qs
    if connection.features.supports_json_field_contains:
        return qs.filter(tags__contains=[tag])
    as_text = Cast("tags", TextField())
    return qs.alias(tags_text=as_text).filter(tags_text__contains=json.dumps(tag))


def filter_touchpoints(
    qs: QuerySet[Touchpoint],
    *,
    person_id: int | None = None,
    group_id: int | None = None,
    kind: str | None = None,
    channel: str | None = None,
    origin: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    tag: str = "",
) -> QuerySet[Touchpoint]:
    """Narrow a scoped touchpoint list; `since` is inclusive and `until` exclusive."""
    conditions = Q()
    if person_id is not None:
        ids = Participation.objects.filter(person_id=person_id).values("touchpoint_id")
        conditions &= Q(pk__in=ids)
    if group_id is not None:
        conditions &= Q(group_id=group_id)
    for name, value in (("kind", kind), ("channel", channel), ("origin", origin)):
        if value:
            conditions &= Q(**{name: value})
    if since is not None:
        conditions &= Q(occurred_at__gte=since)
    if until is not None:
        conditions &= Q(occurred_at__lt=until)
    return with_tag(qs.filter(conditions), tag)


def for_output(qs: QuerySet[Touchpoint]) -> QuerySet[Touchpoint]:
    """Everything a touchpoint's JSON shows, in a fixed number of queries per page."""
    return qs.select_related("author", "group").prefetch_related("people")
