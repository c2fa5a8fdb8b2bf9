"""Event-time aggregates of a relationship and the ladder rules, one definition for both the
incremental update (a few people, inside a touchpoint write) and the full `rapport refresh`.

The aggregates do not depend on today's date: they only change when touchpoints (or
referrals) change, so keeping them in the touchpoint's transaction keeps them exact. The
stored cadence and its due days also depend on the person's status, current memberships,
stage and own cadence, and on the rules: every service that changes one of those refreshes the
people concerned, and `rapport refresh` (daily, since memberships end by date) everyone.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from rapport.people.models import Person
from rapport.privacy.models import Tally
from rapport.relationships.cadence import Cadence, Rules, current_memberships
from rapport.relationships.models import PersonCadence, Relationship, Stage
from rapport.touchpoints.models import Initiator, Origin, Participation

# Touchpoints that do not count as real contact for a cadence: nobody talked to anybody.
NOT_REAL = (Origin.ALERT, Origin.CAMPAIGN)
# A touchpoint with this tag is work done with the person on their group's own project.
PARTNERSHIP_TAG = "partnership"

# The ladder, as rules over the aggregates. The highest stage whose rule holds is the stage.
SUPPORTER_MIN_TOUCHPOINTS = 4
SUPPORTER_MIN_INITIATED = 2
SUPPORTER_MIN_TENURE_DAYS = 60


@dataclass(frozen=True)
class Aggregates:
    """What one person's participations add up to (zeros for someone never contacted)."""

    first_contact_at: Any = None
    last_contact_at: Any = None
    touchpoint_count: int = 0
    last_real_contact_at: Any = None
    minutes: int = 0
    read_sum: int = 0
    read_count: int = 0
    kinds_used: int = 0
    initiated_by_them: int = 0
    partnership: int = 0
    referrals: int = 0

    @property
    def tenure_days(self) -> int:
        if self.first_contact_at is None:
            return 0
        return (self.last_contact_at - self.first_contact_at).days


def aggregate(person_ids: Iterable[int] | None = None) -> dict[int, Aggregates]:
    """Aggregates for these people (everyone when None), keyed by person id. People with no
    participations and no referrals are left out: they have the defaults."""
    rows = Participation.objects.all()
    referred = Person.objects.filter(referred_by__isnull=False)
    ids: list[int] | None = None
    if person_ids is not None:
        ids = list(person_ids)
        rows = rows.filter(person_id__in=ids)
        referred = referred.filter(referred_by__in=ids)
    grouped = (
        rows.values("person_id")
        .order_by()
        .annotate(
            first_contact_at=Min("occurred_at"),
            last_contact_at=Max("occurred_at"),
            touchpoint_count=Count("id"),
            last_real_contact_at=Max("occurred_at", filter=~Q(touchpoint__origin__in=NOT_REAL)),
            minutes=Coalesce(Sum("touchpoint__minutes"), 0),
            read_sum=Coalesce(Sum("touchpoint__read_level"), 0),
            read_count=Count("touchpoint__read_level"),
            kinds_used=Count("touchpoint__kind", distinct=True),
            initiated_by_them=Count("id", filter=Q(touchpoint__initiated_by=Initiator.THEM)),
            partnership=Count("id", filter=Q(touchpoint__tags__icontains=f'"{PARTNERSHIP_TAG}"')),
        )
    )
    found: dict[int, dict[str, Any]] = {row.pop("person_id"): row for row in grouped}
    for row in referred.values("referred_by").order_by().annotate(n=Count("id")):
        found.setdefault(row["referred_by"], {})["referrals"] = row["n"]
    _add_tallies(found, ids)
    return {pid: Aggregates(**values) for pid, values in found.items()}


def _add_tallies(found: dict[int, dict[str, Any]], person_ids: list[int] | None) -> None:
    """Add what each person's detached history added up to (`privacy.Tally`: touchpoints
    whose text the retention schedule removed and whose people it detached, referrals of
    people since erased), so a person's state is the same before and after. Breadth (kinds
    used) is a union of kinds, so it needs their remaining kinds: one more query, for the
    people who have a tally only."""
    tallies = Tally.objects.all() if person_ids is None else Tally.objects.filter(pk__in=person_ids)
    tallied = {t.person_id: t for t in tallies}
    if not tallied:
        return
    kinds: dict[int, set[str]] = {pid: set(t.kinds) for pid, t in tallied.items()}
    remaining = Participation.objects.filter(
        person_id__in=list(tallied) if person_ids is not None else Tally.objects.values("pk")
    )
    for pid, kind in remaining.values_list("person_id", "touchpoint__kind").distinct().order_by():
        kinds[pid].add(kind)
    for pid, t in tallied.items():
        row = found.setdefault(pid, {})
        for name, pick in (
            ("first_contact_at", min),
            ("last_contact_at", max),
            ("last_real_contact_at", max),
        ):
            values = [v for v in (row.get(name), getattr(t, name)) if v is not None]
            row[name] = pick(values) if values else None
        for name in (
            "touchpoint_count",
            "minutes",
            "read_sum",
            "read_count",
            "initiated_by_them",
            "partnership",
            "referrals",
        ):
            row[name] = row.get(name, 0) + getattr(t, name)
        row["kinds_used"] = len(kinds[pid])


