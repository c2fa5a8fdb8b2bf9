"""Coverage and the relationship report: counts only, never people, questions or notes.

Who is counted follows `rapport.touchpoints.stats`: a manager's figures cover every touchpoint
(confidential ones too: a count of work done reveals nothing of what was said); everyone else's
cover what they may read. Touchpoint figures come from a fixed number of grouped queries. The
one thing that needs each person on their own is the cadence (is this person overdue?), which
`cadence.cadences` answers in bulk, a chunk of people at a time.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.people.models import Group, Membership, Person
from rapport.people.queries import groups_for, people_for
from rapport.relationships.cadence import cadences, due
from rapport.relationships.models import Relationship, Stage
from rapport.touchpoints.models import READ_LEVELS, Kind, Origin, Participation, Touchpoint
from rapport.touchpoints.queries import touchpoints_for, visible_to

#: How a contact came about when it came *because of the relationship*: every origin except the
#: desk (walk-bys, routines, referrals, direct contact, scheduled meetings, campaigns, alerts…).
#: A question asked at the desk would have been asked of whoever sat there.
RELATIONSHIP_ORIGINS = tuple(origin.value for origin in Origin if origin != Origin.DESK)
#: The touchpoints that are requests for help, for the share of relationship-originated ones.
REQUEST_KINDS = (Kind.QUESTION.value, Kind.CONSULTATION.value)
#: Academic years start on the first of this month (September).
ACADEMIC_YEAR_START_MONTH = 9
ACADEMIC_YEARS_OFFERED = 3
DEFAULT_PERIOD = "12m"
#: People whose cadence is evaluated per round trip: three queries per chunk (overrides,
#: memberships, rules), with IN lists well under SQLite's limit on parameters.
CADENCE_CHUNK = 2_000


# Periods


@dataclass(frozen=True)
class Period:
    """Whole months from `first` up to (not including) `end`."""

    key: str
    label: str
    first: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        index, last = _month_index(self.first), _month_index(self.end)
        return [_month_of(i) for i in range(index, last)]

    @property
    def start_at(self) -> dt.datetime:
        return _aware(self.first)

    @property
    def end_at(self) -> dt.datetime:
        return _aware(self.end)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def academic_year(start_year: int) -> Period:
    return Period(
        f"ay{start_year}",
        f"Academic year {start_year}–{str(start_year + 1)[-2:]}",
        dt.date(start_year, ACADEMIC_YEAR_START_MONTH, 1),
        dt.date(start_year + 1, ACADEMIC_YEAR_START_MONTH, 1),
    )


def last_twelve_months(today: dt.date) -> Period:
    index = _month_index(today)
    return Period(DEFAULT_PERIOD, "Last 12 months", _month_of(index - 11), _month_of(index + 1))


def periods(today: dt.date) -> list[Period]:
    """The periods offered: the last twelve months, then this and the past academic years."""
    this_year = today.year if today.month >= ACADEMIC_YEAR_START_MONTH else today.year - 1
    years = range(this_year, this_year - ACADEMIC_YEARS_OFFERED, -1)
    return [last_twelve_months(today), *(academic_year(y) for y in years)]


def period_for(key: str | None, today: dt.date) -> Period:
    """The period a `?period=` value names; anything else is the default (last 12 months)."""
    return next((p for p in periods(today) if p.key == key), last_twelve_months(today))


def _month_key(value: dt.datetime | dt.date | None) -> dt.date | None:
    """A TruncMonth result as a date: aware on PostgreSQL, naive or a date on SQLite."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


# Whose touchpoints are counted


def counted_touchpoints(user: User) -> QuerySet[Touchpoint]:
    """Everything for a manager; what the user may read for everyone else."""
    return Touchpoint.objects.all() if user.is_manager else touchpoints_for(user)


def _counted_in_scope(user: User) -> QuerySet[Touchpoint]:
    """For groups and authors already narrowed to the user's scope: the same rule, without the
    full scope's subquery over every participation."""
    return (
        Touchpoint.objects.all() if user.is_manager else Touchpoint.objects.filter(visible_to(user))
    )


def _in_period(qs: QuerySet[Touchpoint], period: Period) -> QuerySet[Touchpoint]:
    return qs.filter(occurred_at__gte=period.start_at, occurred_at__lt=period.end_at)


def sees_everyone(user: User) -> bool:
    """Managers and administrators see coverage of every group and librarian."""
    return user.is_manager or user.is_admin


# Coverage


