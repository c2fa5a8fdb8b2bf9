"""Small SQL helpers for the bulk write path: portable across SQLite and PostgreSQL."""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

from rapport.search.documents import Document

IN_BATCH = 500  # parameters per IN (…) list: well under every backend's limit


def batches(values: Sequence[Any], size: int = IN_BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def select_in(sql: str, column_values: Iterable[Any], *params: Any) -> list[tuple]:
    """Run `sql` (which ends in `IN ({marks})`) over the values in batches; all rows found.
    `params` come before the IN list."""
    values = list(dict.fromkeys(column_values))
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for batch in batches(values):
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(sql.format(marks=marks), [*params, *batch])
            found.extend(cursor.fetchall())
    return found


def insert_ignore(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """INSERT the rows, leaving out any that break a unique constraint; how many went in."""
    if not rows:
        return 0
    cols = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        count = cursor.rowcount
    # Some drivers report -1 for executemany; the callers then count by reading back.
    return count if count is not None and count >= 0 else -1


def sqlite_adapt_datetime(value):
    """What Django's SQLite backend stores for an aware datetime, without its per-call checks."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


@contextmanager
def search_index_after(document: Document) -> Iterator[Callable[[int], None]]:
    """On SQLite, index a bulk insert's rows in one statement instead of one trigger per row
    (ten times faster): the insert trigger is dropped and recreated, unchanged, inside the
    caller's transaction, so no other connection ever sees it missing (SQLite has one writer
    at a time, and the schema change commits or rolls back with the rows). Yields a function
    to call with the highest id before the insert. Elsewhere it does nothing (PostgreSQL
    indexes an expression)."""
    trigger = f"{document.fts}_ai"
    sql = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s "
                "AND tbl_name = %s",
                [trigger, document.table],
            )
            found = cursor.fetchone()
        sql = found[0] if found else None
    if sql is None:
        yield lambda after: None
        return
    cols = ", ".join(document.columns)

    def index(after: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {document.fts}(rowid, {cols}) SELECT id, {cols} "
                f"FROM {document.table} WHERE id > %s",
                [after],
            )

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {trigger}")
    try:
        yield index
    finally:
        with connection.cursor() as cursor:
            cursor.execute(sql)


def max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return int(cursor.fetchone()[0])
