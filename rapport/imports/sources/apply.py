"""Raw rows + a mapping → canonical rows: typed values, errors that stop a row, warnings that
do not, and a key that is the same every time the same file is read.

A mapping is compiled once per read into plain lists and memoised lookups, so the work per row
is a few dict operations per field; see benchmarks/import_reading.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from rapport.imports.sources.choices import ChoiceLookup
from rapport.imports.sources.fields import FIELDS_FOR, FieldSpec
from rapport.imports.sources.mapping import Mapping
from rapport.imports.sources.table import RawRow, Table
from rapport.imports.sources.values import (
    memo,
    numeric_order_evidence,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_orcid,
    parse_read_level,
    parse_time,
)

PRESCAN_ROWS = 10_000  # rows whose dates decide day-first or month-first
LIMITS = {"topic": 300, "job_title": 200, "outcome": 300}
JOINERS = {"question": "\n\n", "answer": "\n\n", "notes": "\n\n", "details": "\n"}


@dataclass(slots=True)
class Row:
    number: int
    fields: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key: str = ""


def apply_mapping(table: Table, mapping: Mapping) -> Iterator[Row]:
    """Canonical rows for every row of the table. Decides the date order first (from up to
    PRESCAN_ROWS rows) and notes the decision in `table.warnings`."""
    order = decide_date_order(table, mapping)
    convert = Converter(table.headers, mapping, order=order, serials=table.is_xlsx)
    return convert.each(table.rows())


def decide_date_order(table: Table, mapping: Mapping, rows: Iterable[RawRow] | None = None) -> str:
    """'dmy' or 'mdy' for numeric dates such as 05/03/2024, decided from the values when the
    mapping's date format is "auto" (and said in table.warnings)."""
    if mapping.date_format in ("dmy", "mdy"):
        return mapping.date_format
    columns = mapping.columns.get("occurred_at") or []
    fallback = "mdy" if str(settings.TIME_ZONE).startswith("America/") else "dmy"
    if mapping.date_format != "auto" or not columns or columns[0] not in table.headers:
        return fallback
    column = columns[0]
    counts = {"dmy": 0, "mdy": 0}
    examples: dict[str, str] = {}
    numeric = 0
    source = table.rows() if rows is None else rows
    for raw in islice(source, PRESCAN_ROWS):
        text = raw.values.get(column, "")
        if not text or not text[:1].isdigit() or text[4:5] == "-":
            continue
        numeric += 1
        found = numeric_order_evidence(text)
        if found:
            counts[found] += 1
            examples.setdefault(found, text)
    names = {"dmy": "day first (05/03/2024 is 5 March)", "mdy": "month first (05/03/2024 is May 3)"}
    if counts["dmy"] and counts["mdy"]:
        order = "dmy" if counts["dmy"] >= counts["mdy"] else "mdy"
        other = "mdy" if order == "dmy" else "dmy"
        note = (
            f"Dates in '{column}' are mixed: {counts['dmy']} can only be day first (such as "
            f"'{examples['dmy']}') and {counts['mdy']} only month first (such as "
            f"'{examples['mdy']}'). Read as {names[order]}; the {counts[other]} others are "
            "reported as errors."
        )
    elif counts["dmy"] or counts["mdy"]:
        order = "dmy" if counts["dmy"] else "mdy"
        note = (
            f"Dates in '{column}' read {names[order]}, as values such as '{examples[order]}' show."
        )
    elif numeric:
        order = fallback
        note = (
            f"Dates in '{column}' could be day first or month first; read {names[order]}. "
            "Choose the date format if that is wrong."
        )
    else:
        return fallback
    if note not in table.warnings:
        table.warnings.append(note)
    return order


