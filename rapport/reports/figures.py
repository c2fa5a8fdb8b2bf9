"""Coverage and the relationship report: counts only, never people, questions or notes.

Who is counted follows `rapport.touchpoints.stats`: a manager's figures cover every touchpoint
(confidential ones too: a count of work done reveals nothing of what was said); everyone else's
cover what they may read. Touchpoint figures come from a fixed number of grouped queries. The
one thing that needs each person on their own is the cadence (is this person overdue?), so
coverage is computed for a page of groups and librarians at a time, never the whole library.
Months are told apart by comparing timestamps with each month's local start (`_month_of_period`),
which every database does in its indexes, rather than by truncating each row's date.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, NamedTuple

from django.db.models import Case, Count, Exists, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from rapport.accounts.models import Role, User
from rapport.people.models import Group, Membership, Person
from rapport.people.queries import groups_for, library_wide, people_for, scope_person_ids
from rapport.privacy.models import AnonymousParticipation, Erasure
from rapport.relationships.cadence import Rules, current_memberships, due
from rapport.relationships.models import PersonCadence, Stage
from rapport.touchpoints.models import READ_LEVELS, Kind, Origin, Participation, Touchpoint
from rapport.touchpoints.queries import touchpoints_between, touchpoints_for, visible_to

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


# Periods


#: The longest date range a report covers (its charts have a column per month).
MAX_RANGE_YEARS = 10
#: The earliest academic year a `?period=ayYYYY` may name.
FIRST_ACADEMIC_YEAR = 1900


@dataclass(frozen=True)
class Period:
    """The days from `first` up to (not including) `end`, counted month by month: whole months
    for the offered periods; a date range may start and end within a month, whose column then
    counts the range's days of it only."""

    key: str
    label: str
    first: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches."""
        index, last = _month_index(self.first), _month_index(self.last_day)
        return [_month_of(i) for i in range(index, last + 1)]

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def whole_months(self) -> bool:
        return self.first.day == 1 and self.end.day == 1

    @property
    def span(self) -> str:
        """The period's first and last day as read: "Sep 2023 to Aug 2024" for an offered
        period, "3 Mar 2021 to 15 Jun 2022" for a date range."""
        if self.whole_months and self.key != "range":
            return f"{self.first:%b %Y} to {self.last_day:%b %Y}"
        return f"{_day(self.first)} to {_day(self.last_day)}"

    @property
    def month_bounds(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """Each month's start and end (the period's own first and last for the months it cuts),
        as aware times in the library's time zone."""
        starts = [self.start_at] + [_aware(month) for month in self.months[1:]] + [self.end_at]
        return list(pairwise(starts))

    @property
    def start_at(self) -> dt.datetime:
        return _aware(self.first)

    @property
    def end_at(self) -> dt.datetime:
        return _aware(self.end)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


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


def academic_year_of(day: dt.date) -> int:
    """The year an academic year containing `day` starts in."""
    return day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1


def last_twelve_months(today: dt.date) -> Period:
    index = _month_index(today)
    return Period(DEFAULT_PERIOD, "Last 12 months", _month_of(index - 11), _month_of(index + 1))


def date_range(first: dt.date, last: dt.date) -> Period:
    """The days from `first` to `last`, both included (the caller checked first <= last)."""
    return Period("range", f"{_day(first)} to {_day(last)}", first, last + dt.timedelta(days=1))


def periods(today: dt.date) -> list[Period]:
    """The recent periods: the last twelve months, then this and the past academic years."""
    this_year = academic_year_of(today)
    years = range(this_year, this_year - ACADEMIC_YEARS_OFFERED, -1)
    return [last_twelve_months(today), *(academic_year(y) for y in years)]


def period_for(key: str | None, today: dt.date) -> Period:
    """The period a `?period=` value names: the last 12 months, or any academic year from
    `FIRST_ACADEMIC_YEAR` to this one; anything else is the default (last 12 months)."""
    key = key or ""
    year = key[2:]
    named = key.startswith("ay") and year.isascii() and year.isdigit() and len(year) == 4
    if named and FIRST_ACADEMIC_YEAR <= int(year) <= academic_year_of(today):
        return academic_year(int(year))
    return last_twelve_months(today)


