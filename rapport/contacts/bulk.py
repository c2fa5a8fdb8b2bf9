"""Fast inserts for an import of many new people: ids allocated up front, rows written with
`executemany` (Django's `bulk_create` compiles every value through the ORM, several times
slower at 100,000 people), and new people's relationship rows copied from the first one's.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from django.db import connection, models

from rapport.contacts.models import CardKey
from rapport.people.models import Person
from rapport.relationships.models import Relationship
from rapport.relationships.services import refresh

# SQLite before 3.32 allows 999 parameters in one statement; stay under it everywhere.
ID_CHUNK = 900


def _allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` fresh primary keys. Called inside the import's transaction: on SQLite that holds
    the write lock (IMMEDIATE), so nobody else can take the same ids; PostgreSQL hands them
    out from the table's sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # AUTOINCREMENT tables never reuse an id, even of a deleted row: start past both.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + n + 1))


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value reaches the database; None where the Python value is what SQL gets."""
    kind = field.get_internal_type()
    if kind in {"CharField", "TextField", "EmailField", "ForeignKey"} or kind.endswith(
        "IntegerField"
    ):
        return None
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection=connection)


def insert(objs: Sequence[models.Model], now: dt.datetime) -> None:
    """Insert new rows of one model with explicit ids (set on the objects)."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(objs, _allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
        for name in stamped:
            setattr(obj, name, now)
    values = attrgetter("pk", *(f.attname for f in fields))
    converted = [(i, conv) for i, f in enumerate(fields, 1) if (conv := _converter(f))]
    rows = []
    for obj in objs:
        row = list(values(obj))
        for i, conv in converted:
            row[i] = conv(row[i])
        rows.append(row)
    pk_name = model._meta.pk.column  # type: ignore[union-attr]
    columns = ", ".join([pk_name, *(f.column for f in fields)])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks})", rows)
    for obj in objs:
        obj._state.adding = False


def add_contacts(person_ids: list[int], user_id: int) -> None:
    """The importer becomes a contact of each new person, as `create_person` does."""
    through = Person.contacts.through
    table = through._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (person_id, user_id) VALUES (%s, %s)",
            [(pk, user_id) for pk in person_ids],
        )


def add_keys(keys: list[tuple[str, int]]) -> None:
    """Remember card keys for later imports; a key already known stays with its person."""
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {CardKey._meta.db_table} (key, person_id) VALUES (%s, %s) "
            "ON CONFLICT (key) DO NOTHING",
            keys,
        )


def new_relationships(person_ids: list[int]) -> None:
    """Relationship rows for new people, exactly as `refresh` writes them.

    New people from an import are alike in everything their relationship state depends on:
    no touchpoints or referrals, the default status, no memberships, no stage override and no
    own cadence. So the first one goes through `refresh` (the one definition of that state)
    and the rest get a copy of its row, in SQL. `rapport refresh` gives the same answer; the
    tests check that.
    """
    if not person_ids:
        return
    first, rest = person_ids[0], person_ids[1:]
    refresh([first])
    columns = [f.column for f in Relationship._meta.concrete_fields if f.column != "person_id"]
    names = ", ".join(columns)
    picked = ", ".join(f"r.{c}" for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(rest), ID_CHUNK):
            chunk = rest[start : start + ID_CHUNK]
            cursor.execute(
                f"INSERT INTO {Relationship._meta.db_table} (person_id, {names}) "
                f"SELECT p.id, {picked} FROM {Person._meta.db_table} p, "
                f"{Relationship._meta.db_table} r WHERE r.person_id = %s "
                f"AND p.id IN ({', '.join(['%s'] * len(chunk))})",
                [first, *chunk],
            )
