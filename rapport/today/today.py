"""What a librarian should do today, ranked: the Today page, `rapport today` and the API.

"My people" are the current members of the groups I serve and the people I have worked
with (unless they have left: every membership of theirs ended); library-wide sharing widens
what I may *see*, not whom I am responsible for.

Sections, in order: follow-ups due, requests due within a week, people past their maximum
interval, people past their ideal interval, relationships whose health dropped sharply in 30
days, new people in my groups never contacted, and what happened in my groups this week.
People past an interval are ranked by **value × overdueness**, where value is
`1 + ladder stage` (an advocate outranks a first contact) and overdueness is the days past the
ideal interval as a share of it. Both come from the stored relationship (stage, the cadence
in force and its due days), so SQL selects, ranks and cuts the lists; health is scored for the
rows shown only. Snoozed people are left out until their snooze ends.

The work is a fixed number of queries however many people: each list is read already ranked
and cut, its total counted only when there are more than it shows.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_detail
from rapport.people.models import Membership, Person
from rapport.people.queries import served_group_ids
from rapport.relationships.cadence import Cadence, Due
from rapport.relationships.health import (
    DROP_WINDOW_DAYS,
    FRESH_DAYS,
    MONTHLY,
    SHARP_DROP,
    STALE_DAYS,
    WEIGHTS,
    Recent,
    recent_counts,
    value_now,
    value_then,
)
from rapport.relationships.models import Snooze, Stage
from rapport.touchpoints.models import Participation
from rapport.touchpoints.queries import mark_visible_people, recent_for

SHOWN = 15  # per section: a day's worth; the total says how many more
WEEK_SHOWN = 10
FULL = 500  # one section's full list ("and 40 more"): a page, still cut somewhere
NO_RECENT = Recent()
SOMEONE_READ = (
    "pk",
    "full_name",
    "status",
    "last_contact_at",
    "touchpoint_count",
    "snoozed",
)
# What the Today page reads of each relationship.
RELATIONSHIP_READ = (
    "stage",
    "last_real_contact_at",
    "minutes",
    "read_sum",
    "read_count",
    "kinds_used",
    "initiated_by_them",
)
NEW_PERSON_DAYS = 90
WEEK = 7
REQUESTS_AHEAD_DAYS = 7


@dataclass(slots=True)
class Someone:
    """The little the Today page needs of a person (read as tuples: thousands of rows)."""

    pk: int
    full_name: str
    status: str
    last_contact_at: dt.datetime | None
    touchpoint_count: int
    snoozed: bool


@dataclass(slots=True)
class Facts:
    """The stored relationship aggregates health and cadence need."""

    stage: int
    last_real_contact_at: dt.datetime | None
    minutes: int
    read_sum: int
    read_count: int
    kinds_used: int
    initiated_by_them: int


@dataclass
class PersonRow:
    person: Someone
    stage: int
    health: int  # 0–100; the parts are on the person's page
    due: Due | None = None
    health_before: int | None = None  # 30 days ago, for sharp drops
    mention: str = ""  # how to @mention them in the capture box
    facts: Facts | None = None
    new_because: str = ""  # why someone never contacted is new: added, or joined a group

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def value(self) -> float:
        return 1 + self.stage

    @property
    def rank(self) -> float:
        return self.value * (self.due.overdueness if self.due else 0.0)

    @property
    def drop(self) -> int:
        return self.health_before - self.health if self.health_before is not None else 0


@dataclass
class Section:
    key: str
    title: str
    rows: list[Any] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass
class Today:
    date: dt.date
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    @property
    def empty(self) -> bool:
        return not any(s.total for s in self.sections)


def my_people_ids(user: User, today: dt.date | None = None) -> QuerySet:
    """The ids of my people, as one subquery: current members of the groups I serve, and the
    people I have worked with, unless they have left (every membership of theirs has ended:
    the student who finished the course is no longer due a contact)."""
    today = today or timezone.localdate()
    current = Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    members = (
        Membership.objects.filter(group__librarians=user)
        .filter(current)
        .values("person_id")
        .order_by()
    )
    theirs = Membership.objects.filter(person=OuterRef("person_id"))
    contacts = (
        Person.contacts.through.objects.filter(user=user)
        .filter(~Exists(theirs) | Exists(theirs.filter(current)))
        .values("person_id")
        .order_by()
    )
    return members.union(contacts)


def my_people(user: User, today: dt.date | None = None) -> QuerySet[Person]:
    """Current members of the groups I serve and the people I have worked with."""
    return Person.objects.filter(pk__in=my_people_ids(user, today), archived_at__isnull=True)


def _cut(key: str, title: str, rows: list[Any], shown: int = SHOWN) -> Section:
    return Section(key, title, rows[:shown], len(rows))


def _listed(key: str, title: str, rows: QuerySet, shown: int = SHOWN) -> Section:
    """The first rows of a query, counting the whole only when there are more than shown."""
    first = list(rows[: shown + 1])
    total = rows.count() if len(first) > shown else len(first)
    return Section(key, title, first[:shown], total)


def _request_sections(user: User, today: dt.date, shown: int = SHOWN) -> list[Section]:
    from rapport.requests.queries import follow_ups_due, requests_due

    return [
        _listed("follow_ups", "Follow-ups due", follow_ups_due(user, today), shown),
        _listed(
            "requests",
            "Requests due this week",
            requests_due(user, today, REQUESTS_AHEAD_DAYS),
            shown,
        ),
    ]


def _never_contacted(user: User, now: dt.datetime, snoozed: Exists, shown: int = SHOWN) -> Section:
    """People added, or who joined one of my groups, in the last 90 days, never contacted."""
    since = now - dt.timedelta(days=NEW_PERSON_DAYS)
    joined = Membership.objects.filter(
        person=OuterRef("pk"), group__librarians=user, started_on__gte=since.date()
    )
    people = (
        my_people(user, timezone.localdate(now))
        .filter(touchpoint_count=0)
        .annotate(snoozed=snoozed)
        .filter(Q(created_at__gte=since) | Exists(joined), snoozed=False)
        .order_by("-created_at", "full_name", "pk")
    )
    latest = joined.order_by("-started_on", "-pk")
    people = people.annotate(
        joined_on=Subquery(latest.values("started_on")[:1]),
        joined_group=Subquery(latest.values("group__name")[:1]),
    )
    section = _listed("never", "New in my groups, never contacted", people, shown)
    section.rows = [
        PersonRow(p, Stage.PROSPECT, 0, new_because=_new_because(p, since)) for p in section.rows
    ]
    return section


def _new_because(person: Any, since: dt.datetime) -> str:
    """Why someone is new: added lately, or (added long ago) lately joined one of my groups."""
    added = f"{timezone.localtime(person.created_at):%-d %b %Y}"
    if person.created_at >= since or person.joined_on is None:
        return f"added {added}"
    return f"joined {person.joined_group} on {person.joined_on:%-d %b %Y} (added {added})"


DUE_READ = ("ideal_days", "max_days", "cadence_source", "due_day")


def _rows(qs: QuerySet) -> list[tuple[Someone, Facts, tuple]]:
    """People as tuples (thousands may be read): the person, their aggregates, their cadence."""
    n, m = len(SOMEONE_READ), len(SOMEONE_READ) + len(RELATIONSHIP_READ)
    out = []
    for row in qs.values_list(
        *SOMEONE_READ,
        *(f"relationship__{f}" for f in RELATIONSHIP_READ),
        *(f"relationship__{f}" for f in DUE_READ),
    ):
        out.append((Someone(*row[:n]), Facts(*row[n:m]), row[m:]))
    return out


def _due_section(key: str, title: str, qs: QuerySet, day: int, shown: int = SHOWN) -> Section:
    """The first rows by rank (ranked in SQL), with the total when there are more."""
    rows = []
    for person, facts, (ideal, maximum, source, due_day) in _rows(qs[: shown + 1]):
        due = Due(
            Cadence(ideal, maximum, source),
            dt.date.fromordinal(due_day - ideal),
            "overdue" if due_day - ideal + maximum < day else "due",
            dt.date.fromordinal(due_day),
            day - due_day,
        )
        rows.append(PersonRow(person, facts.stage, 0, due, facts=facts))
    total = qs.count() if len(rows) > shown else len(rows)
    return Section(key, title, rows[:shown], total)


def _fewest_lost_contacts() -> int:
    """How many more contacts 365–395 days ago than in the last 30 days a sharp drop needs.

    In 30 days recency moves at most 30 × 100 / 351 points (its weight makes that ≈ 2.6 of the
    total) and depth, breadth and initiative not at all; rounding the two totals costs at most
    one more point. The rest of the drop must come from frequency, capped at 12 contacts a year,
    so that many contacts must have left the year's window."""
    recency = WEIGHTS["recency"] / 100 * 100 * DROP_WINDOW_DAYS / (STALE_DAYS - FRESH_DAYS)
    frequency_points = (SHARP_DROP - 1 - recency) / (WEIGHTS["frequency"] / 100)
    return max(1, math.ceil(frequency_points * MONTHLY / 100))


