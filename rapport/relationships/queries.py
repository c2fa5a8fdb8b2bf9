"""Reads of relationship state for one person (the person page, the API) and of cadence rules.

The caller fetched the person through `rapport.people.queries.access_person`, which is where
the permission check lives; these functions only add what the person's state is made of.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from rapport.access import scoped_row
from rapport.accounts.models import User
from rapport.accounts.roles import require_admin, require_detail
from rapport.people.models import Person, Status
from rapport.relationships import health as h
from rapport.relationships.cadence import Cadence, Due, Rules, current_memberships, due
from rapport.relationships.health import (
    Health,
    Part,
    Recent,
    health_now,
    health_then,
    recent_counts,
)
from rapport.relationships.models import CadenceRule, PersonCadence, Relationship, Snooze, Stage
from rapport.relationships.state import Aggregates, stage_rules

CONTACT_FIELDS = ("pk", "first_contact_at", "last_contact_at", "touchpoint_count")

# How each part of the health score is scored, in words, from the constants that score it.
HOW_PARTS_SCORE = {
    "recency": f"100 within {h.FRESH_DAYS} days of the last contact, falling in a straight "
    f"line to 0 at {h.STALE_DAYS} days",
    "frequency": f"contacts in the last year; {h.MONTHLY} or more (monthly) score 100",
    "depth": f"the mean READ level, READ 1 scoring 0 and READ {h.FULL_READ} or more 100; "
    f"without READ levels, the mean minutes, {h.FULL_MINUTES} or more scoring 100",
    "breadth": f"distinct kinds of service used; {h.FULL_KINDS} or more score 100",
    "initiative": "the share of contacts the person started",
}
HEALTH_FORMULA = " + ".join(f"{w}% {name}" for name, w in h.WEIGHTS.items())


@dataclass(frozen=True)
class StageRule:
    stage: Stage
    rule: str
    holds: bool
    current: bool  # the person's effective stage


@dataclass(frozen=True)
class RelationshipView:
    """Everything the person page and the API show about one relationship, as of `now`."""

    person: Person
    relationship: Relationship
    stage: Stage
    computed_stage: Stage
    overridden: bool
    override_reason: str
    rules: list[StageRule]
    health: Health
    health_then: Health
    recent: Recent
    tenure_days: int
    days_since_contact: int | None
    referrals: int
    minutes: int
    initiative_share: float | None  # None before any contact
    cadence: Cadence | None
    person_cadence: PersonCadence | None  # set by a librarian (both days empty: no cadence)
    due: Due | None
    snooze: Snooze | None  # the viewer's own, while it lasts

    formula = HEALTH_FORMULA

    @property
    def explained_parts(self) -> list[tuple[Part, str]]:
        """Each part of the health score with how it is scored."""
        return [(part, HOW_PARTS_SCORE.get(part.name, "")) for part in self.health.parts]

    @property
    def health_change(self) -> int:
        return self.health.score - self.health_then.score

    @property
    def initiative_percent(self) -> int | None:
        return None if self.initiative_share is None else round(100 * self.initiative_share)

    @property
    def no_cadence_by_choice(self) -> bool:
        return self.person_cadence is not None and self.cadence is None


def _related(person: Person, name: str) -> Any:
    try:
        return getattr(person, name)
    except ObjectDoesNotExist:
        return None


def relationship_view(
    user: User, person: Person, now: dt.datetime | None = None
) -> RelationshipView:
    """The relationship with `person` (already fetched through access_person), in five queries:
    the stored row with the person's cadence, the viewer's snooze, the recent contact counts,
    the current memberships and the active cadence rules."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    row = (
        Person.objects.filter(pk=person.pk)
        .select_related("relationship", "personcadence")
        .only(*CONTACT_FIELDS, "relationship", "personcadence")
        .get()
    )
    rel = _related(row, "relationship")
    if rel is None:
        # Never refreshed (a person added by a bulk load): a prospect with nothing recorded.
        rel = Relationship(person=person)
    person_cadence = _related(row, "personcadence")
    # A query of its own: as subqueries on the row above it costs more to compile than to run.
    snooze = Snooze.objects.filter(user=user, person=person, until__gt=today).first()

    recent = recent_counts([person.pk], now).get(person.pk, Recent())
    # Contact times and counts as stored now, not as they were when `person` was read.
    agg = Aggregates(
        first_contact_at=row.first_contact_at,
        last_contact_at=row.last_contact_at,
        touchpoint_count=row.touchpoint_count,
        **{
            name: getattr(rel, name)
            for name in (
                "last_real_contact_at",
                "minutes",
                "read_sum",
                "read_count",
                "kinds_used",
                "initiated_by_them",
                "partnership",
                "referrals",
            )
        },
    )
    stage = Stage(rel.stage)
    rules = [StageRule(s, text, holds, s == stage) for s, text, holds in stage_rules(agg)]
    cadence = Rules.active().cadence_for(
        person, current_memberships([person.pk], today).get(person.pk, []), stage, person_cadence
    )
    last = row.last_contact_at
    return RelationshipView(
        person=person,
        relationship=rel,
        stage=stage,
        computed_stage=Stage(rel.computed_stage),
        overridden=rel.stage_override is not None,
        override_reason=rel.stage_reason,
        rules=rules,
        health=health_now(rel, row, recent, now),
        health_then=health_then(rel, row, recent, now),
        recent=recent,
        tenure_days=agg.tenure_days,
        days_since_contact=None if last is None else max(0, (now - last).days),
        referrals=rel.referrals,
        minutes=rel.minutes,
        initiative_share=(
            rel.initiated_by_them / row.touchpoint_count if row.touchpoint_count else None
        ),
        cadence=cadence,
        person_cadence=person_cadence,
        due=None if cadence is None else due(cadence, rel.last_real_contact_at, today),
        snooze=snooze,
    )


# Cadence rules


def rules_for(user: User) -> QuerySet[CadenceRule]:
    """Every cadence rule, active or not, in the order they are tried. Librarians read them;
    managers see aggregates only."""
    require_detail(user, what="cadence rules (they are for librarians)")
    return CadenceRule.objects.select_related("group").order_by("position", "id")


def access_rule(user: User, pk: int | str, *, for_write: bool = False) -> CadenceRule:
    """A cadence rule: librarians read them; only administrators change them."""
    if for_write:
        require_admin(user, to="change the cadence rules (librarians may read them)")
    return scoped_row(
        rules_for(user), pk, for_write=for_write, missing=f"There is no cadence rule {pk}."
    )


def rule_conditions(rule: CadenceRule) -> str:
    """What a rule matches, in words ("current members of Chemistry Lab with role PI")."""
    parts = []
    if rule.group is not None:
        parts.append(f"current members of {rule.group.name}")
    if rule.role:
        parts.append(f"with a current role “{rule.role}”")
    if rule.status:
        parts.append(f"whose status is {Status(rule.status).label.lower()}")
    if rule.min_stage is not None:
        parts.append(f"at stage {Stage(rule.min_stage).label.lower()} or higher")
    return "People " + ", ".join(parts) if parts else "Everyone"