def years_with_data(user: User) -> list[int]:
    """The academic years holding touchpoints the user's reports count, newest first. Three
    queries whatever the library's size: the first and the last touchpoint (each read off the
    `occurred_at` index), then whether each year between holds one: EXISTS queries that each
    stop at their first row, a librarian's one per way in (their own, their groups', their
    people's), as `touchpoints_between` finds them."""
    counted = counted_touchpoints(user).order_by().values_list("occurred_at", flat=True)
    first = counted.order_by("occurred_at").first()
    last = counted.order_by("-occurred_at").first()
    if user.is_manager:
        return years_holding(user, first, last, lambda year: [_in_year(Touchpoint, year)])
    if user.is_admin or library_wide():
        mine = visible_to(user)
        return years_holding(user, first, last, lambda year: [_in_year(Touchpoint, year, mine)])
    served = Group.librarians.through.objects.filter(user=user).values("group_id")
    people = scope_person_ids(user)
    others = Q(confidential=False)

    def ways_in(year: Period) -> list[QuerySet]:
        return [
            _in_year(Touchpoint, year, Q(author=user)),
            _in_year(Touchpoint, year, others & Q(group_id__in=served)),
            _in_year(
                Participation,
                year,
                Q(person_id__in=people, touchpoint__confidential=False),
            ),
        ]

    return years_holding(user, first, last, ways_in)


def _in_year(
    model: type[Touchpoint] | type[Participation], year: Period, where: Q | None = None
) -> QuerySet:
    within = Q(occurred_at__gte=year.start_at, occurred_at__lt=year.end_at)
    return model.objects.filter(within & where if where is not None else within)


def years_holding(
    user: User,
    first: dt.datetime | None,
    last: dt.datetime | None,
    rows_in: Callable[[Period], list[QuerySet]],
) -> list[int]:
    """The academic years from `first`'s to `last`'s in which one of `rows_in(year)` finds a
    row, newest first: one query, an EXISTS per year and way in (run as columns of the
    user's own row)."""
    if first is None or last is None:
        return []
    years = range(
        max(academic_year_of(timezone.localtime(first).date()), FIRST_ACADEMIC_YEAR),
        academic_year_of(timezone.localtime(last).date()) + 1,
    )
    if not years:
        return []
    holds = {
        f"y{y}_{i}": Exists(rows) for y in years for i, rows in enumerate(rows_in(academic_year(y)))
    }
    found = User.objects.filter(pk=user.pk).annotate(**holds).values(*holds).first() or {}
    held = {int(key[1:].split("_")[0]) for key, value in found.items() if value}
    return sorted(held, reverse=True)


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
    def labelled_stages(self) -> list[tuple[str, int]]:
        """(stage name, members at it), for a layout that labels each figure (a phone)."""
        return [(Stage(i).label, n) for i, n in enumerate(self.stages)]

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


class _Someone(NamedTuple):
    """What the cadence rules read of a person, without building a model instance."""

    status: str


class _Override(NamedTuple):
    ideal_days: int | None
    max_days: int | None


@dataclass(frozen=True)
class _Member:
    stage: int
    never_contacted: bool
    overdue: bool | None  # None: no cadence


def coverage_groups(user: User, *, name: str = "") -> QuerySet[Group]:
    """Every current group for managers and administrators; the groups a librarian serves.
    By name; `name` keeps those whose name contains it."""
    qs = groups_for(user)
    if not sees_everyone(user):
        qs = qs.filter(librarians=user)
    if name.strip():
        qs = qs.filter(name__icontains=name.strip())
    return qs.order_by("name", "id").only("pk", "name")


def coverage_librarians(user: User) -> list[User]:
    """Every active librarian and administrator for managers and administrators; else oneself.
    By name (there are few: sorted here, where `display_name` is known)."""
    if not sees_everyone(user):
        return [user]
    users = User.objects.filter(
        Q(role__in=[Role.LIBRARIAN, Role.ADMIN]) | Q(is_superuser=True), is_active=True
    )
    return sorted(users, key=lambda u: (u.display_name.casefold(), u.pk))


