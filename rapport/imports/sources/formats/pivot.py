"""Long exports (one row per answered field) pivoted to one row per transaction, streamed.

A first pass learns the field names (they become columns) and whether each transaction's rows
are adjacent, by writing one line per run of rows to a temporary SQLite file and comparing
runs with distinct ids. Adjacent files (the usual case) are then pivoted in one pass holding
one transaction at a time. Otherwise every row is spilled to the SQLite file and read back
grouped, ordered by each transaction's first row: memory stays bounded either way, and rows
come out in the order of their first source row (so a resumed import can skip by number).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby

from rapport.imports.sources.fields import fold
from rapport.imports.sources.table import RawRow, Table

MAX_FIELDS = 500  # distinct field names beyond this are kept in one "Other answers" column
BATCH = 1000  # rows per executemany: a bounded buffer
OTHER = "Other answers"


@contextmanager
def _scratch() -> Iterator[sqlite3.Connection]:
    """A throwaway SQLite file (deleted after use) tuned for bulk writes."""
    handle, path = tempfile.mkstemp(prefix="rapport-pivot-", suffix=".sqlite3")
    os.close(handle)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-8000")  # 8 MB at most
        yield connection
    finally:
        connection.close()
        os.unlink(path)


@dataclass
class PivotTable(Table):
    source: Table | None = None
    ids: str = ""
    field_column: str = ""
    value_column: str = ""
    fixed: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # field name as in file → column
    adjacent: bool = True

    def rows(self) -> Iterator[RawRow]:
        assert self.source is not None
        if self.adjacent:
            groups: Iterable[list[RawRow]] = _adjacent_groups(self.source.rows(), self.ids)
            yield from (self._merge(g) for g in groups)
            return
        with _scratch() as db:
            yield from (self._merge(g) for g in _spilled_groups(db, self.source.rows(), self.ids))

    def _merge(self, rows: list[RawRow]) -> RawRow:
        first = rows[0]
        values = {column: first.values.get(column, "") for column in self.fixed}
        for column in self.names.values():
            values.setdefault(column, "")
        problems = list(first.problems)
        if not first.values.get(self.ids):
            problems.append(f"has no {self.ids}, so it stands alone")
        for row in rows:
            if row is not first:
                problems.extend(f"(row {row.number}) {p}" for p in row.problems)
                for column in self.fixed:
                    theirs = row.values.get(column, "")
                    if theirs and theirs != values[column]:
                        if not values[column]:
                            values[column] = theirs
                            continue
                        problems.append(
                            f"rows {first.number} and {row.number} of {self.ids} "
                            f"{first.values.get(self.ids)} differ in '{column}' "
                            f"('{values[column]}', '{theirs}'): kept the first"
                        )
            name = row.values.get(self.field_column, "")
            answer = row.values.get(self.value_column, "")
            if not name and not answer:
                continue
            column = self.names.get(name, OTHER)
            if column == OTHER:
                answer = f"{name}: {answer}" if name else answer
            if values.get(column):
                if answer and answer not in values[column].split("; "):
                    values[column] = f"{values[column]}; {answer}"
            else:
                values[column] = answer
        return RawRow(first.number, values, problems)


def pivot_long(table: Table, *, ids: str, field: str, value: str) -> PivotTable:
    """Scan the long table once: its field names and whether transactions are adjacent."""
    fixed = [h for h in table.headers if h not in (field, value)]
    taken = {fold(h) for h in fixed}
    names: dict[str, str] = {}
    overflow = False
    runs = 0
    previous: object = object()
    with _scratch() as db:
        db.execute("CREATE TABLE runs (txn TEXT)")
        batch: list[tuple[str]] = []
        for row in table.rows():
            name = row.values.get(field, "")
            if name and name not in names:
                if len(names) >= MAX_FIELDS:
                    overflow = True
                else:
                    column = name if fold(name) not in taken else f"{name} (answer)"
                    taken.add(fold(column))
                    names[name] = column
            txn = row.values.get(ids, "") or f"\x00{row.number}"
            if txn != previous:
                runs += 1
                previous = txn
                batch.append((txn,))
                if len(batch) >= BATCH:
                    db.executemany("INSERT INTO runs VALUES (?)", batch)
                    batch.clear()
        db.executemany("INSERT INTO runs VALUES (?)", batch)
        distinct = db.execute("SELECT COUNT(DISTINCT txn) FROM runs").fetchone()[0]
    headers = fixed + list(names.values()) + ([OTHER] if overflow else [])
    warnings = table.warnings
    if distinct != runs:
        note = (
            f"Some transactions' rows are not next to each other in the file; they were "
            f"gathered by {ids} ({distinct} transactions)."
        )
        if note not in warnings:
            warnings.append(note)
    if overflow:
        note = f"More than {MAX_FIELDS} different questions: the rest are kept in '{OTHER}'."
        if note not in warnings:
            warnings.append(note)
    return PivotTable(
        path=table.path,
        headers=headers,
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheets=table.sheets,
        sheet=table.sheet,
        warnings=warnings,
        skip=table.skip,
        source=table,
        ids=ids,
        field_column=field,
        value_column=value,
        fixed=fixed,
        names=names,
        adjacent=distinct == runs,
    )


def _adjacent_groups(rows: Iterable[RawRow], ids: str) -> Iterator[list[RawRow]]:
    for _, group in groupby(rows, key=lambda r: r.values.get(ids, "") or f"\x00{r.number}"):
        yield list(group)


def _spilled_groups(
    db: sqlite3.Connection, rows: Iterable[RawRow], ids: str
) -> Iterator[list[RawRow]]:
    db.execute("CREATE TABLE rows (txn TEXT, number INTEGER, data TEXT)")
    batch: list[tuple[str, int, str]] = []
    for row in rows:
        txn = row.values.get(ids, "") or f"\x00{row.number}"
        batch.append((txn, row.number, json.dumps([row.values, row.problems])))
        if len(batch) >= BATCH:
            db.executemany("INSERT INTO rows VALUES (?, ?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO rows VALUES (?, ?, ?)", batch)
    db.execute("CREATE INDEX rows_txn ON rows (txn, number)")
    cursor = db.execute(
        "SELECT r.txn, r.number, r.data FROM rows r"
        " JOIN (SELECT txn, MIN(number) AS first FROM rows GROUP BY txn) g ON g.txn = r.txn"
        " ORDER BY g.first, r.number"
    )
    for _, group in groupby(cursor, key=lambda line: line[0]):
        members = []
        for _, number, data in group:
            values, problems = json.loads(data)
            members.append(RawRow(number, values, problems))
        yield members
