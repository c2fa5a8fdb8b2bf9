"""The 0–100 health of a relationship, with its parts, computed when read.

    health = 30% recency + 25% frequency + 15% depth + 10% breadth + 20% initiative

each part scored 0–100:

- **recency**: 100 within 14 days of the last contact, falling in a straight line to 0 at a
  year;
- **frequency**: contacts in the last 365 days, 12 or more (monthly) scoring 100;
- **depth**: the mean READ level, READ 1 scoring 0 and READ 4 or more 100; without READ
  levels, the mean minutes, 45 or more scoring 100;
- **breadth**: distinct kinds of service used, 4 or more scoring 100;
- **initiative**: the share of contacts the person started.

Someone never contacted scores 0. `health_then` scores the same person as of 30 days ago from
the contacts before then (recency and frequency as they were; depth, breadth and initiative
as they are now), so a sharp drop shows a relationship going quiet.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from rapport.touchpoints.models import Participation

WEIGHTS = {"recency": 30, "frequency": 25, "depth": 15, "breadth": 10, "initiative": 20}
FRESH_DAYS = 14
STALE_DAYS = 365
MONTHLY = 12
FULL_READ = 4
FULL_MINUTES = 45
FULL_KINDS = 4
DROP_WINDOW_DAYS = 30
SHARP_DROP = 20


@dataclass(frozen=True)
class Recent:
    """Contacts counted back from `now`, and the same counted back from 30 days before."""

    n30: int = 0
    n90: int = 0
    n365: int = 0
    n365_then: int = 0
    last_then: dt.datetime | None = None


@dataclass(frozen=True)
class Part:
    name: str
    score: int
    weight: int
    why: str

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Health:
    score: int
    parts: tuple[Part, ...]


def recent_counts(person_ids: Iterable[int] | QuerySet, now: dt.datetime) -> dict[int, Recent]:
    """One grouped query over the people's participations of the last 395 days. `person_ids`
    may be a subquery (a values() queryset), which keeps long id lists out of the SQL."""
    d30, d90, d365 = (now - dt.timedelta(days=n) for n in (30, 90, 365))
    then = now - dt.timedelta(days=DROP_WINDOW_DAYS)
    rows = (
        Participation.objects.filter(
            person_id__in=person_ids if isinstance(person_ids, QuerySet) else list(person_ids),
            occurred_at__gte=then - dt.timedelta(days=365),
            occurred_at__lte=now,
        )
        .values("person_id")
        .order_by()
        .annotate(
            n30=Count("id", filter=Q(occurred_at__gte=d30)),
            n90=Count("id", filter=Q(occurred_at__gte=d90)),
            n365=Count("id", filter=Q(occurred_at__gte=d365)),
            n365_then=Count("id", filter=Q(occurred_at__lt=then)),
            last_then=Max("occurred_at", filter=Q(occurred_at__lt=then)),
        )
    )
    return {row.pop("person_id"): Recent(**row) for row in rows}


def _clamp(x: float) -> int:
    return max(0, min(100, round(x)))


def _days(last: dt.datetime, now: dt.datetime) -> int:
    return max(0, (now - last).days)


def _parts(
    rel: Any, last_contact: dt.datetime, n365: int, now: dt.datetime, touchpoints: int
) -> tuple[int, int, int, int, int]:
    """Recency, frequency, depth, breadth and initiative, each 0–100."""
    days = _days(last_contact, now)
    recency = (
        100 if days <= FRESH_DAYS else _clamp(100 * (STALE_DAYS - days) / (STALE_DAYS - FRESH_DAYS))
    )
    if rel.read_count:
        depth = _clamp(100 * (rel.read_sum / rel.read_count - 1) / (FULL_READ - 1))
    else:
        depth = _clamp(100 * rel.minutes / touchpoints / FULL_MINUTES)
    return (
        recency,
        _clamp(100 * n365 / MONTHLY),
        depth,
        _clamp(100 * rel.kinds_used / FULL_KINDS),
        _clamp(100 * rel.initiated_by_them / touchpoints),
    )


_WEIGHT_LIST = tuple(WEIGHTS.values())
_WEIGHT_SUM = sum(_WEIGHT_LIST)


def value(
    rel: Any, last_contact: dt.datetime | None, n365: int, now: dt.datetime, touchpoints: int
) -> int:
    """The health score alone, without the words: for ranking thousands of people."""
    if rel is None or touchpoints == 0 or last_contact is None:
        return 0
    parts = _parts(rel, last_contact, n365, now, touchpoints)
    return _clamp(sum(p * w for p, w in zip(parts, _WEIGHT_LIST, strict=True)) / _WEIGHT_SUM)


def score(
    rel: Any,
    last_contact: dt.datetime | None,
    n365: int,
    now: dt.datetime,
    touchpoints: int,
) -> Health:
    """Health from stored aggregates (a Relationship or anything with its fields), the last
    contact and the contacts in the last year, with each part explained."""
    if rel is None or touchpoints == 0 or last_contact is None:
        parts = tuple(Part(name, 0, w, "no contact yet") for name, w in WEIGHTS.items())
        return Health(0, parts)
    scores = _parts(rel, last_contact, n365, now, touchpoints)
    days = _days(last_contact, now)
    if rel.read_count:
        depth_why = f"mean READ {rel.read_sum / rel.read_count:.1f}"
    else:
        depth_why = f"no READ levels; {rel.minutes / touchpoints:.0f} minutes on average"
    whys = (
        f"last contact {days} day{'s' if days != 1 else ''} ago",
        f"{n365} contact{'s' if n365 != 1 else ''} in the last year",
        depth_why,
        f"{rel.kinds_used} kind{'s' if rel.kinds_used != 1 else ''} of service",
        f"started {rel.initiated_by_them} of {touchpoints} contacts",
    )
    parts = tuple(
        Part(name, part, weight, why)
        for (name, weight), part, why in zip(WEIGHTS.items(), scores, whys, strict=True)
    )
    return Health(value(rel, last_contact, n365, now, touchpoints), parts)


def health_now(rel: Any, person: Any, recent: Recent, now: dt.datetime) -> Health:
    return score(rel, person.last_contact_at, recent.n365, now, person.touchpoint_count)


def value_now(rel: Any, person: Any, recent: Recent, now: dt.datetime) -> int:
    return value(rel, person.last_contact_at, recent.n365, now, person.touchpoint_count)


def _last_before(person: Any, recent: Recent, then: dt.datetime) -> dt.datetime | None:
    """The last contact before `then`: from the counted window, else the person's last contact
    if that was before it (older than the window reaches)."""
    if recent.last_then is not None:
        return recent.last_then
    last = person.last_contact_at
    return last if last is not None and last < then else None


def value_then(rel: Any, person: Any, recent: Recent, now: dt.datetime) -> int:
    then = now - dt.timedelta(days=DROP_WINDOW_DAYS)
    last = _last_before(person, recent, then)
    return value(rel, last, recent.n365_then, then, person.touchpoint_count)


def health_then(rel: Any, person: Any, recent: Recent, now: dt.datetime) -> Health:
    then = now - dt.timedelta(days=DROP_WINDOW_DAYS)
    last = _last_before(person, recent, then)
    return score(rel, last, recent.n365_then, then, person.touchpoint_count)
