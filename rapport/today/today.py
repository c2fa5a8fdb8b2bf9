"""What a librarian should do today, ranked: the Today page, `rapport today` and the API.

"My people" are the current members of the groups I serve and the people I have worked
with (unless they have left: every membership of theirs ended); library-wide sharing widens
what I may *see*, not whom I am responsible for.

Sections, in order: follow-ups due, requests due within a week, people past their maximum
interval, people past their ideal interval, relationships whose health dropped sharply in 30
days, new people in my groups never contacted, and what happened in my groups this week.
People past an interval are ranked by **value × overdueness**, where value is
`(1 + ladder stage) × (1 + health / 100)` (an advocate in good health outranks a first
contact) and overdueness is the days past the ideal interval as a share of it. Snoozed people
are left out until their snooze ends.

The work is a fixed number of queries however many people: the people, their relationships,
cadence inputs (overrides, memberships, rules), last-year counts, snoozes, plus the sections'
own lists.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from rapport.accounts.models import User
from rapport.errors import Forbidden
from rapport.people.models import Membership, Person
from rapport.people.queries import served_group_ids
from rapport.relationships.cadence import Due, Rules, current_memberships, due
from rapport.relationships.health import SHARP_DROP, Recent, recent_counts, value_now, value_then
from rapport.relationships.models import Snooze, Stage
from rapport.touchpoints.queries import mark_visible_people, recent_for

SHOWN = 25
WEEK_SHOWN = 10
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


@dataclass(slots=True)
class Override:
    ideal_days: int | None
    max_days: int | None


@dataclass
class PersonRow:
    person: Someone
    stage: int
    health: int  # 0–100; the parts are on the person's page
    due: Due | None = None
    health_before: int | None = None  # 30 days ago, for sharp drops
    mention: str = ""  # how to @mention them in the capture box

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def value(self) -> float:
        return (1 + self.stage) * (1 + self.health / 100)

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


def _cut(key: str, title: str, rows: list[Any]) -> Section:
    return Section(key, title, rows[:SHOWN], len(rows))


def _listed(key: str, title: str, rows: QuerySet, shown: int = SHOWN) -> Section:
    """The first rows of a query, counting the whole only when there are more than shown."""
    first = list(rows[: shown + 1])
    total = rows.count() if len(first) > shown else len(first)
    return Section(key, title, first[:shown], total)


def _request_sections(user: User, today: dt.date) -> list[Section]:
    from rapport.requests.queries import follow_ups_due, requests_due

    return [
        _listed("follow_ups", "Follow-ups due", follow_ups_due(user, today)),
        _listed(
            "requests",
            "Requests due this week",
            requests_due(user, today, REQUESTS_AHEAD_DAYS),
        ),
    ]


def _never_contacted(user: User, now: dt.datetime, snoozed: Exists) -> Section:
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
    section = _listed("never", "New in my groups, never contacted", people)
    section.rows = [PersonRow(p, Stage.PROSPECT, 0) for p in section.rows]
    return section


def build(user: User, now: dt.datetime | None = None) -> Today:
    if user.is_manager:
        raise Forbidden("The Today page lists people; managers see the dashboard's figures.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = my_people_ids(user, today)
    snoozed = Exists(Snooze.objects.filter(user=user, person=OuterRef("pk"), until__gt=today))
    rows = (
        my_people(user, today)
        .filter(touchpoint_count__gt=0)
        .annotate(snoozed=snoozed)
        .values_list(
            *SOMEONE_READ,
            *(f"relationship__{f}" for f in RELATIONSHIP_READ),
            "personcadence__person_id",
            "personcadence__ideal_days",
            "personcadence__max_days",
        )
    )
    people = []
    n, m = len(SOMEONE_READ), len(SOMEONE_READ) + len(RELATIONSHIP_READ)
    for row in rows:
        rel = Facts(*row[n:m]) if row[n] is not None else None
        override = Override(*row[m + 1 :]) if row[m] is not None else None
        people.append((Someone(*row[:n]), rel, override))
    memberships = current_memberships(ids, today)
    recent = recent_counts(ids, now)
    rules = Rules.active()
    tz = timezone.get_current_timezone()
    past_max, past_ideal, dropped = [], [], []
    for person, rel, override in people:
        if person.snoozed:
            continue
        stage = rel.stage if rel else Stage.PROSPECT
        counts = recent.get(person.pk, NO_RECENT)
        row = PersonRow(person, stage, -1)
        cadence = rules.cadence_for(person, memberships.get(person.pk, []), stage, override)
        if cadence is not None:
            row.due = due(cadence, rel.last_real_contact_at if rel else None, today, tz)
            if row.due.state == "overdue":
                past_max.append(row)
            elif row.due.state == "due":
                past_ideal.append(row)
        # Only a fall in last-year contacts can cost 20 points in 30 days: recency alone moves
        # at most 30 × 100 / 351 × 30% ≈ 2.6 points, and the other parts do not move.
        if counts.n365_then > counts.n365:
            before = value_then(rel, person, counts, now)
            row.health = value_now(rel, person, counts, now)
            if before - row.health >= SHARP_DROP:
                row.health_before = before
                dropped.append(row)
        if row.health < 0 and row.due is not None and row.due.state in ("due", "overdue"):
            row.health = value_now(rel, person, counts, now)
    past_max.sort(key=lambda r: (-r.rank, r.person.full_name))
    past_ideal.sort(key=lambda r: (-r.rank, r.person.full_name))
    dropped.sort(key=lambda r: (-r.drop, r.person.full_name))
    sections = _request_sections(user, today)
    sections += [
        _cut("past_max", "Past their maximum interval", past_max),
        _cut("past_ideal", "Past their ideal interval", past_ideal),
        _cut("dropped", "Health dropped sharply", dropped),
        _never_contacted(user, now, snoozed),
    ]
    week = recent_for(user, served_group_ids(user)).filter(
        occurred_at__gte=now - dt.timedelta(days=WEEK), occurred_at__lte=now
    )
    sections.append(_listed("week", "This week in my groups", week, WEEK_SHOWN))
    mark_visible_people(user, sections[-1].rows)
    return Today(today, sections)
