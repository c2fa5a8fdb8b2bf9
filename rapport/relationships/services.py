"""Writes to relationship state: keeping it current, stage overrides, cadences and snoozes.

`refresh` is called by every service that changes what the aggregates are made of (touchpoint
writes, referrals), inside that service's transaction. `refresh_all` is `rapport refresh`.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_admin, require_librarian
from rapport.audit.services import diff, record, snapshot
from rapport.errors import Invalid
from rapport.people.models import Group, Person, Status
from rapport.people.queries import access_person
from rapport.relationships.models import CadenceRule, PersonCadence, Relationship, Snooze, Stage
from rapport.relationships.queries import access_rule
from rapport.relationships.state import aggregate, write, write_cadences

REFRESH_CHUNK = 5_000
MAX_CADENCE_DAYS = 730
MAX_SNOOZE_DAYS = 366


def refresh_cadences() -> int:
    """Recompute everyone's stored cadence (after a rule changed); returns how many people."""
    ids = list(Relationship.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), REFRESH_CHUNK):
        write_cadences(ids[start : start + REFRESH_CHUNK])
    return len(ids)


def refresh(person_ids: Iterable[int | None]) -> None:
    """Recompute the stored state of these people from their participations and referrals."""
    ids = sorted({pid for pid in person_ids if pid is not None})
    if not ids:
        return
    # Lock the people first, in id order, then count. Under PostgreSQL's read committed, two
    # transactions logging for the same person would otherwise each count without the other's
    # uncommitted row and the later write would lose one; once the lock is granted the count
    # below sees what the other committed. NO KEY UPDATE does not conflict with the key-share
    # lock that inserting a participation takes, so two writers cannot deadlock on it. SQLite
    # has one writer at a time and no row locks, so there is nothing to take.
    if connection.features.has_select_for_update:
        locked = Person.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
        list(locked.values_list("pk", flat=True))
    write(ids, aggregate(ids))


@transaction.atomic
def refresh_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every person's state (`rapport refresh`); returns how many people."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    found = aggregate(None)
    for start in range(0, len(ids), REFRESH_CHUNK):
        write(ids[start : start + REFRESH_CHUNK], found)
        if progress:
            progress(min(start + REFRESH_CHUNK, len(ids)), len(ids))
    return len(ids)


