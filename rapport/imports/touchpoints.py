"""Touchpoint rows in bulk: validate, resolve staff, groups and people, and write a chunk.

One chunk is planned with a few queries (which keys are already in, which people exist) and,
in a run, written with `executemany`: `INSERT … ON CONFLICT DO NOTHING` on the unique
(source_system, external_id), so a file imported twice, or two jobs racing, create nothing twice.
People are resolved per chunk (by e-mail, then exact name, else created), so memory depends on
the chunk, not the file. The search index is kept by the database's own triggers.
"""

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone

from rapport.accounts.models import User
from rapport.imports.bulk import insert_ignore, select_in
from rapport.imports.resolve import GroupMap, StaffMap
from rapport.imports.sources import Row
from rapport.people.models import Person, Status
from rapport.relationships.services import refresh as refresh_relationships
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin
from rapport.touchpoints.services import FUTURE_SLACK, MAX_MINUTES, MAX_TEXT

COLUMNS = (
    "occurred_at", "logged_at", "author_id", "group_id", "kind", "channel", "origin",
    "initiated_by", "read_level", "minutes", "topic", "question", "answer", "outcome",
    "confidential", "tags", "capture_line", "source_system", "external_id", "updated_at",
    "details",
)  # fmt: skip
CHOICES = {
    "kind": (Kind.values, Kind.QUESTION.value),
    "channel": (Channel.values, Channel.IN_PERSON.value),
    "origin": (Origin.values, Origin.DIRECT.value),
    "initiated_by": (Initiator.values, Initiator.THEM.value),
}
MAX_KEY = 100  # Touchpoint.external_id
EARLIEST_YEAR = 1950


@dataclass
class Result:
    """What one chunk came to; `issues` are (row number, level, message)."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    issues: list[tuple[int, str, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # people_created, anonymous, …
    person_ids: set[int] = field(default_factory=set)


@dataclass
class Planned:
    number: int
    key: str
    values: dict[str, Any]
    email: str = ""
    name: str = ""
    status: str = ""


def unprefixed(number: int, message: str) -> str:
    """The readers' messages start "Row 12: "; the report has its own row column."""
    prefix = f"Row {number}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def key_for(row: Row) -> str:
    """The row's identity in its source: the format's id, else a hash of what it says."""
    key = str(row.key or row.fields.get("external_id") or "").strip()
    if not key:
        content = json.dumps(row.fields, sort_keys=True, default=str)
        key = "sha256:" + hashlib.sha256(content.encode()).hexdigest()
    elif len(key) > MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _topic(topic: str, question: str) -> str:
    if topic:
        return topic[:300]
    first = question.split("\n", 1)[0]
    return first if len(first) <= 120 else first[:120].rsplit(" ", 1)[0] + "…"


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split()
    return list(dict.fromkeys(str(t).strip().lstrip("#").lower() for t in value or [] if t))


