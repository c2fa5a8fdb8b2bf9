"""How often to stay in touch with each person, and whether that is due, counted in local
calendar days from the event date of the last real contact.

A person's cadence is the one set for them (`PersonCadence`; both intervals empty means "no
cadence"), else the first active `CadenceRule` that matches them by position, else none. A rule
matches when every condition it names holds: a current membership of its group, a current
membership role containing its role as a whole word ("PI" matches "PI" and "Co-PI", not
"recipient"), the person's status, a ladder stage at least its minimum.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.people.models import Membership, Person
from rapport.relationships.models import CadenceRule, PersonCadence, Relationship, Stage


@dataclass(frozen=True)
class Cadence:
    ideal_days: int
    max_days: int
    source: str  # what set it, in words


@dataclass(frozen=True)
class Due:
    """Where a person stands against their cadence on `today`."""

    cadence: Cadence
    last_real: dt.date | None
    state: str  # "never" (no real contact yet), "ok", "due" (past ideal), "overdue" (past max)
    next_due: dt.date | None
    days_over: int  # days past the ideal interval (0 when not due)

    @property
    def lateness(self) -> str:
        """How late, in words: "12 days later than the ideal interval of 45 days"."""
        n = self.days_over
        return (
            f"{n} day{'s' if n != 1 else ''} later than the ideal interval of "
            f"{self.cadence.ideal_days} days"
        )

    @property
    def overdueness(self) -> float:
        """Days past the ideal, as a share of the ideal interval (1.0 = a whole interval late)."""
        return self.days_over / self.cadence.ideal_days


class Someone(Protocol):
    @property
    def status(self) -> str: ...


class Intervals(Protocol):
    @property
    def ideal_days(self) -> int | None: ...

    @property
    def max_days(self) -> int | None: ...


class Rules:
    """The active rules, ready to match many people quickly (role patterns compiled once)."""

    def __init__(self, rules: list[CadenceRule]) -> None:
        self.rules = [
            (
                rule,
                re.compile(rf"(?<!\w){re.escape(rule.role)}(?!\w)", re.IGNORECASE)
                if rule.role
                else None,
            )
            for rule in rules
        ]

    @classmethod
    def active(cls) -> "Rules":
        return cls(list(CadenceRule.objects.filter(active=True).order_by("position", "id")))

    def first_match(
        self, person: Someone, memberships: list[tuple[int, str]], stage: int
    ) -> CadenceRule | None:
        for rule, role in self.rules:
            if rule.status and person.status != rule.status:
                continue
            if rule.min_stage is not None and stage < rule.min_stage:
                continue
            if (rule.group_id is not None or role is not None) and not any(
                (rule.group_id is None or group == rule.group_id)
                and (role is None or role.search(their_role))
                for group, their_role in memberships
            ):
                continue
            return rule
        return None

    def cadence_for(
        self,
        person: Someone,
        memberships: list[tuple[int, str]],
        stage: int,
        override: Intervals | None,
    ) -> Cadence | None:
        if override is not None:
            if override.ideal_days is None or override.max_days is None:
                return None
            return Cadence(override.ideal_days, override.max_days, "set for this person")
        rule = self.first_match(person, memberships, stage)
        return (
            None if rule is None else Cadence(rule.ideal_days, rule.max_days, f"rule: {rule.name}")
        )


def due(
    cadence: Cadence,
    last_real: dt.datetime | None,
    today: dt.date,
    tz: dt.tzinfo | None = None,
) -> Due:
    """Where someone stands on `today` (a date in `tz`, the current time zone by default)."""
    if last_real is None:
        return Due(cadence, None, "never", None, 0)
    last = last_real.astimezone(tz or timezone.get_current_timezone()).date()
    next_due = last + dt.timedelta(days=cadence.ideal_days)
    days_over = max(0, (today - next_due).days)
    if today > last + dt.timedelta(days=cadence.max_days):
        state = "overdue"
    elif today > next_due:
        state = "due"
    else:
        state = "ok"
    return Due(cadence, last, state, next_due, days_over)


def current_memberships(
    person_ids: Iterable[int] | QuerySet, today: dt.date
) -> dict[int, list[tuple[int, str]]]:
    """(group, role) of each person's current memberships; `person_ids` may be a subquery."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    ids = person_ids if isinstance(person_ids, QuerySet) else list(person_ids)
    rows = Membership.objects.filter(person_id__in=ids).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    )
    for pid, group, role in rows.values_list("person_id", "group_id", "role"):
        found[pid].append((group, role))
    return found


def cadences(
    people: list[Person],
    today: dt.date,
    relationships: dict[int, Relationship] | None = None,
) -> dict[int, Cadence | None]:
    """Each person's cadence, in three queries however many people (plus one if
    `relationships` is not given)."""
    ids = [p.pk for p in people]
    if relationships is None:
        relationships = Relationship.objects.in_bulk(ids)
    overrides = PersonCadence.objects.in_bulk(ids)
    memberships = current_memberships(ids, today)
    rules = Rules.active()
    return {
        p.pk: rules.cadence_for(
            p,
            memberships.get(p.pk, []),
            relationships[p.pk].stage if p.pk in relationships else Stage.PROSPECT,
            overrides.get(p.pk),
        )
        for p in people
    }