def content_key(values: dict[str, str]) -> str:
    """A stable hash of a raw row's cells, for sources without their own ids."""
    text = "\x1f".join(values.values())
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class Converter:
    """One mapping compiled for one file's headers: call it on a RawRow to get a Row."""

    def __init__(
        self, headers: list[str], mapping: Mapping, *, order: str = "dmy", serials: bool = False
    ) -> None:
        self.mapping = mapping
        self.target = mapping.target if mapping.target in FIELDS_FOR else "touchpoints"
        specs = FIELDS_FOR[self.target]
        known = set(headers)
        self.columns = {
            name: [c for c in cols if c in known]
            for name, cols in mapping.columns.items()
            if name in specs and name != "details"
        }
        mapped = {c for cols in self.columns.values() for c in cols}
        explicit = [c for c in mapping.columns.get("details", []) if c in known]
        self.details_columns = explicit or [h for h in headers if h not in mapped]
        self.text: list[tuple[str, str]] = []
        self.joined: list[tuple[str, list[str], str]] = []
        self.choices: list[tuple[str, str, ChoiceLookup]] = []
        self.typed: list[tuple[str, list[str], Callable[[str], Any], str]] = []
        for name, cols in self.columns.items():
            spec = specs[name]
            if not cols or spec.type == "datetime":
                continue
            if spec.type == "choice":
                self.choices.append((name, cols[0], ChoiceLookup(name, spec, mapping)))
            elif spec.type in ("read", "minutes", "tags", "emails") or name in (
                "person_email", "email", "orcid",
            ):  # fmt: skip
                self.typed.append((name, cols, self._parser(name, spec), spec.label))
            elif len(cols) == 1:
                self.text.append((name, cols[0]))
            else:
                self.joined.append((name, cols, JOINERS.get(name, " ")))
        self.when = self.columns.get("occurred_at", [])
        self.order, self.serials = order, serials
        self.parse_when = memo(self._when_parser())
        self.parse_clock = memo(parse_time)
        self.zone = ZoneInfo(str(settings.TIME_ZONE))
        self.defaults = self._typed_defaults(specs)
        self.seen: set[str] = set()
        self.repeats: dict[str, int] = {}

    def _parser(self, name: str, spec: FieldSpec) -> Callable[[str], Any]:
        if spec.type == "read":
            return memo(parse_read_level)
        if spec.type == "minutes":
            return memo(parse_minutes)
        if spec.type == "tags":
            return self._split_tags
        if spec.type == "emails":
            return _split_emails
        if name == "orcid":
            return parse_orcid
        return parse_email

    def _split_tags(self, text: str) -> list[str]:
        separator = self.mapping.tag_separator or " "
        tags: dict[str, None] = {}
        for part in text.split(separator):
            tag = part.strip().strip(",;").strip()
            if tag:
                tags.setdefault(tag, None)
        return list(tags)

    def _when_parser(self) -> Callable[[str], tuple[dt.datetime, bool] | None]:
        fmt = self.mapping.date_format
        if fmt in ("auto", "dmy", "mdy"):
            return lambda text: parse_datetime(text, self.order, self.serials)

        def strict(text: str) -> tuple[dt.datetime, bool] | None:
            try:
                value = dt.datetime.strptime(text, fmt)
            except ValueError:
                return None
            has_time = any(code in fmt for code in ("%H", "%I", "%M"))
            return (value if has_time else value.replace(hour=12)), has_time

        return strict

    def _typed_defaults(self, specs: dict[str, FieldSpec]) -> dict[str, Any]:
        """Defaults converted once, as a row would convert them."""
        typed: dict[str, Any] = {}
        for name, text in self.mapping.defaults.items():
            if name not in specs or not str(text).strip():
                continue
            spec = specs[name]
            value: Any
            if spec.type == "choice":
                value, _ = ChoiceLookup(name, spec, self.mapping).get(text)
            elif spec.type == "datetime":
                value = self._moment(text, "")
            elif spec.type in ("read", "minutes", "tags", "emails") or name in (
                "person_email", "email", "orcid",
            ):  # fmt: skip
                value = self._parser(name, spec)(text)
            else:
                value = text
            if value not in (None, "", []):
                typed[name] = value
        return typed

    def _moment(self, date_text: str, time_text: str) -> dt.datetime | None:
        parsed = self.parse_when(date_text)
        if parsed is None:
            return None
        value, has_time = parsed
        if time_text:
            clock = self.parse_clock(time_text)
            if clock is None:
                return None
            if not has_time or value.time() == dt.time(12):
                value = dt.datetime.combine(value.date(), clock, value.tzinfo)
        if value.tzinfo is None:
            return value.replace(tzinfo=self.zone)
        return value.astimezone(self.zone)

    def each(self, raws: Iterable[RawRow]) -> Iterator[Row]:
        for raw in raws:
            yield self(raw)

    def __call__(self, raw: RawRow) -> Row:
        values = raw.values
        number = raw.number
        fields: dict[str, Any] = {}
        errors: list[str] = []
        warnings: list[str] = [f"Row {number}: {p}" for p in raw.problems] if raw.problems else []
        details: dict[str, str] = {}
        for name, column in self.text:
            text = values[column]
            if text:
                fields[name] = text
        for name, columns, joiner in self.joined:
            text = joiner.join(t for t in (values[c] for c in columns) if t)
            if text:
                fields[name] = text
        for name, column, lookup in self.choices:
            text = values[column]
            if text:
                value, note = lookup.get(text)
                fields[name] = value
                if note:
                    warnings.append(f"Row {number}: {note}")
                    details[column] = text
        for name, columns, parse, label in self.typed:
            column = columns[0]
            text = values[column]
            if len(columns) > 1:
                joiner = self.mapping.tag_separator if name == "tags" else " "
                text = joiner.join(t for t in (values[c] for c in columns) if t)
                column = " + ".join(columns)
            if text:
                value = parse(text)
                if value is None or value == []:
                    warnings.append(
                        f"Row {number}: {label} '{text}' {_unreadable(name)}; kept in details"
                    )
                    details[column] = text
                else:
                    fields[name] = value
        if self.when:
            self._when(values, number, fields, errors)
        for column in self.details_columns:
            text = values[column]
            if text:
                details[column] = text
        if raw.problems:
            for column, text in values.items():
                if column.startswith("(column "):
                    details[column] = text
        if details:
            fields["details"] = details
        if self.defaults:
            for name, value in self.defaults.items():
                if name not in fields:
                    fields[name] = value
        self._finish(number, fields, errors, warnings)
        return Row(number, fields, errors, warnings, self._key(values, fields))

    def _when(
        self, values: dict[str, str], number: int, fields: dict[str, Any], errors: list[str]
    ) -> None:
        date_text = values[self.when[0]]
        time_text = values[self.when[1]] if len(self.when) > 1 else ""
        if not date_text:
            if "occurred_at" not in self.defaults:
                errors.append(f"Row {number}: has no date ('{self.when[0]}' is empty)")
            return
        moment = self._moment(date_text, time_text)
        if moment is None:
            shown = f"{date_text} {time_text}".strip()
            if time_text and self.parse_when(date_text) is not None:
                errors.append(f"Row {number}: time '{time_text}' is not a time of day")
            else:
                errors.append(f"Row {number}: date '{shown}' is not a date")
            return
        fields["occurred_at"] = moment

    def _finish(
        self, number: int, fields: dict[str, Any], errors: list[str], warnings: list[str]
    ) -> None:
        for name, limit in LIMITS.items():
            text = fields.get(name)
            if isinstance(text, str) and len(text) > limit:
                fields[name] = text[: limit - 1] + "…"
                warnings.append(f"Row {number}: {name.replace('_', ' ')} cut to {limit} characters")
        if self.target == "touchpoints":
            if "occurred_at" not in fields and not errors:
                errors.append(f"Row {number}: has no date (no column is mapped to When)")
            external = fields.get("external_id")
            if external and len(external) > 100:
                fields["external_id"] = (
                    "sha-" + hashlib.blake2b(external.encode(), digest_size=24).hexdigest()
                )
                warnings.append(f"Row {number}: external id longer than 100 characters, hashed")
            return
        first, last = fields.get("first_name", ""), fields.get("last_name", "")
        if not fields.get("full_name") and (first or last):
            fields["full_name"] = f"{first} {last}".strip()
        if not fields.get("full_name") and not fields.get("email"):
            errors.append(f"Row {number}: has neither a name nor an email")

    def _key(self, values: dict[str, str], fields: dict[str, Any]) -> str:
        external = fields.get("external_id") or (
            fields.get("directory_id") if self.target == "people" else None
        )
        if external:
            return str(external)
        key = content_key(values)
        # Identical rows (tallies with no time) are separate events: number the repeats.
        if key in self.seen:
            count = self.repeats[key] = self.repeats.get(key, 1) + 1
            return f"{key}-{count}"
        self.seen.add(key)
        return key


def _split_emails(text: str) -> list[str]:
    from rapport.imports.sources.values import EMAIL_SPLIT

    found = [parse_email(part) for part in EMAIL_SPLIT.split(text) if part]
    if any(email is None for email in found):
        return []
    return list(dict.fromkeys(e for e in found if e))


def _unreadable(name: str) -> str:
    return {
        "read_level": "is not a READ level from 1 to 6",
        "minutes": "is not a number of minutes",
        "tags": "has no tags",
        "other_emails": "is not a list of email addresses",
        "orcid": "is not a valid ORCID iD",
    }.get(name, "is not an email address")
