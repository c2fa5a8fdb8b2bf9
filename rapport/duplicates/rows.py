"""The rows a merge moves: every foreign key to a person, found from the models, and the rule
for each unique constraint that allows a row once per person.

`move_rows` moves the merged person's rows to the survivor and notes what it did; `put_back`
reverses exactly that. Rows set aside are kept whole in the note, in the form Django's "python"
deserialiser reads back (with full-precision times, which Django's JSON encoder would cut).
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import models
from django.db.models import Model, UniqueConstraint

from rapport.concurrency import next_version
from rapport.errors import Invalid
from rapport.people.models import Person

#: Derived rows, recomputed for both people by `refresh`; never moved.
DERIVED = {"relationships.relationship"}
#: When both have a row a unique constraint allows once, which one is set aside. The default:
#: the merged person's. Matches keep the one further along (a sent item stays sent); snoozes
#: keep the later end.
MATCH_RANK = {"suggested": 0, "rejected": 1, "approved": 2, "sent": 3}


def person_links() -> list[tuple[type[Model], models.ForeignKey]]:
    """Every foreign key to Person outside this app, link tables of many-to-manys included."""
    links = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "duplicates":
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Person:
                links.append((model, field))
    return links


def _plain(value: Any) -> Any:
    """A JSON-ready value that loses nothing (Django's JSON encoder drops microseconds)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def dump(rows: list[Model], fields: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts the "python" deserialiser reads back exactly."""
    out = serializers.serialize("python", rows, fields=fields)
    return [{**row, "fields": {k: _plain(v) for k, v in row["fields"].items()}} for row in out]


def _attname(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def unique_sets(model: type[Model], field: models.ForeignKey) -> list[tuple[list[str], Any]]:
    """The other columns that, with this one, a unique constraint allows once; and its
    condition, if the constraint has one."""
    sets = []
    groups: list[tuple[list[str], Any]] = [(list(n), None) for n in model._meta.unique_together]
    groups += [
        (list(c.fields), c.condition)
        for c in model._meta.constraints
        if isinstance(c, UniqueConstraint) and c.fields
    ]
    for names, condition in groups:
        if field.name in names:
            others = [_attname(model, n) for n in names if n != field.name]
            if others:
                sets.append((others, condition))
    return sets


def _loser(label: str, model: type[Model], theirs: int, mine: int) -> int:
    """Which of two clashing rows is set aside: the merged person's, unless the rule for its
    table says the survivor's is the lesser one."""
    rows: dict[Any, Any] = model._base_manager.in_bulk([theirs, mine])
    if label == "awareness.match":
        if MATCH_RANK.get(rows[theirs].status, 0) > MATCH_RANK.get(rows[mine].status, 0):
            return mine
    elif label == "relationships.snooze" and rows[theirs].until > rows[mine].until:
        return mine
    return theirs


def _set_aside(model: type[Model], pks: list[int]) -> list[dict]:
    """Delete rows after keeping them whole; refuse if anything else points at them."""
    for rel in model._meta.related_objects:
        related: Any = rel.related_model
        if related._base_manager.filter(**{f"{rel.field.name}__in": pks}).exists():
            raise Invalid(
                f"These people cannot be merged automatically: their {model._meta.verbose_name} "
                "rows clash and are in use elsewhere."
            )
    kept = dump(list(model._base_manager.filter(pk__in=pks).order_by("pk")))
    model._base_manager.filter(pk__in=pks).delete()
    return kept


def move_rows(keep: Person, merge: Person, log: dict[str, list]) -> None:
    """Move every row pointing at `merge` to `keep`, noting in `log` the ids moved ("moved"),
    the rows set aside whole ("deleted") and the one-per-person rows left behind ("stayed")."""
    for model, field in person_links():
        label = model._meta.label_lower
        if label in DERIVED:
            continue
        base = model._base_manager
        theirs = base.filter(**{field.attname: merge.pk})
        if model is Person:
            theirs = theirs.exclude(pk=keep.pk)  # the survivor's own referrer is a choice
        ids = list(theirs.order_by("pk").values_list("pk", flat=True))
        if not ids:
            continue
        if field.unique and base.filter(**{field.attname: keep.pk}).exists():
            log["stayed"].append({"model": label, "pks": ids})
            continue
        aside: set[int] = set()
        for others, condition in unique_sets(model, field):
            scope = base.filter(condition) if condition is not None else base
            mine = {
                tuple(row[1:]): row[0]
                for row in scope.filter(**{field.attname: keep.pk}).values_list("pk", *others)
            }
            for pk, *values in scope.filter(pk__in=ids).values_list("pk", *others):
                if tuple(values) in mine:
                    aside.add(_loser(label, model, pk, mine[tuple(values)]))
        if aside:
            log["deleted"].extend(_set_aside(model, sorted(aside)))
        moving = [pk for pk in ids if pk not in aside]
        base.filter(pk__in=moving).update(**{field.attname: keep.pk})
        moved = [keep.pk] if field.primary_key else moving
        if moved:
            log["moved"].append({"model": label, "field": field.attname, "pks": moved})


def put_back(keep: Person, merged: Person, log: dict[str, list]) -> None:
    """Undo `move_rows`: move back what moved (if still with the survivor), then restore what
    was set aside. May raise IntegrityError when later changes clash."""
    for entry in reversed(log["moved"]):
        model = apps.get_model(entry["model"])
        model._base_manager.filter(pk__in=entry["pks"], **{entry["field"]: keep.pk}).update(
            **{entry["field"]: merged.pk}
        )
    for obj in serializers.deserialize("python", log["deleted"]):
        obj.save()


def bump_versions(log: dict[str, list]) -> None:
    """Count an edit on every versioned row that a merge (or its undo) changed besides the two
    people: people whose referrer moved, touchpoints and requests whose people did. Forms and
    ETags opened on them before are then stale (rapport/concurrency.py)."""
    targets: dict[type[Model], set[Any]] = {}
    for entry in [*log["moved"], *log["deleted"]]:
        model = apps.get_model(entry["model"])
        pks = entry["pks"] if "pks" in entry else [entry["pk"]]
        if _versioned(model):
            targets.setdefault(model, set()).update(pks)
        for field in model._meta.concrete_fields:
            target = field.related_model
            if not field.many_to_one or target is Person or not _versioned(target):
                continue
            if "fields" in entry:  # a row set aside, kept whole
                ids = {entry["fields"][field.name]}
            else:
                rows = model._base_manager.filter(pk__in=pks)
                ids = set(rows.values_list(field.attname, flat=True))
            targets.setdefault(target, set()).update(ids - {None})
    for model, ids in targets.items():
        model._base_manager.filter(pk__in=ids).update(version=next_version())


def _versioned(model: Any) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)