@transaction.atomic
def override_stage(
    *, by: User, person: Person, stage: int | None, reason: str = ""
) -> Relationship:
    """Set a person's ladder stage by hand (with a reason), or clear the override (None)."""
    require_librarian(by, to="change relationships")
    person = access_person(by, person.pk, for_write=True)
    reason = reason.strip()
    if stage is not None:
        if stage not in Stage.values:
            raise Invalid("Choose a stage on the ladder.", {"stage": ["Unknown stage."]})
        if not reason:
            raise Invalid(
                "Say why you are setting the stage by hand; the reason is kept with it.",
                {"reason": ["Required when setting a stage."]},
            )
    refresh([person.pk])
    rel = Relationship.objects.select_for_update().get(person=person)
    before = {"stage": rel.stage, "stage_override": rel.stage_override, "reason": rel.stage_reason}
    rel.stage_override = stage
    rel.stage_reason = reason[:300] if stage is not None else ""
    rel.stage = rel.computed_stage if stage is None else stage
    rel.save(update_fields=["stage_override", "stage_reason", "stage"])
    refresh([person.pk])  # the cadence rules may depend on the stage
    after = {"stage": rel.stage, "stage_override": rel.stage_override, "reason": rel.stage_reason}
    record(
        actor=by,
        action="update",
        obj=person,
        summary=f"Stage set to {Stage(stage).label}" if stage is not None else "Stage by the rules",
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return rel


def _days(value: object, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        days = int(value)  # type: ignore[call-overload]
        whole = days == float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise Invalid(
            f"The {label} interval must be a whole number of days.",
            {f"{label}_days": ["A whole number."]},
        )
    if days < 1:
        raise Invalid(
            f"The {label} interval must be at least one day; clear both to have no cadence.",
            {f"{label}_days": ["At least 1."]},
        )
    if days > MAX_CADENCE_DAYS:
        raise Invalid(
            f"{days} days is more than two years; use at most {MAX_CADENCE_DAYS} days.",
            {f"{label}_days": [f"At most {MAX_CADENCE_DAYS}."]},
        )
    return days


def check_cadence(ideal: object, maximum: object) -> tuple[int | None, int | None]:
    ideal_days, max_days = _days(ideal, "ideal"), _days(maximum, "max")
    if (ideal_days is None) != (max_days is None):
        raise Invalid(
            "Give both an ideal and a maximum interval, or neither.",
            {"max_days" if max_days is None else "ideal_days": ["Required with the other."]},
        )
    if ideal_days is not None and max_days is not None and max_days < ideal_days:
        raise Invalid(
            "The maximum interval cannot be shorter than the ideal one.",
            {"max_days": [f"At least {ideal_days}."]},
        )
    return ideal_days, max_days


@transaction.atomic
def set_cadence(
    *, by: User, person: Person, ideal_days: object, max_days: object, reason: str = ""
) -> PersonCadence:
    """Keep in touch with this person every `ideal_days`, and never less than every
    `max_days`; both empty means no cadence for this person, whatever the rules say."""
    require_librarian(by, to="change relationships")
    person = access_person(by, person.pk, for_write=True)
    ideal, maximum = check_cadence(ideal_days, max_days)
    cadence, _ = PersonCadence.objects.get_or_create(person=person)
    before = {
        "ideal_days": cadence.ideal_days,
        "max_days": cadence.max_days,
        "reason": cadence.reason,
    }
    cadence.ideal_days, cadence.max_days = ideal, maximum
    cadence.reason, cadence.set_by = reason.strip()[:300], by
    cadence.save()
    refresh([person.pk])
    after = {"ideal_days": ideal, "max_days": maximum, "reason": cadence.reason}
    record(
        actor=by,
        action="update",
        obj=person,
        summary="Cadence set",
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return cadence


@transaction.atomic
def clear_cadence(*, by: User, person: Person) -> None:
    """Go back to the cadence the rules give."""
    require_librarian(by, to="change relationships")
    person = access_person(by, person.pk, for_write=True)
    cadence = PersonCadence.objects.filter(person=person).first()
    if cadence is not None:
        before = {"ideal_days": cadence.ideal_days, "max_days": cadence.max_days}
        cadence.delete()
        refresh([person.pk])
        record(
            actor=by,
            action="update",
            obj=person,
            summary="Cadence back to the rules",
            changes={**{k: [v, None] for k, v in before.items()}, "reason": [cadence.reason, ""]},
        )


@transaction.atomic
def snooze(
    *, by: User, person: Person, until: dt.date, reason: str = "", today: dt.date | None = None
) -> Snooze:
    """Keep this person off my Today page until `until` (that day they come back)."""
    require_librarian(by, to="change relationships")
    person = access_person(by, person.pk, for_write=True)
    today = today or timezone.localdate()
    if until <= today:
        raise Invalid("Snooze until a day after today.", {"until": ["Must be after today."]})
    if until > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise Invalid(
            "Snooze for at most a year; set a longer cadence instead.",
            {"until": ["At most a year ahead."]},
        )
    item, _ = Snooze.objects.update_or_create(
        user=by, person=person, defaults={"until": until, "reason": reason.strip()[:300]}
    )
    record(
        actor=by,
        action="update",
        obj=person,
        summary=f"Snoozed until {until:%d %b %Y}",
        changes={"snoozed_until": [None, until.isoformat()], "reason": [None, item.reason]},
    )
    return item


@transaction.atomic
def unsnooze(*, by: User, person: Person) -> None:
    require_librarian(by, to="change relationships")
    person = access_person(by, person.pk)
    deleted, _ = Snooze.objects.filter(user=by, person=person).delete()
    if deleted:
        record(actor=by, action="update", obj=person, summary="Snooze ended", changes={})


# Cadence rules (administrators)

RULE_FIELDS = ["name", "position", "group", "role", "status", "min_stage", "ideal_days"]
RULE_FIELDS += ["max_days", "active"]
MAX_RULE_POSITION = 32_767  # the column is a small integer


def _clean_rule(fields: dict[str, Any]) -> dict[str, Any]:
    """The rule's fields, checked; raises Invalid with a message per field."""
    name = str(fields.get("name") or "").strip()
    if not name:
        raise Invalid("Give the rule a name.", {"name": ["Required."]})
    ideal, maximum = check_cadence(fields.get("ideal_days"), fields.get("max_days"))
    if ideal is None or maximum is None:
        raise Invalid(
            "A rule needs an ideal and a maximum interval.",
            {"ideal_days": ["Required."], "max_days": ["Required."]},
        )
    position = fields.get("position")
    if not isinstance(position, int) or not 0 <= position <= MAX_RULE_POSITION:
        raise Invalid(
            f"The position is a number from 0 to {MAX_RULE_POSITION}; lower is tried first.",
            {"position": [f"From 0 to {MAX_RULE_POSITION}."]},
        )
    status = fields.get("status") or ""
    if status and status not in Status.values:
        raise Invalid("Choose a status from the list.", {"status": ["Unknown status."]})
    min_stage = fields.get("min_stage")
    if min_stage is not None and min_stage not in Stage.values:
        raise Invalid("Choose a stage on the ladder.", {"min_stage": ["Unknown stage."]})
    return {
        "name": name[:100],
        "position": position,
        "group": fields.get("group"),
        "role": str(fields.get("role") or "").strip()[:100],
        "status": status,
        "min_stage": min_stage,
        "ideal_days": ideal,
        "max_days": maximum,
        "active": bool(fields.get("active", True)),
    }


@transaction.atomic
def create_rule(
    *,
    by: User,
    name: str,
    ideal_days: object,
    max_days: object,
    position: int = 100,
    group: Group | None = None,
    role: str = "",
    status: str = "",
    min_stage: int | None = None,
    active: bool = True,
) -> CadenceRule:
    """Add a cadence rule; the first active rule by position that matches a person wins."""
    require_admin(by, to="change the cadence rules (librarians may read them)")
    values = _clean_rule(
        {
            "name": name,
            "position": position,
            "group": group,
            "role": role,
            "status": status,
            "min_stage": min_stage,
            "ideal_days": ideal_days,
            "max_days": max_days,
            "active": active,
        }
    )
    rule = CadenceRule.objects.create(**values)
    refresh_cadences()
    record(
        actor=by,
        action="create",
        obj=rule,
        summary=f"Cadence rule {rule.name} added",
        changes=snapshot(rule, RULE_FIELDS),
    )
    return rule


@transaction.atomic
def update_rule(*, by: User, rule: CadenceRule, **changes: Any) -> CadenceRule:
    """Change a rule's fields (any of RULE_FIELDS); deactivating is `active=False`."""
    rule = access_rule(by, rule.pk, for_write=True)
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise Invalid(f"Cadence rules have no field {', '.join(sorted(unknown))}.")
    before = snapshot(rule, RULE_FIELDS)
    values = _clean_rule({**{name: getattr(rule, name) for name in RULE_FIELDS}, **changes})
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    refresh_cadences()
    changed = diff(before, snapshot(rule, RULE_FIELDS))
    if changed:
        record(
            actor=by,
            action="update",
            obj=rule,
            summary=f"Cadence rule {rule.name} changed",
            changes=changed,
        )
    return rule