def stage_rules(agg: Aggregates) -> list[tuple[Stage, str, bool]]:
    """Each stage's rule in words and whether it holds, lowest first (shown on person pages)."""
    n = agg.touchpoint_count
    return [
        (Stage.PROSPECT, "never contacted", n == 0),
        (Stage.FIRST_CONTACT, "one touchpoint", n >= 1),
        (Stage.CLIENT, "two or more touchpoints: they came back", n >= 2),
        (
            Stage.SUPPORTER,
            f"at least {SUPPORTER_MIN_TOUCHPOINTS} touchpoints over {SUPPORTER_MIN_TENURE_DAYS}+ "
            f"days, {SUPPORTER_MIN_INITIATED}+ of them started by the person",
            n >= SUPPORTER_MIN_TOUCHPOINTS
            and agg.initiated_by_them >= SUPPORTER_MIN_INITIATED
            and agg.tenure_days >= SUPPORTER_MIN_TENURE_DAYS,
        ),
        (
            Stage.ADVOCATE,
            "a client who has referred someone to the library",
            n >= 2 and agg.referrals >= 1,
        ),
        (
            Stage.PARTNER,
            "works with the librarian on the group's own project "
            f"(a touchpoint tagged #{PARTNERSHIP_TAG})",
            agg.partnership >= 1,
        ),
    ]


def computed_stage(agg: Aggregates) -> Stage:
    return max((stage for stage, _, holds in stage_rules(agg) if holds), default=Stage.PROSPECT)


RELATIONSHIP_FIELDS = [
    f.name
    for f in fields(Aggregates)
    if f.name not in {"first_contact_at", "last_contact_at", "touchpoint_count"}
]


def write(person_ids: list[int], found: dict[int, Aggregates]) -> None:
    """Store the aggregates of these people (defaults for those not in `found`), on the person
    (first/last contact, count) and on their relationship row, keeping any stage override."""
    empty = Aggregates()
    aggs = {pid: found.get(pid, empty) for pid in person_ids}
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE rapport_person SET first_contact_at = %s, last_contact_at = %s, "
            "touchpoint_count = %s WHERE id = %s",
            [
                (adapt(a.first_contact_at), adapt(a.last_contact_at), a.touchpoint_count, pid)
                for pid, a in aggs.items()
            ],
        )
    overrides: dict[int, int | None] = dict(
        Relationship.objects.filter(
            person_id__in=person_ids, stage_override__isnull=False
        ).values_list("person_id", "stage_override")
    )
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    statuses = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "status"))
    memberships = current_memberships(person_ids, today)
    own = PersonCadence.objects.in_bulk(person_ids)
    rules = Rules.active()
    rows = []
    for pid, a in aggs.items():
        stage = computed_stage(a)
        override = overrides.get(pid)
        effective = stage if override is None else override
        cadence = rules.cadence_for(
            _Status(statuses.get(pid, "")), memberships.get(pid, []), effective, own.get(pid)
        )
        rows.append(
            Relationship(
                person_id=pid,
                computed_stage=stage,
                stage=effective,
                **{name: getattr(a, name) for name in RELATIONSHIP_FIELDS},
                **_cadence_fields(cadence, a.last_real_contact_at, tz),
            )
        )
    Relationship.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=[*RELATIONSHIP_FIELDS, "computed_stage", "stage", *CADENCE_FIELDS],
    )


CADENCE_FIELDS = ["ideal_days", "max_days", "cadence_source", "due_day", "overdue_day"]


@dataclass(frozen=True)
class _Status:
    status: str


def _cadence_fields(
    cadence: Cadence | None, last_real: dt.datetime | None, tz: dt.tzinfo
) -> dict[str, Any]:
    if cadence is None:
        return dict.fromkeys(CADENCE_FIELDS) | {"cadence_source": ""}
    last = last_real.astimezone(tz).date().toordinal() if last_real is not None else None
    return {
        "ideal_days": cadence.ideal_days,
        "max_days": cadence.max_days,
        "cadence_source": cadence.source[:140],
        "due_day": None if last is None else last + cadence.ideal_days,
        "overdue_day": None if last is None else last + cadence.max_days,
    }


def write_cadences(person_ids: list[int]) -> None:
    """Recompute only the stored cadence of these people (after a rule changed): the same
    evaluation as `write`, from their stored stage and last real contact."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    rels = Relationship.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "stage", "last_real_contact_at", "person__status"
    )
    memberships = current_memberships(person_ids, today)
    own = PersonCadence.objects.in_bulk(person_ids)
    rules = Rules.active()
    rows = []
    for pid, stage, last_real, status in rels:
        cadence = rules.cadence_for(_Status(status), memberships.get(pid, []), stage, own.get(pid))
        values = _cadence_fields(cadence, last_real, tz)
        rows.append((*(values[name] for name in CADENCE_FIELDS), pid))
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE rapport_relationship SET "
            + ", ".join(f"{name} = %s" for name in CADENCE_FIELDS)
            + " WHERE person_id = %s",
            rows,
        )