@dataclass
class CoverageRow:
    """One group's or one librarian's coverage over a period."""

    pk: int
    name: str
    stages: list[int] = field(default_factory=lambda: [0] * len(Stage))
    never_contacted: int = 0
    with_cadence: int = 0
    overdue: int = 0
    minutes: int = 0
    requests: int = 0  # questions and consultations
    relationship_requests: int = 0  # of which not from the desk

    @property
    def members(self) -> int:
        return sum(self.stages)

    @property
    def overdue_percent(self) -> int | None:
        return round(100 * self.overdue / self.with_cadence) if self.with_cadence else None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    @property
    def relationship_percent(self) -> int | None:
        if not self.requests:
            return None
        return round(100 * self.relationship_requests / self.requests)


@dataclass
class Coverage:
    period: Period
    groups: list[CoverageRow]
    librarians: list[CoverageRow]
    stages: list[Stage] = field(default_factory=lambda: list(Stage))


@dataclass(frozen=True)
class _Member:
    status: str
    stage: int
    never_contacted: bool
    overdue: bool | None  # None: no cadence


def coverage_groups(user: User) -> list[Group]:
    """Every current group for managers and administrators; the groups a librarian serves."""
    qs = groups_for(user)
    if not sees_everyone(user):
        qs = qs.filter(librarians=user)
    return list(qs.order_by("name", "id").only("pk", "name"))


def coverage_librarians(user: User) -> list[User]:
    """Every active librarian and administrator for managers and administrators; else oneself."""
    if not sees_everyone(user):
        return [user]
    users = User.objects.filter(
        Q(role__in=[Role.LIBRARIAN, Role.ADMIN]) | Q(is_superuser=True), is_active=True
    )
    return sorted(users, key=lambda u: (u.display_name.casefold(), u.pk))


def coverage(user: User, period: Period, *, now: dt.datetime | None = None) -> Coverage:
    """Members by stage, never contacted, overdue share, time and relationship-originated
    requests, per group and per librarian.

    Queries: groups, librarians, who serves what, the current members, three per
    CADENCE_CHUNK members for their cadences, and one grouped query each for the touchpoints
    of the groups and of the librarians.
    """
    today = timezone.localdate(now or timezone.now())
    groups = coverage_groups(user)
    librarians = coverage_librarians(user)
    served: dict[int, set[int]] = defaultdict(set)
    for user_id, group_id in Group.librarians.through.objects.filter(
        user_id__in=[u.pk for u in librarians], group__archived_at=None
    ).values_list("user_id", "group_id"):
        served[user_id].add(group_id)
    group_ids = {g.pk for g in groups}.union(*served.values())
    members_of, members = _current_members(group_ids, today)

    group_rows = {g.pk: CoverageRow(g.pk, g.name) for g in groups}
    for row in group_rows.values():
        _add_members(row, members_of.get(row.pk, set()), members)
    librarian_rows = {u.pk: CoverageRow(u.pk, u.display_name) for u in librarians}
    for row in librarian_rows.values():
        people = set().union(*(members_of.get(g, set()) for g in served.get(row.pk, ())))
        _add_members(row, people, members)

    touchpoints = _in_period(_counted_in_scope(user), period)
    totals = {
        "minutes": Sum("minutes"),
        "requests": Count("id", filter=Q(kind__in=REQUEST_KINDS)),
        "relationship": Count(
            "id", filter=Q(kind__in=REQUEST_KINDS, origin__in=RELATIONSHIP_ORIGINS)
        ),
    }
    for rows, key in ((group_rows, "group_id"), (librarian_rows, "author_id")):
        if not rows:
            continue
        for pk, minutes, requests, relationship in (
            touchpoints.filter(**{f"{key}__in": list(rows)})
            .values_list(key)
            .annotate(**totals)
            .order_by()
        ):
            rows[pk].minutes = minutes or 0
            rows[pk].requests = requests
            rows[pk].relationship_requests = relationship
    return Coverage(period, list(group_rows.values()), list(librarian_rows.values()))


def _current_members(
    group_ids: Iterable[int], today: dt.date
) -> tuple[dict[int, set[int]], dict[int, _Member]]:
    """Who is a current member of each group, and each member's stage and cadence state."""
    rows = (
        Membership.objects.filter(group_id__in=list(group_ids), person__archived_at=None)
        .exclude(ended_on__lt=today)
        .values_list(
            "group_id",
            "person_id",
            "person__status",
            "person__touchpoint_count",
            "person__relationship__stage",
            "person__relationship__last_real_contact_at",
        )
        .order_by()
    )
    members_of: dict[int, set[int]] = defaultdict(set)
    facts: dict[int, tuple[str, int, int, dt.datetime | None]] = {}
    for group_id, pid, status, count, stage, last_real in rows:
        members_of[group_id].add(pid)
        facts[pid] = (status, Stage.PROSPECT if stage is None else stage, count, last_real)
    members: dict[int, _Member] = {}
    ids = list(facts)
    for start in range(0, len(ids), CADENCE_CHUNK):
        chunk = ids[start : start + CADENCE_CHUNK]
        # Unsaved stand-ins carry what the cadence rules read, so no row is fetched twice.
        people = [Person(pk=pid, status=facts[pid][0]) for pid in chunk]
        stages = {pid: Relationship(person_id=pid, stage=facts[pid][1]) for pid in chunk}
        for pid, cadence in cadences(people, today, stages).items():
            status, stage, count, last_real = facts[pid]
            overdue = None if cadence is None else due(cadence, last_real, today).state == "overdue"
            members[pid] = _Member(status, stage, count == 0, overdue)
    return members_of, members