def _dropped(mine: QuerySet, now: dt.datetime, shown: int = SHOWN) -> Section:
    """Sharp health drops, scored for the only people who can have one: those with at least
    `_fewest_lost_contacts()` contacts 365–395 days ago (counted per person on its index)."""
    window = (
        Participation.objects.filter(
            person=OuterRef("pk"),
            occurred_at__gte=now - dt.timedelta(days=365 + DROP_WINDOW_DAYS),
            occurred_at__lt=now - dt.timedelta(days=365),
        )
        .order_by()
        .values("person")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    candidates = mine.annotate(lost=Subquery(window)).filter(lost__gte=_fewest_lost_contacts())
    rows = _rows(candidates)  # few: read once, then count their recent contacts by id
    recent = recent_counts([person.pk for person, _, _ in rows], now)
    dropped = []
    for person, facts, _ in rows:
        counts = recent.get(person.pk, NO_RECENT)
        before = value_then(facts, person, counts, now)
        health = value_now(facts, person, counts, now)
        if before - health >= SHARP_DROP:
            dropped.append(
                PersonRow(person, facts.stage, health, health_before=before, facts=facts)
            )
    dropped.sort(key=lambda r: (-r.drop, r.person.full_name))
    return _cut("dropped", "Health dropped sharply", dropped, shown)


def build(user: User, now: dt.datetime | None = None, shown: int = SHOWN) -> Today:
    """The Today page, each section cut at `shown` rows (the week's at its own, shorter cut
    unless a longer one is asked for: a section's full list)."""
    require_detail(user, what="people (the dashboard has the figures)")
    now = now or timezone.now()
    today = timezone.localdate(now)
    snoozed = Exists(Snooze.objects.filter(user=user, person=OuterRef("pk"), until__gt=today))
    mine = (
        my_people(user, today)
        .filter(touchpoint_count__gt=0)
        .annotate(snoozed=snoozed)
        .filter(snoozed=False)
    )
    day = today.toordinal()
    # value × overdueness, in SQL on the stored cadence: (1 + stage) × days past / ideal.
    rank = (
        Cast(F("relationship__stage") + 1, FloatField())
        * (Value(day) - F("relationship__due_day"))
        / F("relationship__ideal_days")
    )
    due_now = (
        mine.filter(relationship__due_day__lt=day)
        .annotate(rank=rank)
        .order_by("-rank", "full_name", "pk")
    )
    past_max = _due_section(
        "past_max",
        "Past their maximum interval",
        due_now.filter(relationship__overdue_day__lt=day),
        day,
        shown,
    )
    past_ideal = _due_section(
        "past_ideal",
        "Past their ideal interval",
        due_now.filter(relationship__overdue_day__gte=day),
        day,
        shown,
    )
    due_rows = [row for section in (past_max, past_ideal) for row in section.rows]
    recent = recent_counts([row.person.pk for row in due_rows], now)
    for row in due_rows:
        row.health = value_now(row.facts, row.person, recent.get(row.person.pk, NO_RECENT), now)
    dropped = _dropped(mine, now, shown)
    sections = _request_sections(user, today, shown)
    sections += [past_max, past_ideal, dropped, _never_contacted(user, now, snoozed, shown)]
    week = recent_for(user, served_group_ids(user)).filter(
        occurred_at__gte=now - dt.timedelta(days=WEEK), occurred_at__lte=now
    )
    week_shown = WEEK_SHOWN if shown == SHOWN else shown
    sections.append(_listed("week", "This week in my groups", week, week_shown))
    mark_visible_people(user, sections[-1].rows)
    return Today(today, sections)
