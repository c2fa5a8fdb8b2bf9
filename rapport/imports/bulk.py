"""Small SQL helpers for the bulk write path: portable across SQLite and PostgreSQL."""

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection

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


def insert_ignore(table: str, columns: Sequence[str], rows: list[tuple]) -> int:
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
