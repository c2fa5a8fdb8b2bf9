"""Desk Tracker (Compendium): transaction exports, wide and long.

The wide export has one row per transaction: its id, date and time, desk, user, then one
column per question on the desk's form (patron type, question type, contact method, duration,
READ scale, notes…). The long export has one row per answered question: the transaction's
columns repeated, then "Question" (the form field) and "Response" (what was chosen or typed).
The long one is pivoted back to one row per transaction (see pivot.py), whose columns are then
read like the wide export's; a question answered twice in a transaction keeps both answers.
"""

from __future__ import annotations

from collections.abc import Iterator

from rapport.imports.sources.apply import Converter, Row, decide_date_order
from rapport.imports.sources.fields import fold
from rapport.imports.sources.formats.base import Format
from rapport.imports.sources.formats.pivot import PivotTable, pivot_long
from rapport.imports.sources.guess import Sample
from rapport.imports.sources.mapping import Mapping
from rapport.imports.sources.table import Table, Unreadable

TRANSACTION = ("Transaction ID", "Transaction", "Entry ID", "Record ID", "ID")
FIELD = ("Question", "Field", "Form Question")
RESPONSE = ("Response", "Value", "Answer Value")

COLUMNS = {
    "external_id": TRANSACTION,
    "occurred_at": ("Date+Time", "Date/Time", "Timestamp", "Date Time", "Date"),
    "location": ("Desk", "Service Desk", "Location"),
    "staff": ("User", "Staff", "Username", "Initials"),
    "person_status": ("Patron Type", "Patron Status", "User Type", "Patron"),
    "topic": ("Question Type", "Type of Question", "Category", "Topic"),
    "channel": ("Contact Method", "Contact Type", "Method", "Format", "Mode"),
    "minutes": ("Duration", "Time Spent", "Minutes", "Length"),
    "read_level": ("READ Scale", "READ", "READ Level"),
    "question": ("Question Text", "Question Asked", "Query"),
    "answer": ("Notes", "Comments", "Answer"),
}
VALUES = {"channel": {"Walk-up": "in_person", "Roving": "in_person", "Text": "chat"}}

DESK_TRACKER = Format(
    name="desktracker",
    label="Desk Tracker transactions (one row each)",
    required=("Desk", "User"),
    typical=("Transaction ID", "Date", "Time", "Patron Type", "Question Type", "Duration"),
    excluded=("Response",),
    columns=dict(COLUMNS),
    values=VALUES,
)


def _find(headers: list[str], names: tuple[str, ...]) -> str | None:
    by_fold = {fold(h): h for h in headers}
    return next((by_fold[fold(n)] for n in names if fold(n) in by_fold), None)


class DeskTrackerLong(Format):
    """The long export, read as one row per transaction."""

    def default_mapping(
        self, headers: list[str], samples: dict[str, Sample] | None = None
    ) -> Mapping:
        """For the file's own columns: the transaction's, never the question/response pair
        (their contents become columns of their own when the file is read)."""
        pair = {_find(headers, FIELD), _find(headers, RESPONSE)}
        mapping = DESK_TRACKER.default_mapping([h for h in headers if h not in pair], samples)
        mapping.columns.pop("details", None)
        return mapping

    def pivoted(self, table: Table) -> PivotTable:
        ids = _find(table.headers, TRANSACTION)
        field = _find(table.headers, FIELD)
        value = _find(table.headers, RESPONSE)
        if ids is None or field is None or value is None:
            raise Unreadable(
                "This is not a Desk Tracker export with one row per answer: it needs a "
                "Transaction ID, a Question and a Response column."
            )
        return pivot_long(table, ids=ids, field=field, value=value)

    def columns_of(self, table: Table) -> list[str]:
        """The transaction's columns, then one per question on the form (a pass over the file)."""
        return list(self.pivoted(table).headers)

    def rows(self, table: Table, mapping: Mapping) -> Iterator[Row]:
        pivot = self.pivoted(table)
        effective = self.effective_mapping(pivot.headers, mapping)
        order = decide_date_order(pivot, effective, rows=table.rows())
        convert = Converter(pivot.headers, effective, order=order, serials=table.is_xlsx)
        return convert.each(pivot.rows())

    def effective_mapping(self, headers: list[str], mapping: Mapping) -> Mapping:
        """The librarian's mapping, plus the usual guesses for the form's questions it does
        not place (those it names win)."""
        guessed = DESK_TRACKER.default_mapping(headers)
        taken = {c for cols in mapping.columns.values() for c in cols}
        columns = {k: list(v) for k, v in mapping.columns.items()}
        for name, cols in guessed.columns.items():
            if name != "details" and name not in columns and not taken.intersection(cols):
                columns[name] = cols
                taken.update(cols)
        values = {k: dict(v) for k, v in guessed.values.items()}
        for name, own in mapping.values.items():
            values.setdefault(name, {}).update(own)
        return Mapping(
            target=mapping.target,
            columns=columns,
            values=values,
            date_format=mapping.date_format,
            defaults=dict(mapping.defaults),
            tag_separator=mapping.tag_separator,
        )


DESK_TRACKER_LONG = DeskTrackerLong(
    name="desktracker_long",
    label="Desk Tracker transactions (one row per answer)",
    required=("Desk", "User", "Question", "Response"),
    typical=("Transaction ID", "Date", "Time"),
    columns=dict(COLUMNS),
    values=VALUES,
)