def _add_members(row: CoverageRow, people: set[int], members: dict[int, _Member]) -> None:
    for pid in people:
        member = members[pid]
        row.stages[member.stage] += 1
        row.never_contacted += member.never_contacted
        if member.overdue is not None:
            row.with_cadence += 1
            row.overdue += member.overdue


# The relationship report


@dataclass
class Month:
    month: dt.date
    relationship: int = 0
    desk: int = 0
    new_people: int = 0
    repeat_people: int = 0

    @property
    def total(self) -> int:
        return self.relationship + self.desk

    @property
    def people(self) -> int:
        return self.new_people + self.repeat_people

    @property
    def label(self) -> str:
        return f"{self.month:%b %Y}"


@dataclass
class Report:
    period: Period
    group: Group | None
    months: list[Month]
    stages: list[tuple[Stage, int]]
    read_levels: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(m.total for m in self.months)

    @property
    def relationship_total(self) -> int:
        return sum(m.relationship for m in self.months)

    @property
    def desk_total(self) -> int:
        return sum(m.desk for m in self.months)

    @property
    def relationship_percent(self) -> int | None:
        return round(100 * self.relationship_total / self.total) if self.total else None

    @property
    def new_total(self) -> int:
        return sum(m.new_people for m in self.months)

    @property
    def people_total(self) -> int:
        return sum(s for _, s in self.stages)


NO_READ = "Not recorded"


def report(
    user: User, period: Period, *, group: Group | None = None, now: dt.datetime | None = None
) -> Report:
    """Touchpoints per month by origin, new and repeat people per month, the ladder funnel and
    the READ mix, over the user's counted touchpoints (one group's, if given: the caller got
    it through get_group_for). Four grouped queries."""
    touchpoints = _in_period(counted_touchpoints(user), period)
    if group is not None:
        touchpoints = touchpoints.filter(group=group)
    months = {m: Month(m) for m in period.months}

    for month, desk, n in (
        touchpoints.annotate(month=TruncMonth("occurred_at"))
        .values_list("month")
        .annotate(desk=Count("id", filter=Q(origin=Origin.DESK)), n=Count("id"))
        .order_by()
    ):
        row = months.get(_month_key(month))  # type: ignore[arg-type]
        if row is not None:
            row.desk += desk
            row.relationship += n - desk

    # A person is new in the month of their first contact ever, repeat in every later one.
    contacts = (
        Participation.objects.filter(
            touchpoint_id__in=touchpoints.values("pk"),
            occurred_at__gte=period.start_at,
            occurred_at__lt=period.end_at,
        )
        .annotate(month=TruncMonth("occurred_at"), first=TruncMonth("person__first_contact_at"))
        .values_list("month", "first")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    for month, first, n in contacts:
        row = months.get(_month_key(month))  # type: ignore[arg-type]
        if row is None:
            continue
        if _month_key(first) == row.month:
            row.new_people += n
        else:
            row.repeat_people += n

    people = Person.objects.filter(archived_at=None) if user.is_manager else people_for(user)
    if group is not None:
        current = Membership.objects.filter(group=group).exclude(
            ended_on__lt=timezone.localdate(now or timezone.now())
        )
        people = people.filter(pk__in=current.values("person_id"))
    per_stage: dict[int, int] = defaultdict(int)
    for stage, n in people.values_list("relationship__stage").annotate(n=Count("id")).order_by():
        per_stage[Stage.PROSPECT if stage is None else stage] += n

    per_level: dict[Any, int] = dict(
        touchpoints.values_list("read_level").annotate(n=Count("id")).order_by()
    )
    levels = [(label, per_level.get(level, 0)) for level, label in READ_LEVELS]
    levels.append((NO_READ, per_level.get(None, 0)))

    return Report(
        period=period,
        group=group,
        months=list(months.values()),
        stages=[(stage, per_stage[stage]) for stage in Stage],
        read_levels=levels,
    )