def coverage(
    user: User,
    period: Period,
    *,
    groups: Sequence[Group] | None = None,
    librarians: Sequence[User] | None = None,
    now: dt.datetime | None = None,
) -> Coverage:
    """Members by stage, never contacted, overdue share, time and relationship-originated
    requests, for the given groups and librarians (a page of each; all of the user's if not
    given).

    The work grows with the members of the rows asked for, never with the library: queries
    for who serves what, the current members, their cadence overrides, their memberships and
    the rules, and one grouped query each for the touchpoints of the groups and of the
    librarians (plus one each for the groups and librarians when not given).
    """
    today = timezone.localdate(now or timezone.now())
    groups = list(coverage_groups(user)) if groups is None else list(groups)
    librarians = coverage_librarians(user) if librarians is None else list(librarians)
    group_rows = {g.pk: CoverageRow(g.pk, g.name) for g in groups}
    librarian_rows = {u.pk: CoverageRow(u.pk, u.display_name) for u in librarians}

    serving = Group.librarians.through.objects.filter(
        user_id__in=list(librarian_rows), group__archived_at=None
    )
    served: dict[int, set[int]] = defaultdict(set)
    if librarian_rows:
        for user_id, group_id in serving.values_list("user_id", "group_id"):
            served[user_id].add(group_id)
    members_of, members = _current_members(
        Q(group_id__in=list(group_rows)) | Q(group_id__in=serving.values("group_id")), today
    )

    for row in group_rows.values():
        _add_members(row, members_of.get(row.pk, set()), members)
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
    in_groups: Q, today: dt.date
) -> tuple[dict[int, set[int]], dict[int, _Member]]:
    """Who is a current member of the groups `in_groups` picks, and each member's stage and
    cadence state. The members' overrides and memberships are read through a subquery, so no
    list of ids is sent however many members there are."""
    current = (
        Membership.objects.filter(in_groups, person__archived_at=None)
        .exclude(ended_on__lt=today)
        .order_by()
    )
    rows = current.values_list(
        "group_id",
        "person_id",
        "person__status",
        "person__touchpoint_count",
        "person__relationship__stage",
        "person__relationship__last_real_contact_at",
    )
    members_of: dict[int, set[int]] = defaultdict(set)
    facts: dict[int, tuple[str, int, int, dt.datetime | None]] = {}
    for group_id, pid, status, count, stage, last_real in rows:
        members_of[group_id].add(pid)
        facts[pid] = (status, Stage.PROSPECT if stage is None else stage, count, last_real)
    if not facts:
        return members_of, {}

    people = current.values("person_id")
    overrides = {
        pid: _Override(ideal, most)
        for pid, ideal, most in PersonCadence.objects.filter(person_id__in=people).values_list(
            "person_id", "ideal_days", "max_days"
        )
    }
    memberships = current_memberships(people, today)
    rules = Rules.active()
    tz = timezone.get_current_timezone()
    members: dict[int, _Member] = {}
    for pid, (status, stage, count, last_real) in facts.items():
        cadence = rules.cadence_for(
            _Someone(status), memberships.get(pid, []), stage, overrides.get(pid)
        )
        overdue = None if cadence is None else due(cadence, last_real, today, tz).state == "overdue"
        members[pid] = _Member(stage, count == 0, overdue)
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
    it through access_group). Four grouped queries for a manager's whole library (origins and
    READ levels, people per month, new people, stages); three otherwise."""
    if group is not None:
        counted = counted_touchpoints(user).filter(group=group)
    elif user.is_manager:
        counted = counted_touchpoints(user)
    else:  # the period's touchpoints found from the librarian's scope, not the other way round
        counted = touchpoints_between(user, period.start_at, period.end_at)
    rows = [Month(m) for m in period.months]

    # Origins per month and the READ mix from one pass over the period's touchpoints.
    per_level: dict[Any, int] = defaultdict(int)
    for index, level, desk, n in _per_month(
        counted,
        period,
        ("read_level",),
        whole=user.is_manager,
        desk=Count("id", filter=Q(origin=Origin.DESK)),
        n=Count("id"),
    ):
        per_level[level] += n
        if 0 <= index < len(rows):
            rows[index].desk += desk
            rows[index].relationship += n - desk
    levels = [(label, per_level[level]) for level, label in READ_LEVELS]
    levels.append((NO_READ, per_level[None]))

    if user.is_manager and group is None:
        _add_everyones_people(rows, period)
    else:
        _add_people(rows, period, _in_period(counted, period))
    today = timezone.localdate(now or timezone.now())
    return Report(
        period=period,
        group=group,
        months=rows,
        stages=list(_ladder(user, group, today).items()),
        read_levels=levels,
    )


def _add_people(rows: list[Month], period: Period, touchpoints: QuerySet[Touchpoint]) -> None:
    """New and repeat people per month among those taking part in `touchpoints`. A person is
    new in the month of their first contact ever (`Person.first_contact_at`, over all
    touchpoints), repeat in every later one.

    People the retention schedule or an erasure detached are counted from their anonymous
    participations (`privacy.AnonymousParticipation`): one `someone` per person and month,
    flagged when the month was their first contact, so the figures stay what they were. Both
    are read in one query (UNION ALL)."""
    within = {"occurred_at__gte": period.start_at, "occurred_at__lt": period.end_at}
    in_touchpoints = touchpoints.values("pk")
    contacts = (
        Participation.objects.filter(touchpoint_id__in=in_touchpoints, **within)
        .annotate(
            month=_month_of_period("occurred_at", period),
            first=_month_of_period("person__first_contact_at", period),
        )
        .values_list("month", "first")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    month = _month_of_period("occurred_at", period)
    anonymous = (
        AnonymousParticipation.objects.filter(touchpoint_id__in=in_touchpoints, **within)
        .annotate(
            month=month,
            first=Case(When(new=True, then=month), default=Value(-2), output_field=IntegerField()),
        )
        .values_list("month", "first")
        .annotate(n=Count("someone", distinct=True))
        .order_by()
    )
    for index, first, n in contacts.union(anonymous, all=True):
        if not 0 <= index < len(rows):
            continue
        if first == index:
            rows[index].new_people += n
        else:
            rows[index].repeat_people += n


def _add_everyones_people(rows: list[Month], period: Period) -> None:
    """`_add_people` over every touchpoint. Everyone whose first contact falls in a month took
    part that month, so the new are counted on the people alone and the repeat are the
    month's people less the new."""
    contacts = _month_parts(
        Participation.objects.all(),
        period,
        (),
        field="touchpoint__occurred_at",
        n=Count("person_id", distinct=True),
    )
    # People detached by retention or erasure: a `someone` per person and month.
    anonymous = _month_parts(
        AnonymousParticipation.objects.all(),
        period,
        (),
        field="touchpoint__occurred_at",
        n=Count("someone", distinct=True),
    )
    parts = [*contacts, *anonymous]
    for index, n in parts[0].union(*parts[1:], all=True):
        rows[index].repeat_people += n
    # No index on first_contact_at: one scan of the people, bucketed, not one per month; the
    # people since erased are new in the month of their first contact all the same.
    first_contacts = _per_month(
        Person.objects.all(), period, (), field="first_contact_at", whole=False, n=Count("id")
    ).union(
        _per_month(
            Erasure.objects.all(), period, (), field="first_contact_at", whole=False, n=Count("id")
        ),
        all=True,
    )
    for index, n in first_contacts:
        if not 0 <= index < len(rows):
            continue
        rows[index].new_people += n
        rows[index].repeat_people -= n


