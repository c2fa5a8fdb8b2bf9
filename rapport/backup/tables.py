"""Which tables a backup holds, in which order, and how each column's values travel.

Every table Django manages is found in the app registry, so apps added later are backed up
without a change here. Left out, on purpose:

- `django_session`: sign-ins are transient; after a restore everyone signs in again.
- `rapport_failed_sign_in`: the last 15 minutes of failed sign-ins (who tried, from where),
  kept only to throttle guessing; a restore starts with none.
- SQLite's full-text tables (`search_*`, not models): the search migration's triggers fill
  them as the rows go in, so they are rebuilt, never copied.

Values are written as JSON: text, numbers, booleans and JSON fields as they are; dates, times
and date-times as ISO 8601 (date-times with their UTC offset); decimals and UUIDs as text;
durations as microseconds; binary data as base64. So an archive reads the same on SQLite and
PostgreSQL, whichever wrote it.
"""

import base64
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

EXCLUDED = {
    "django_session": "sign-in sessions are transient: everyone signs in again after a restore",
    "rapport_failed_sign_in": "failed sign-ins are kept minutes, only to throttle guessing",
}

Codec = Callable[[Any], Any]


def backed_up(all_models: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    """The models whose tables a backup holds, parents before the tables that point at them."""
    chosen = {
        m._meta.db_table: m
        for m in all_models
        if m._meta.managed and not m._meta.proxy and m._meta.db_table not in EXCLUDED
    }
    return _in_dependency_order(chosen)


def _in_dependency_order(by_table: dict[str, type[models.Model]]) -> list[type[models.Model]]:
    """Tables sorted so that each comes after the tables its foreign keys point at (a cycle,
    such as a table pointing at itself, is broken by name order: checks are deferred)."""
    needs = {
        table: {
            f.related_model._meta.db_table
            for f in model._meta.concrete_fields
            if f.is_relation and not isinstance(f.related_model, str | None)
        }
        & set(by_table) - {table}
        for table, model in by_table.items()
    }
    ordered: list[str] = []
    done: set[str] = set()
    while len(ordered) < len(by_table):
        ready = sorted(t for t in by_table if t not in done and needs[t] <= done)
        if not ready:  # a cycle between tables: take the first by name
            ready = [min(t for t in by_table if t not in done)]
        for table in ready:
            ordered.append(table)
            done.add(table)
    return [by_table[t] for t in ordered]


def columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _target(field: Any) -> Any:
    """The field whose values a column holds: a foreign key's target, else itself."""
    return field.target_field if field.is_relation else field


def _kind(field: models.Field) -> str:
    return str(_target(field).get_internal_type())


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _micro(value: Any) -> Any:
    return None if value is None else value // dt.timedelta(microseconds=1)


def _b64(value: Any) -> Any:
    return None if value is None else base64.b64encode(bytes(value)).decode("ascii")


def _nullable(parse: Callable[[Any], Any]) -> Codec:
    return lambda value: None if value is None else parse(value)


ENCODERS: dict[str, Codec] = {
    "DateTimeField": _iso,
    "DateField": _iso,
    "TimeField": _iso,
    "DecimalField": _text,
    "UUIDField": _text,
    "DurationField": _micro,
    "BinaryField": _b64,
}
DECODERS: dict[str, Codec] = {
    "DateTimeField": _nullable(dt.datetime.fromisoformat),
    "DateField": _nullable(dt.date.fromisoformat),
    "TimeField": _nullable(dt.time.fromisoformat),
    "DecimalField": _nullable(decimal.Decimal),
    "UUIDField": _nullable(uuid.UUID),
    "DurationField": _nullable(lambda v: dt.timedelta(microseconds=v)),
    "BinaryField": _nullable(base64.b64decode),
}
# What needs the database's own adaptation on the way in (the rest goes in as JSON gave it).
ADAPTED = {*DECODERS, "JSONField"}


def encoders(model: type[models.Model]) -> list[Codec | None]:
    """Per column, the function that makes its value JSON (None: already is)."""
    return [ENCODERS.get(_kind(f)) for f in model._meta.concrete_fields]


def decoder(field: models.Field, connection: Any) -> Codec | None:
    """The function that turns a column's JSON value into a query parameter for this
    database (None: the value goes in as it is)."""
    kind = _kind(field)
    if kind not in ADAPTED:
        return None
    fast = FAST.get((connection.vendor, kind), _NO_FAST)
    if fast is not _NO_FAST:
        return fast
    parse = DECODERS.get(kind, lambda v: v)
    target = _target(field)

    def adapt(value: Any) -> Any:
        if value is None:
            return None
        return target.get_db_prep_save(parse(value), connection)

    return adapt


def _sqlite_datetime(value: Any) -> Any:
    """What Django stores on SQLite: the UTC time as `YYYY-MM-DD HH:MM:SS[.ffffff]`."""
    if value is None:
        return None
    if value.endswith("+00:00"):
        return value[:-6].replace("T", " ", 1)
    return str(dt.datetime.fromisoformat(value).astimezone(dt.UTC).replace(tzinfo=None))


def _sqlite_json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


_NO_FAST: Codec = lambda value: value  # noqa: E731  (a marker, never called)
#: Shortcuts for the columns of a large table, where Django's own per-value preparation would
#: cost more than the insert; each gives the very value Django would store. None: as it is.
FAST: dict[tuple[str, str], Codec | None] = {
    ("sqlite", "DateTimeField"): _sqlite_datetime,
    ("sqlite", "DateField"): None,  # stored as the ISO text the archive holds
    ("sqlite", "JSONField"): _sqlite_json,
    ("postgresql", "DateTimeField"): DECODERS["DateTimeField"],
}
