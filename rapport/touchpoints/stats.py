"""Aggregate figures for dashboards and lists. These functions return counts, never rows.

Managers see figures over every touchpoint in the library, confidential ones included: a
confidential consultation is still work done, and a count reveals nothing of what was said.
Everyone else gets figures over what they may read (`touchpoints_for`). Each function runs a
fixed number of grouped queries, however many touchpoints there are.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rapport.accounts.models import User
from rapport.people.models import Group, Membership
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin, Touchpoint
from rapport.touchpoints.queries import touchpoints_for, visible_to

MONTHS = 12


@dataclass
class Bar:
    label: str
    count: int


@dataclass
class Figures:
    """What one dashboard (the library's, or one group's) shows."""

    since: dt.date
    #: The last day counted, for figures over a chosen period (None: up to now).
    until: dt.date | None = None
    total: int = 0
    minutes: int = 0
    initiated_by_them: int = 0
    months: list[Bar] = field(default_factory=list)
    kinds: list[Bar] = field(default_factory=list)
    channels: list[Bar] = field(default_factory=list)
    origins: list[Bar] = field(default_factory=list)
    groups: list[Bar] = field(default_factory=list)

    @property
    def hours(self) -> int:
        return round(self.minutes / 60)

    @property
    def busiest_month(self) -> int:
        return max((b.count for b in self.months), default=0)

    @property
    def share_initiated_by_them(self) -> int:
        """Per cent of touchpoints the person started: requests the relationship brought."""
        return round(100 * self.initiated_by_them / self.total) if self.total else 0


@dataclass
class GroupCounts:
    members: int = 0
    never_contacted: int = 0
    touchpoints: int = 0
    last_at: dt.datetime | None = None


def counted(user: User) -> QuerySet[Touchpoint]:
    """The touchpoints a user's figures are computed over (see the module docstring)."""
    if user.is_manager:
        return Touchpoint.objects.all()
    return touchpoints_for(user)


def month_starts(now: dt.datetime, months: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last `months` months, oldest first, this month last."""
    today = timezone.localtime(now).date()
    index = today.year * 12 + today.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of each calendar month from `first`'s to `last`'s."""
    index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index, end + 1)]


def _window(now: dt.datetime) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The first month shown, and the start and end of the twelve months ending this month."""
    first = month_starts(now)[0]
    following = dt.date(first.year + 1, first.month, 1)
    return first, _aware(first), _aware(following)


def _bars(totals: dict[str, int], labels: dict[str, str]) -> list[Bar]:
    rows = sorted(totals.items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
    return [Bar(labels.get(value, value or "—"), n) for value, n in rows]


def figures(
    qs: QuerySet[Touchpoint],
    *,
    now: dt.datetime | None = None,
    per_group: bool = False,
    window: tuple[dt.date, dt.date] | None = None,
) -> Figures:
    """Counts per month, by kind, channel, origin (and group): over the last twelve months,
    or over `window`, the days from its first up to (not including) its end.

    Two scans whatever the size: one grouped by month, one by every breakdown at once (a few
    hundred combinations at most), summed up here.
    """
    now = now or timezone.now()
    if window is None:
        first, start, end = _window(now)
        months = month_starts(now)
    else:
        first, start, end = window[0], _aware(window[0]), _aware(window[1])
        months = _months_between(window[0], window[1] - dt.timedelta(days=1))
    qs = qs.filter(occurred_at__gte=start, occurred_at__lt=end)
    per_month: dict[dt.date, int] = {}
    for month, n in (
        qs.annotate(month=TruncMonth("occurred_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    ):
        key = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        per_month[key] = per_month.get(key, 0) + n
    result = Figures(
        since=first,
        until=None if window is None else window[1] - dt.timedelta(days=1),
        months=[Bar(f"{m:%b %Y}", per_month.get(m, 0)) for m in months],
    )
    sums: dict[str, dict] = {"kind": {}, "channel": {}, "origin": {}, "group": {}}
    combos = (
        qs.values_list("kind", "channel", "origin", "initiated_by", "group_id")
        .annotate(n=Count("id"), minutes=Sum("minutes"))
        .order_by()
    )
    for kind, channel, origin, initiated_by, group_id, n, minutes in combos:
        result.total += n
        result.minutes += minutes or 0
        if initiated_by == Initiator.THEM:
            result.initiated_by_them += n
        for name, value in (("kind", kind), ("channel", channel), ("origin", origin)):
            sums[name][value] = sums[name].get(value, 0) + n
        sums["group"][group_id] = sums["group"].get(group_id, 0) + n
    result.kinds = _bars(sums["kind"], dict(Kind.choices))
    result.channels = _bars(sums["channel"], dict(Channel.choices))
    result.origins = _bars(sums["origin"], dict(Origin.choices))
    if per_group:
        names: dict[int | None, str] = dict(
            Group.objects.filter(pk__in=sums["group"]).values_list("pk", "name")
        )
        by_name: dict[str, int] = {}
        for group_id, n in sums["group"].items():
            label = names.get(group_id, "No group")
            by_name[label] = by_name.get(label, 0) + n
        result.groups = _bars(by_name, {})
    return result


def dashboard(
    user: User, *, now: dt.datetime | None = None, window: tuple[dt.date, dt.date] | None = None
) -> Figures:
    """The library's figures for a manager (or a librarian's own view), with one bar per group."""
    return figures(counted(user), now=now, per_group=True, window=window)


def group_figures(
    user: User,
    group: Group,
    *,
    now: dt.datetime | None = None,
    window: tuple[dt.date, dt.date] | None = None,
) -> Figures:
    """One group's figures; the caller got `group` through access_group."""
    return figures(_in_groups(user).filter(group=group), now=now, window=window)


def _in_groups(user: User) -> QuerySet[Touchpoint]:
    """Touchpoints of groups the caller already fetched through the scoped group queries."""
    return (
        Touchpoint.objects.all() if user.is_manager else Touchpoint.objects.filter(visible_to(user))
    )


def group_counts(user: User, groups: Iterable[Group]) -> dict[int, GroupCounts]:
    """Members, never-contacted members, touchpoints and the last one, for each group."""
    ids = [g.pk for g in groups]
    result = {pk: GroupCounts() for pk in ids}
    if not ids:
        return result
    today = timezone.localdate()
    current = Membership.objects.filter(group_id__in=ids, person__archived_at=None).exclude(
        ended_on__lt=today
    )
    for gid, members, never in (
        current.values_list("group_id")
        .annotate(
            members=Count("person_id", distinct=True),
            never=Count("person_id", distinct=True, filter=Q(person__touchpoint_count=0)),
        )
        .order_by()
    ):
        result[gid].members = members
        result[gid].never_contacted = never
    for gid, n, last in (
        _in_groups(user)
        .filter(group_id__in=ids)
        .values_list("group_id")
        .annotate(n=Count("id"), last=Max("occurred_at"))
        .order_by()
    ):
        result[gid].touchpoints = n
        result[gid].last_at = last
    return result