def _per_month(
    qs: QuerySet,
    period: Period,
    fields: tuple[str, ...],
    *,
    field: str = "occurred_at",
    whole: bool = True,
    **aggregates: Any,
) -> QuerySet:
    """Rows of (month index, *fields, *aggregates) of `qs` over the period, grouped by
    `fields`; `qs` is not yet narrowed to the period.

    `whole` (much of the library, nothing in `qs` to narrow it first, and an index on
    `field`): one range query per month in a UNION ALL, each reading its month off the index.
    Else a single query that buckets the rows it keeps by month (`_month_of_period`), cheaper
    when `qs`'s own conditions leave few rows or `field` has no index."""
    if not whole:
        return (
            qs.filter(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})
            .annotate(month=_month_of_period(field, period))
            .values_list("month", *fields)
            .annotate(**aggregates)
            .order_by()
        )
    parts = _month_parts(qs, period, fields, field=field, **aggregates)
    return parts[0].union(*parts[1:], all=True)


def _month_parts(
    qs: QuerySet, period: Period, fields: tuple[str, ...], *, field: str, **aggregates: Any
) -> list[QuerySet]:
    """One range query per month of the period, each reading its month off the index."""
    return [
        qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(month=Value(index, output_field=IntegerField()))
        .values_list("month", *fields)
        .annotate(**aggregates)
        .order_by()
        for index, (start, end) in enumerate(period.month_bounds)
    ]


def _ladder(user: User, group: Group | None, today: dt.date) -> dict[Stage, int]:
    """People per stage: those the user may see (everyone not archived for a manager), or the
    group's current members; someone without a relationship row is a prospect."""
    people = Person.objects.filter(archived_at=None) if user.is_manager else people_for(user)
    if group is not None:
        current = Membership.objects.filter(group=group).exclude(ended_on__lt=today)
        people = people.filter(pk__in=current.values("person_id"))
    per_stage = dict.fromkeys(Stage, 0)
    for stage, n in people.values_list("relationship__stage").annotate(n=Count("id")).order_by():
        per_stage[Stage(Stage.PROSPECT if stage is None else stage)] += n
    return per_stage


def _month_of_period(field: str, period: Period) -> Case:
    """Which of the period's months a timestamp falls in: 0 for the first, -1 before the period,
    the number of months after it (and for no timestamp).

    Compares the column with each month's start in the library's time zone, which the database
    does on the stored value (and in an index); truncating each row's date to its month would
    convert every row's time zone, in Python on SQLite."""
    bounds = period.month_bounds
    return Case(
        When(**{f"{field}__lt": period.start_at}, then=Value(-1)),
        *(When(**{f"{field}__lt": end}, then=Value(i)) for i, (_, end) in enumerate(bounds)),
        default=Value(len(bounds)),
        output_field=IntegerField(),
    )
