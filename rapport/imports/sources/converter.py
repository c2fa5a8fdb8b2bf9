"""One mapping compiled for one file's headers: RawRow in, Row out.

Compiled once per read into flat lists (text fields, choice fields, typed fields, the date and
time), with a cache per column of what each distinct text became (dates, times, durations and
choice values repeat across a file's rows), so the work per row is a few dict look-ups per
field. `convert` is the one reading of the rules; benchmarks/import_reading.py measures it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import starmap
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from rapport.imports.sources.choices import ChoiceLookup
from rapport.imports.sources.fields import FIELDS_FOR, FieldSpec
from rapport.imports.sources.keys import Repeats
from rapport.imports.sources.mapping import Mapping
from rapport.imports.sources.table import STOPPED, RawRow, Record
from rapport.imports.sources.values import (
    CACHE_LIMIT,
    EMAIL_SPLIT,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_orcid,
    parse_read_level,
    parse_time,
)
from rapport.text import bad_character, bad_text_message, is_storable

LIMITS = {"topic": 300, "job_title": 200, "outcome": 300, "full_name": 200}
JOINERS = {"question": "\n\n", "answer": "\n\n", "notes": "\n\n"}
TYPED = ("read", "minutes", "tags", "emails")
CHECKED = ("person_email", "email", "orcid")
UNREADABLE = {
    "read_level": "is not a READ level from 1 to 6",
    "minutes": "is not a number of minutes",
    "tags": "has no tags",
    "other_emails": "is not a list of email addresses",
    "orcid": "is not a valid ORCID iD",
}
NOON = dt.time(12)


@dataclass(slots=True)
class Row:
    number: int
    fields: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    key: str = ""


def content_key(cells: list[str]) -> str:
    """A stable hash of a row's cells, for sources without their own ids."""
    text = "\x1f".join(cells)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def fast_time(text: str) -> dt.time | None:
    """parse_time, with the ISO forms ("14:30", "14:30:05") read by the C parser first."""
    if len(text) in (5, 8) and text[2:3] == ":":
        try:
            return dt.time.fromisoformat(text)
        except ValueError:
            pass
    return parse_time(text)


