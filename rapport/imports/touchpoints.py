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

from django.db import connection
from django.utils import timezone

from rapport.accounts.models import User
from rapport.duplicates.queries import survivor_ids
from rapport.imports.bulk import (
    insert_ignore,
    max_id,
    search_index_after,
    select_in,
    sqlite_adapt_datetime,
)
from rapport.imports.resolve import GroupMap, StaffMap
from rapport.imports.sources import Row
from rapport.people.addresses import by_address, with_other_address
from rapport.people.models import Person, Status
from rapport.people.queries import contacts_to_keep
from rapport.relationships.services import REFRESH_CHUNK, refresh_all
from rapport.relationships.services import refresh as refresh_relationships
from rapport.search.documents import DOCUMENTS, TOUCHPOINT
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
CHOICE_AT, MINUTES_AT = COLUMNS.index("kind"), COLUMNS.index("minutes")
MAX_KEY = 100  # Touchpoint.external_id
EARLIEST_YEAR = 1950
_dumps = json.JSONEncoder().encode  # json.dumps without its per-call set-up


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


PERSON_COLUMNS = (
    "full_name", "email", "other_emails", "orcid", "directory_id", "job_title", "status",
    "department", "building", "room", "desk", "notes", "search_text", "touchpoint_count",
    "created_by_id", "created_at", "updated_at",
)  # fmt: skip
PEOPLE_CACHE = 200_000  # person references remembered across chunks (bounded memory)
STATUSES = frozenset(Status.values)


@dataclass(slots=True)
class Planned:
    number: int
    key: str
    values: list[Any]  # in COLUMNS order; the key and dates are filled in when written
    when: dt.datetime
    email: str = ""
    name: str = ""
    status: str = ""

    @property
    def ref(self) -> str:
        return self.email or "name:" + self.name.casefold()


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
    if not value:
        return []
    if isinstance(value, str):
        value = value.split()
    return list(dict.fromkeys(str(t).strip().lstrip("#").lower() for t in value or [] if t))