class TouchpointImport:
    """Plans and writes chunks of touchpoint rows for one job."""

    def __init__(self, *, source_system: str, by: User, fallback: User) -> None:
        self.source_system = source_system[:40]
        self.by = by
        self.staff = StaffMap(fallback)
        self.groups = GroupMap()
        self.now = timezone.now()

    def _check(self, row: Row) -> tuple[dict[str, Any] | None, list[str], list[str]]:
        """The column values for a row, or None with the errors; and warnings."""
        f = row.fields
        errors = [unprefixed(row.number, e) for e in row.errors]
        warnings = [unprefixed(row.number, w) for w in row.warnings]
        when = f.get("occurred_at")
        if when is None:
            if not errors:
                errors.append("No date: map a column to “When”.")
        elif not isinstance(when, dt.datetime) or timezone.is_naive(when):
            errors.append(f"“{when}” is not a date and time.")
        elif when > self.now + FUTURE_SLACK:
            errors.append(f"{when:%Y-%m-%d %H:%M} is in the future.")
        elif when.year < EARLIEST_YEAR:
            errors.append(f"{when:%Y-%m-%d} is too far in the past.")
        values: dict[str, Any] = {}
        for name, (allowed, default) in CHOICES.items():
            value = _text(f.get(name)) or default
            if value not in allowed:
                errors.append(
                    f"“{value}” is not a known {name.replace('_', ' ')} "
                    f"(one of {', '.join(allowed)}): map it on the mapping screen."
                )
            values[name] = value
        read = f.get("read_level")
        if read not in (None, ""):
            if not isinstance(read, int) or not 1 <= read <= 6:
                errors.append(f"READ level “{read}” is not 1 to 6.")
        minutes = f.get("minutes")
        if minutes not in (None, ""):
            if not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES:
                errors.append(f"{minutes} minutes is not between 0 and {MAX_MINUTES}.")
        question, answer = _text(f.get("question")), _text(f.get("answer"))
        for label, text in (("question", question), ("answer", answer)):
            if len(text) > MAX_TEXT:
                errors.append(f"The {label} is longer than {MAX_TEXT:,} characters.")
        if errors:
            return None, errors, warnings
        author, known = self.staff.author(f.get("staff"))
        group_id, group_known = self.groups.get(f.get("group"))
        if not group_known:
            warnings.append(f"No group called “{_text(f.get('group'))}”: imported without one.")
        details = dict(f.get("details") or {})
        if _text(f.get("location")):
            details["location"] = _text(f.get("location"))
        if not known:
            details["staff"] = _text(f.get("staff"))
        values.update(
            occurred_at=when,
            author_id=author,
            group_id=group_id,
            read_level=read if read not in (None, "") else None,
            minutes=minutes if minutes not in (None, "") else None,
            topic=_topic(_text(f.get("topic")), question),
            question=question,
            answer=answer,
            tags=_tags(f.get("tags")),
            details=details,
        )
        return values, errors, warnings

    def plan(self, rows: list[Row]) -> tuple[list[Planned], Result]:
        """Validate a chunk and leave out what is already imported; nothing is written."""
        result = Result()
        planned: list[Planned] = []
        seen: dict[str, int] = {}
        for row in rows:
            values, errors, warnings = self._check(row)
            result.issues.extend((row.number, "warning", w) for w in warnings)
            if values is None:
                result.failed += 1
                result.issues.extend((row.number, "error", e) for e in errors)
                continue
            key = key_for(row)
            if key in seen:
                result.skipped += 1
                result.issues.append((row.number, "warning", f"Same as row {seen[key]}: skipped."))
                continue
            seen[key] = row.number
            email = _text(row.fields.get("person_email")).lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    result.issues.append(
                        (row.number, "warning", f"“{email}” is not an e-mail address: ignored.")
                    )
                    email = ""
            name = " ".join(_text(row.fields.get("person_name")).split())[:200]
            status = _text(row.fields.get("person_status"))
            if not (email or name) and status:
                values["details"]["patron_status"] = status
            planned.append(Planned(row.number, key, values, email, name, status))
        existing = {
            k
            for (k,) in select_in(
                "SELECT external_id FROM rapport_touchpoint WHERE source_system = %s "
                "AND external_id IN ({marks})",
                (p.key for p in planned),
                self.source_system,
            )
        }
        result.skipped += sum(1 for p in planned if p.key in existing)
        return [p for p in planned if p.key not in existing], result

    def _people(self, planned: list[Planned], result: Result, write: bool) -> dict[str, int]:
        """Person ids by reference (e-mail or folded name): existing, else created (in a run)."""
        refs = {p.email or "name:" + p.name.casefold(): p for p in planned if p.email or p.name}
        ids: dict[str, int] = {}
        for email, pk in sorted(
            select_in(
                "SELECT email, id FROM rapport_person WHERE email IN ({marks})",
                (p.email for p in refs.values() if p.email),
            ),
            key=lambda r: -r[1],
        ):
            ids[email] = pk
        names = {p.name for ref, p in refs.items() if ref not in ids and p.name}
        by_name: dict[str, list[int]] = {}
        for name, pk in select_in(
            "SELECT full_name, id FROM rapport_person WHERE full_name IN ({marks})", names
        ):
            by_name.setdefault(name, []).append(pk)
        new: dict[str, Person] = {}
        for ref, p in refs.items():
            if ref in ids:
                continue
            if p.name in by_name:
                found = sorted(by_name[p.name])
                ids[ref] = found[0]
                if len(found) > 1:
                    result.issues.append(
                        (p.number, "warning", f"Several people are called {p.name}: linked to "
                         f"the first one recorded (id {found[0]}).")
                    )  # fmt: skip
                continue
            status = p.status.lower() if p.status.lower() in Status.values else Status.OTHER
            person = Person(
                full_name=p.name or p.email.split("@")[0],
                email=p.email,
                status=status,
                created_by=self.by,
            )
            person.refresh_search_text()
            new[ref] = person
        result.counts["people_created"] += len(new)
        if write and new:
            Person.objects.bulk_create(new.values())
            ids.update({ref: person.pk for ref, person in new.items()})
        return ids

    def chunk(self, rows: list[Row], *, write: bool) -> Result:
        """Plan a chunk and, when `write`, write it (inside the caller's transaction)."""
        planned, result = self.plan(rows)
        person_of = self._people(planned, result, write)
        for p in planned:
            if not (p.email or p.name):
                result.counts["anonymous"] += 1
        if not write:
            result.created += len(planned)
            return result
        adapt = connection.ops.adapt_datetimefield_value
        now = adapt(timezone.now())
        rows_out = []
        for p in planned:
            v = p.values
            rows_out.append((
                adapt(v["occurred_at"]), now, v["author_id"], v["group_id"], v["kind"],
                v["channel"], v["origin"], v["initiated_by"], v["read_level"], v["minutes"],
                v["topic"], v["question"], v["answer"], "", False, json.dumps(v["tags"]), "",
                self.source_system, p.key, now, json.dumps(v["details"]) if v["details"] else None,
            ))  # fmt: skip
        inserted = insert_ignore("rapport_touchpoint", COLUMNS, rows_out)
        if inserted < 0:  # the driver did not say; count what is there now
            inserted = len(planned)
        result.created += inserted
        result.skipped += len(planned) - inserted
        self._link(planned, person_of, result)
        return result

    def _link(self, planned: list[Planned], person_of: dict[str, int], result: Result) -> None:
        """Participations and contacts for the rows with a person; their state refreshed."""
        wanted = {p.key: p for p in planned if p.email or p.name}
        if not wanted:
            return
        adapt = connection.ops.adapt_datetimefield_value
        parts, contacts = [], set()
        for key, tp_id, author_id in select_in(
            "SELECT external_id, id, author_id FROM rapport_touchpoint WHERE source_system = %s "
            "AND external_id IN ({marks})",
            wanted,
            self.source_system,
        ):
            p = wanted[key]
            person = person_of[p.email or "name:" + p.name.casefold()]
            parts.append((tp_id, person, adapt(p.values["occurred_at"])))
            contacts.add((person, author_id))
        insert_ignore("rapport_participation", ("touchpoint_id", "person_id", "occurred_at"), parts)
        insert_ignore("rapport_contact", ("person_id", "user_id"), sorted(contacts))
        touched = {person for _, person, _ in parts}
        refresh_relationships(touched)
        result.person_ids |= touched