class Converter:
    def __init__(
        self, headers: list[str], mapping: Mapping, *, order: str = "dmy", serials: bool = False
    ) -> None:
        self.mapping = mapping
        self.target = mapping.target if mapping.target in FIELDS_FOR else "touchpoints"
        specs = FIELDS_FOR[self.target]
        self.headers = headers
        self.width = len(headers)
        at = {h: i for i, h in enumerate(headers)}
        known = set(headers)
        columns = {
            name: [c for c in cols if c in known]
            for name, cols in mapping.columns.items()
            if name in specs and name != "details"
        }
        fallbacks = {
            name: [c for c in cols if c in known][:1]
            for name, cols in mapping.fallbacks.items()
            if columns.get(name)
        }
        mapped = {c for cols in [*columns.values(), *fallbacks.values()] for c in cols}
        # A field's first column, else another when it is empty on a row: (at, else at).
        self.fallbacks = [(at[columns[n][0]], at[cols[0]]) for n, cols in fallbacks.items() if cols]
        explicit = [c for c in mapping.columns.get("details", []) if c in known]
        self.details_columns = [
            (h, at[h]) for h in (explicit or [h for h in headers if h not in mapped])
        ]
        # Each field as (name, position(s) in the row, …): the row is a list in header order.
        self.text: list[tuple[str, int]] = []
        self.joined: list[tuple[str, list[int], str]] = []
        self.choices: list[tuple[str, int, str, dict, ChoiceLookup]] = []
        self.typed: list[tuple[str, list[int], str, dict, Callable[[str], Any], str]] = []
        for name, cols in columns.items():
            spec = specs[name]
            if not cols or spec.type == "datetime":
                continue
            if spec.type == "choice":
                lookup = ChoiceLookup(name, spec, mapping)
                self.choices.append((name, at[cols[0]], cols[0], lookup.cache, lookup))
            elif spec.type in TYPED or name in CHECKED:
                cache: dict[str, Any] = {}
                parse = self._parser(name, spec)
                where = [at[c] for c in cols]
                self.typed.append((name, where, " + ".join(cols), cache, parse, spec.label))
            elif len(cols) == 1:
                self.text.append((name, at[cols[0]]))
            else:
                self.joined.append((name, [at[c] for c in cols], JOINERS.get(name, " ")))
        self.limits = [(n, limit) for n, limit in LIMITS.items() if columns.get(n)]
        self.when_names = columns.get("occurred_at", [])
        self.when = [at[c] for c in self.when_names]
        self.order, self.serials = order, serials
        self.dates: dict[str, tuple[dt.datetime, bool] | None] = {}
        self.times: dict[str, dt.time] = {}
        self.plain_dates: dict[str, dt.date] = {}  # dates without a time or zone
        self.moments: dict[str, dt.datetime] = {}  # one-column moments, read
        self.parse_date = self._date_parser()
        self.zone = ZoneInfo(str(settings.TIME_ZONE))
        self.defaults = self._typed_defaults(specs)
        self.has_external = bool(columns.get("external_id") or columns.get("directory_id"))
        self.repeats = Repeats()
        self._prepare()

    def _prepare(self) -> None:
        """What convert() reads per row, worked out once: limits by field, each typed field's
        message and whether its parse can be cached."""
        limits = dict(self.limits)
        self.text_limits = {n: limits.pop(n) for n, _ in self.text if n in limits}
        self.late_limits = list(limits.items())  # joined or defaulted texts
        self.typed_plan = []
        for name, where, column, cache, parse, label in self.typed:
            joiner = self.mapping.tag_separator if name == "tags" else " "
            problem = UNREADABLE.get(name, "is not an email address")
            message = f"{label} '{{}}' {problem}; kept in details"
            self.typed_plan.append(
                (name, where, column, cache, parse, message, joiner, name != "tags")
            )

    def _parser(self, name: str, spec: FieldSpec) -> Callable[[str], Any]:
        if spec.type == "read":
            return parse_read_level
        if spec.type == "minutes":
            return parse_minutes
        if spec.type == "tags":
            return self._split_tags
        if spec.type == "emails":
            return _split_emails
        return parse_orcid if name == "orcid" else parse_email

    def _split_tags(self, text: str) -> list[str]:
        tags: dict[str, None] = {}
        for part in text.split(self.mapping.tag_separator or " "):
            tag = part.strip().strip(",;").strip()
            if tag:
                tags.setdefault(tag, None)
        return list(tags)

    def _date_parser(self) -> Callable[[str], tuple[dt.datetime, bool] | None]:
        fmt = self.mapping.date_format
        if fmt in ("auto", "dmy", "mdy"):
            return lambda text: parse_datetime(text, self.order, self.serials)
        has_time = any(code in fmt for code in ("%H", "%I", "%M"))

        def strict(text: str) -> tuple[dt.datetime, bool] | None:
            try:
                value = dt.datetime.strptime(text, fmt)
            except ValueError:
                return None
            return (value if has_time else value.replace(hour=12)), has_time

        return strict

    def _typed_defaults(self, specs: dict[str, FieldSpec]) -> dict[str, Any]:
        """Defaults converted once, as a row's cell would be."""
        typed: dict[str, Any] = {}
        for name, text in self.mapping.defaults.items():
            if name not in specs or not str(text).strip():
                continue
            spec = specs[name]
            value: Any
            if spec.type == "choice":
                value = ChoiceLookup(name, spec, self.mapping).get(text)[0]
            elif spec.type == "datetime":
                value = self.moment(text, "")
            elif spec.type in TYPED or name in CHECKED:
                value = self._parser(name, spec)(text)
            else:
                value = text
            if value not in (None, "", []):
                typed[name] = value
        return typed

    def clock(self, time_text: str) -> dt.time | None:
        """The time of day in a time cell (cached while the cache is small)."""
        clock = self.times.get(time_text)
        if clock is None:
            clock = fast_time(time_text)
            if clock is None:  # a full date and time ("Timestamp"): its time of day
                parsed = self.parse_date(time_text)
                if parsed is not None and parsed[1]:
                    value = parsed[0]
                    if value.tzinfo is not None:
                        value = value.astimezone(self.zone)
                    clock = value.time()
            if clock is not None and len(self.times) < CACHE_LIMIT:
                self.times[time_text] = clock
        return clock

    def moment(self, date_text: str, time_text: str) -> dt.datetime | None:
        """The aware datetime for a date cell and an optional time cell, or None."""
        dates = self.dates
        parsed = dates.get(date_text, False)
        if parsed is False:
            if len(dates) >= CACHE_LIMIT:
                dates.clear()
            parsed = dates[date_text] = self.parse_date(date_text)
        if parsed is None:
            return None
        value, has_time = parsed  # type: ignore[misc]
        if not has_time and value.tzinfo is None:
            if len(self.plain_dates) >= CACHE_LIMIT:
                self.plain_dates.clear()
            self.plain_dates[date_text] = value.date()
        if time_text:
            clock = self.clock(time_text)
            if clock is None:
                return None
            if not has_time or value.time() == NOON:
                if value.tzinfo is None:
                    return dt.datetime.combine(value.date(), clock, self.zone)  # type: ignore[arg-type]
                value = dt.datetime.combine(value.date(), clock, value.tzinfo)  # type: ignore[arg-type]
        if value.tzinfo is None:
            return value.replace(tzinfo=self.zone)
        return value.astimezone(self.zone)

    def convert(self, number: int, c: list[str], problems: list[str]) -> Row:
        """One row's cells (in heading order) and the reader's problems → a Row."""
        errors: list[str] = []
        warnings = [f"Row {number}: {p}" for p in problems] if problems else []
        if problems and problems[-1].startswith(STOPPED):
            return Row(number, {}, [warnings.pop()], warnings, f"stopped-{number}")
        # One search over the joined cells: a cell no database can store refuses the row.
        if not is_storable("".join(c)):
            return self.refused(number, c)
        cells = c
        for at, other in self.fallbacks:
            if not cells[at] and c[other]:
                if cells is c:
                    cells = list(c)
                cells[at] = c[other]
        fields: dict[str, Any] = {}
        details: dict[str, Any] = {}
        for name, i in self.text:
            v = cells[i]
            if v:
                fields[name] = v
                limit = self.text_limits.get(name)
                if limit and len(v) > limit:
                    self.cut(number, fields, warnings, name, limit)
        for column, i in self.details_columns:
            v = cells[i]
            if v:
                details[column] = v
        for name, where, joiner in self.joined:
            v = joiner.join([t for t in (cells[i] for i in where) if t])
            if v:
                fields[name] = v
        for name, i, column, cache, lookup in self.choices:
            v = cells[i]
            if v:
                hit = cache.get(v) or lookup.get(v)
                fields[name] = hit[0]
                if hit[1]:
                    warnings.append(f"Row {number}: {hit[1]}")
                    details[column] = v
        for name, where, column, cache, parse, message, joiner, keep in self.typed_plan:
            if len(where) == 1:
                v = cells[where[0]]
            else:
                v = joiner.join([t for t in (cells[i] for i in where) if t])
            if v:
                x = cache.get(v)
                if x is None:
                    if len(cache) >= CACHE_LIMIT:
                        cache.clear()
                    x = parse(v)
                    if keep and x is not None:
                        cache[v] = x
                if x is None or x == []:
                    warnings.append(f"Row {number}: " + message.format(v))
                    details[column] = v
                else:
                    fields[name] = x
        if self.when:
            self._when(number, cells, fields, errors)
        if len(c) > self.width:
            for at in range(self.width, len(c)):
                if c[at]:
                    details[f"(column {at + 1})"] = c[at]
        if details:
            fields["details"] = details
        for default, value in self.defaults.items():
            fields.setdefault(default, value)
        for name, limit in self.late_limits:
            x = fields.get(name)
            if x and len(x) > limit:
                self.cut(number, fields, warnings, name, limit)
        if self.target == "people" or ("occurred_at" not in fields and not errors):
            self.finish(number, fields, errors, warnings)
        if self.has_external:
            x = fields.get("external_id") or fields.get("directory_id")
            if x:
                if len(x) > 100:
                    x = self.long_id(number, fields, warnings, x)
                return Row(number, fields, errors, warnings, x)
        return Row(number, fields, errors, warnings, self.content_key(c))

    def _when(self, number: int, c: list[str], fields: dict[str, Any], errors: list[str]) -> None:
        """The moment from the date column (and the time column, if apart)."""
        d = c[self.when[0]]
        if not d:
            if "occurred_at" not in self.defaults:
                errors.append(f"Row {number}: has no date ('{self.when_names[0]}' is empty)")
            return
        if len(self.when) > 1:
            # A date column and a time column: both usually repeat, so both are cached.
            t = c[self.when[1]]
            day = self.plain_dates.get(d)
            if day is not None and t:
                k = self.times.get(t) or self.clock(t)
                m = dt.datetime.combine(day, k, self.zone) if k is not None else self.moment(d, t)
            else:
                m = self.moment(d, t)
        else:
            m = self.moments.get(d)
            if m is None:
                m = self.moment(d, "")
                if m is not None:
                    if len(self.moments) >= CACHE_LIMIT:
                        self.moments.clear()
                    self.moments[d] = m
        if m is None:
            errors.append(self.date_error(number, c))
        else:
            fields["occurred_at"] = m

    def each(self, raws: Iterable[RawRow]) -> Iterator[Row]:
        convert = self.__call__
        try:
            for raw in raws:
                yield convert(raw)
        finally:
            self.repeats.close()

    def each_record(self, records: Iterable[Record]) -> Iterator[Row]:
        """Rows straight from Table.records(): no RawRow, no Python loop in between (the fast
        path). The repeats' temporary database, if any, goes with the iterator."""
        return starmap(self.convert, records)

    def __call__(self, raw: RawRow) -> Row:
        values = raw.values
        cells = [values.get(h, "") for h in self.headers]
        if raw.problems:
            for column, text in values.items():
                if column.startswith("(column ") and text:
                    cells.append(text)
        return self.convert(raw.number, cells, raw.problems)

    def refused(self, number: int, cells: list[str]) -> Row:
        """A row with a cell no database can store (a NUL byte): an error naming the column,
        and nothing of the row kept, not even its warnings (they may quote the cell)."""
        for position, text in enumerate(cells):
            problem = bad_character(text)
            if problem:
                column = self.headers[position] if position < self.width else ""
                where = column or f"column {position + 1}"
                message = f"Row {number}: {bad_text_message(problem, where)}"
                return Row(number, {}, [message], [], f"refused-{number}")
        raise AssertionError("refused() is called for rows with such a cell only")

    def date_error(self, number: int, cells: list[str]) -> str:
        date_text = cells[self.when[0]]
        time_text = cells[self.when[1]] if len(self.when) > 1 else ""
        if time_text and self.parse_date(date_text) is not None:
            return f"Row {number}: time '{time_text}' is not a time of day"
        shown = f"{date_text} {time_text}".strip()
        return f"Row {number}: date '{shown}' is not a date"

    def finish(
        self, number: int, fields: dict[str, Any], errors: list[str], warnings: list[str]
    ) -> None:
        """What a whole row needs: a date (touchpoints), a name (people)."""
        if self.target == "touchpoints":
            if "occurred_at" not in fields and not errors:
                errors.append(f"Row {number}: has no date (no column is mapped to When)")
            return
        first, last = fields.get("first_name", ""), fields.get("last_name", "")
        if not fields.get("full_name") and (first or last):
            fields["full_name"] = f"{first} {last}".strip()
        if not fields.get("full_name") and not fields.get("email"):
            errors.append(f"Row {number}: has neither a name nor an email")

    def cut(
        self, number: int, fields: dict[str, Any], warnings: list[str], name: str, limit: int
    ) -> None:
        """A text longer than its field holds, cut to fit and said."""
        fields[name] = fields[name][: limit - 1] + "…"
        warnings.append(f"Row {number}: {name.replace('_', ' ')} cut to {limit} characters")

    def long_id(
        self, number: int, fields: dict[str, Any], warnings: list[str], external: str
    ) -> str:
        """An id too long to keep, replaced by its hash (the same every time)."""
        short = fields["external_id"] = _long_id(external)
        warnings.append(f"Row {number}: external id longer than 100 characters, hashed")
        return short

    def content_key(self, cells: list[str]) -> str:
        key = content_key(cells)
        # Identical rows (tallies kept without a time) are separate events: number the repeats.
        before = self.repeats.seen_before(key)
        return f"{key}-{before + 1}" if before else key


def _long_id(external: str) -> str:
    return "sha-" + hashlib.blake2b(external.encode(), digest_size=24).hexdigest()


def _split_emails(text: str) -> list[str]:
    found = [parse_email(part) for part in EMAIL_SPLIT.split(text) if part]
    if any(email is None for email in found):
        return []
    return list(dict.fromkeys(e for e in found if e))