def _created_since(after: int, by: int) -> list[tuple]:
    """(id, email, name) of the people this importer created after id `after`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, email, full_name FROM rapport_person WHERE id > %s AND created_by_id = %s",
            [after, by],
        )
        return cursor.fetchall()


def _tally(planned: list[Planned], counts: Counter[str]) -> None:
    """How many rows got each channel, kind, origin, initiator and person's status, how many
    no minutes, and how many are of kind email by another channel, so that the report can say
    when every row got the same (a column mapped wrong, or none) or the two disagree."""
    combos = Counter(tuple(p.values[CHOICE_AT : CHOICE_AT + len(CHOICES)]) for p in planned)
    for combo, n in combos.items():
        for name, value in zip(CHOICES, combo, strict=True):
            counts[f"value:{name}:{value}"] += n
        if combo[0] == Kind.EMAIL and combo[1] != Channel.EMAIL:
            counts["email_kind_other_channel"] += n
    for status, n in Counter(p.status for p in planned if p.status).items():
        counts[f"value:person_status:{status}"] += n
    counts["no_minutes"] += sum(1 for p in planned if p.values[MINUTES_AT] is None)


class TouchpointImport:
    """Plans and writes chunks of touchpoint rows for one job.

    With `defer_refresh` (large jobs) the relationship state of the people touched is
    refreshed once at the end (`finish`), not per chunk; a resumed large job refreshes
    everyone, since the people touched before the interruption are not remembered.
    """

    def __init__(
        self, *, source_system: str, by: User, fallback: User, defer_refresh: bool = False
    ) -> None:
        self.source_system = source_system[:40]
        self.by = by
        self.staff = StaffMap(fallback)
        self.groups = GroupMap()
        self.now = timezone.now()
        self.latest = self.now + FUTURE_SLACK
        self.people: dict[str, int] = {}
        self.defer_refresh = defer_refresh
        self.touched: set[int] = set()
        sqlite = connection.vendor == "sqlite"
        self.adapt = sqlite_adapt_datetime if sqlite else connection.ops.adapt_datetimefield_value

    def _check(self, row: Row, errors: list[str], warnings: list[str]) -> Planned | None:
        """The row as values to insert, or None with `errors` said."""
        f = row.fields
        when = f.get("occurred_at")
        if when is None:
            if not errors:
                errors.append("No date: map a column to “When”.")
        elif not isinstance(when, dt.datetime) or when.tzinfo is None:
            errors.append(f"“{when}” is not a date and time.")
        elif when > self.latest:
            errors.append(f"{when:%Y-%m-%d %H:%M} is in the future.")
        elif when.year < EARLIEST_YEAR:
            errors.append(f"{when:%Y-%m-%d} is too far in the past.")
        choices = []
        for name, (allowed, default) in CHOICES.items():
            value = f.get(name) or default
            if value not in allowed:
                errors.append(
                    f"“{value}” is not a known {name.replace('_', ' ')} "
                    f"(one of {', '.join(allowed)}): map it on the mapping screen."
                )
            choices.append(value)
        read = f.get("read_level")
        if read is not None and (not isinstance(read, int) or not 1 <= read <= 6):
            errors.append(f"READ level “{read}” is not 1 to 6.")
        minutes = f.get("minutes")
        if minutes is not None and (
            not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES
        ):
            errors.append(f"{minutes} minutes is not between 0 and {MAX_MINUTES}.")
        # The readers give stripped text (or leave the field out), so no cleaning here.
        question, answer = f.get("question") or "", f.get("answer") or ""
        if len(question) > MAX_TEXT or len(answer) > MAX_TEXT:
            errors.append(f"The question or answer is longer than {MAX_TEXT:,} characters.")
        if errors:
            return None
        staff = f.get("staff")
        author, known = self.staff.author(staff)
        group = f.get("group")
        group_id = None
        if group:
            group_id, group_known = self.groups.get(group)
            if not group_known:
                warnings.append(f"No group called “{group}”: imported without one.")
        details = f.get("details")
        location = f.get("location")
        email = (f.get("person_email") or "").lower()
        name = f.get("person_name") or ""
        if name:
            name = " ".join(name.split())[:200]
        status = f.get("person_status") or ""
        extra = {}
        if location:
            extra["location"] = location
        if not known:
            extra["staff"] = _text(staff)
        if status and not (email or name):
            extra["patron_status"] = status
        if extra:
            details = {**(details or {}), **extra}
        tags = f.get("tags")
        values = [
            None, None, author, group_id, *choices, read, minutes,
            _topic(f.get("topic") or "", question), question, answer, "", False,
            _dumps(_tags(tags)) if tags else "[]", "", self.source_system, None, None,
            _dumps(details) if details else None,
        ]  # fmt: skip
        assert isinstance(when, dt.datetime)  # checked above: errors otherwise
        return Planned(row.number, "", values, when, email, name, status)

    def plan(self, rows: list[Row], *, known: bool = True) -> tuple[list[Planned], Result]:
        """Validate a chunk; with `known`, leave out what is already imported (a run leaves
        that to ON CONFLICT instead). Nothing is written."""
        result = Result()
        planned: list[Planned] = []
        seen: dict[str, int] = {}
        issues = result.issues
        for row in rows:
            number = row.number
            errors = [unprefixed(number, e) for e in row.errors] if row.errors else []
            warnings = [unprefixed(number, w) for w in row.warnings] if row.warnings else []
            p = self._check(row, errors, warnings)
            if warnings:
                issues.extend((number, "warning", w) for w in warnings)
            if p is None:
                result.failed += 1
                issues.extend((number, "error", e) for e in errors)
                continue
            p.key = key = key_for(row)
            if key in seen:
                result.skipped += 1
                issues.append((number, "warning", f"Same as row {seen[key]}: skipped."))
                continue
            seen[key] = number
            planned.append(p)
        _tally(planned, result.counts)
        if known and planned:
            existing = {
                k
                for (k,) in select_in(
                    "SELECT external_id FROM rapport_touchpoint WHERE source_system = %s "
                    "AND NOT (external_id = '') AND external_id IN ({marks})",
                    (p.key for p in planned),
                    self.source_system,
                )
            }
            result.skipped += sum(1 for p in planned if p.key in existing)
            planned = [p for p in planned if p.key not in existing]
        return planned, result

    def _people(self, planned: list[Planned], result: Result, write: bool) -> dict[str, int]:
        """Person ids by reference (e-mail or folded name): remembered, existing, else created
        (in a run). By e-mail first, then by exact name."""
        refs = {p.ref: p for p in planned if p.email or p.name}
        ids = {ref: self.people[ref] for ref in refs if ref in self.people}
        wanted = [p.email for ref, p in refs.items() if p.email and ref not in ids]
        for email, pk in sorted(
            select_in("SELECT email, id FROM rapport_person WHERE email IN ({marks})", wanted),
            key=lambda r: -r[1],
        ):
            ids[email] = pk
        # Then someone's other address (one pass over those who have any).
        others = [e for e in wanted if e not in ids]
        if others:
            people = with_other_address(Person.objects.order_by("pk"), others)
            for email, person in by_address(
                people.only("pk", "email", "other_emails"), others
            ).items():
                ids[email] = person.pk
        names = {p.name for ref, p in refs.items() if ref not in ids and p.name}
        by_name: dict[str, list[int]] = {}
        for name, pk in select_in(
            "SELECT full_name, id FROM rapport_person WHERE full_name IN ({marks})", names
        ):
            by_name.setdefault(name, []).append(pk)
        new: dict[str, tuple] = {}
        now = self.adapt(timezone.now())
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
            status = p.status.lower()
            name = p.name or p.email.split("@")[0]
            new[ref] = (
                name, p.email, "[]", "", "", "", status if status in STATUSES else Status.OTHER,
                "", "", "", "", "", " ".join(e for e in (name, p.email) if e).lower()[:600],
                0, self.by.pk, now, now,
            )  # fmt: skip
        # A merged record keeps its e-mail and name: its rows go to the person it lives on as.
        moved = survivor_ids(set(ids.values()))
        if moved:
            ids = {ref: moved.get(pk, pk) for ref, pk in ids.items()}
        result.counts["people_created"] += len(new)
        if write and new:
            before = max_id("rapport_person")
            insert_ignore("rapport_person", PERSON_COLUMNS, list(new.values()))
            created = _created_since(before, self.by.pk)
            refs_of = {(email, name): ref for ref, (name, email, *_) in new.items()}
            for pk, email, name in created:
                found_ref = refs_of.get((email, name))
                if found_ref is not None:
                    ids[found_ref] = pk
        if write:
            if len(self.people) > PEOPLE_CACHE:
                self.people.clear()
            self.people.update(ids)
        return ids

    def chunk(self, rows: list[Row], *, write: bool) -> Result:
        """Plan a chunk and, when `write`, write it (inside the caller's transaction)."""
        planned, result = self.plan(rows, known=not write)
        person_of = self._people(planned, result, write)
        result.counts["anonymous"] += sum(1 for p in planned if not (p.email or p.name))
        if not write:
            result.created += len(planned)
            return result
        adapt = self.adapt
        now = adapt(timezone.now())
        out = []
        for p in planned:
            v = p.values
            v[0], v[1], v[18], v[19] = adapt(p.when), now, p.key, now
            out.append(v)
        with search_index_after(DOCUMENTS[TOUCHPOINT]) as index:
            before = max_id("rapport_touchpoint")
            inserted = insert_ignore("rapport_touchpoint", COLUMNS, out)  # type: ignore[arg-type]
            index(before)
        if inserted < 0:  # the driver did not say
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
        parts, contacts = [], set()
        for key, tp_id, author_id in select_in(
            "SELECT external_id, id, author_id FROM rapport_touchpoint WHERE source_system = %s "
            "AND NOT (external_id = '') AND external_id IN ({marks})",
            wanted,
            self.source_system,
        ):
            p = wanted[key]
            person = person_of[p.ref]
            parts.append((tp_id, person, self.adapt(p.when)))
            contacts.add((person, author_id))
        insert_ignore("rapport_participation", ("touchpoint_id", "person_id", "occurred_at"), parts)
        # As for a touchpoint logged by hand: no one becomes a contact of a person colleagues
        # have through an address in a file (rapport/people/sharing.py).
        keep, _ = contacts_to_keep(contacts)
        insert_ignore("rapport_contact", ("person_id", "user_id"), sorted(keep))
        touched = {person for _, person, _ in parts}
        result.person_ids |= touched
        if self.defer_refresh:
            self.touched |= touched
        else:
            refresh_relationships(touched)

    def finish(self, *, resumed: bool) -> None:
        """Bring the deferred relationship state up to date (inside the caller's transaction)."""
        if not self.defer_refresh:
            return
        if resumed:
            refresh_all()
            return
        ids = sorted(self.touched)
        for start in range(0, len(ids), REFRESH_CHUNK):
            refresh_relationships(ids[start : start + REFRESH_CHUNK])
