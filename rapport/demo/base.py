"""What every part of the generator shares: tiers, the row batches it emits, and the calendar.

The generator never touches the database. It yields `Batch`es of plain tuples in an order that
satisfies every foreign key (users, groups, people, memberships, then touchpoints with their
participations, then the requests opened from them with their people, links, status changes and
deliverables), so a loader can stream them into SQLite or PostgreSQL and a benchmark can
stream the very same rows into a bare `sqlite3` connection.
"""

import datetime as dt
import time
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

BATCH = 20_000  # rows per insert: big enough to amortise the call, small enough for memory


@dataclass(frozen=True)
class Tier:
    name: str
    people: int
    touchpoints: int
    years: int
    staff: tuple[int, int]  # staff and research students per department (log-uniform)
    student_ratio: float  # taught students per department member
    disciplines: tuple[str, ...] = ()  # a fixed choice (demo); otherwise every discipline
    per_librarian: float = 1.1  # departments each librarian serves, on average


TIERS = {
    "demo": Tier("demo", 150, 3_000, 2, (28, 29), 0.72, ("chemistry", "history", "medicine")),
    "S": Tier("S", 10_000, 100_000, 3, (50, 400), 0.8),
    "M": Tier("M", 100_000, 1_000_000, 3, (50, 400), 0.8),
    "L": Tier("L", 1_000_000, 10_000_000, 3, (50, 400), 0.8),
}
# Benchmark tiers end on a fixed day so their rows never depend on when they were built; the
# demo ends now, so the pages show this week's touchpoints.
BENCH_END = (2026, 6, 30, 17, 30)


@dataclass
class Batch:
    """Rows for one table. `op` "update" rows carry the new values, then the id, last."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    op: str = "insert"


USER = (
    "rapport_user",
    (
        "id",
        "password",
        "last_login",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "role",
        "daily_digest",
        "last_digest_on",
        "initials",
    ),
)
GROUP = ("rapport_group", ("id", "name", "kind", "description", "created_at", "archived_at"))
GROUP_LIBRARIAN = ("rapport_group_librarians", ("id", "group_id", "user_id"))
PERSON = ("rapport_person", (
    "id", "full_name", "email", "other_emails", "orcid", "job_title", "status", "department",
    "building", "room", "desk", "notes", "referred_by_id", "search_text", "first_contact_at",
    "last_contact_at", "touchpoint_count", "created_by_id", "created_at", "updated_at",
    "archived_at", "directory_id", "version",
))  # fmt: skip
MEMBERSHIP = (
    "rapport_membership",
    ("id", "role", "started_on", "ended_on", "group_id", "person_id"),
)
TOUCHPOINT = ("rapport_touchpoint", (
    "id", "occurred_at", "logged_at", "author_id", "group_id", "kind", "channel", "origin",
    "initiated_by", "read_level", "minutes", "topic", "question", "answer", "outcome",
    "confidential", "tags", "capture_line", "source_system", "external_id", "updated_at",
    "details", "version",
))  # fmt: skip
PARTICIPATION = ("rapport_participation", ("id", "touchpoint_id", "person_id", "occurred_at"))
CONTACT = ("rapport_contact", ("id", "person_id", "user_id"))
PERSON_STATS = ("rapport_person", ("first_contact_at", "last_contact_at", "touchpoint_count"))
REQUEST = ("rapport_request", (
    "id", "title", "need", "purpose", "project", "grant", "course", "deadline", "scope",
    "preferred_format", "due_on", "status", "status_changed_at", "follow_up_days",
    "follow_up_on", "followed_up_at", "outcome", "story", "story_tags", "story_at",
    "created_at", "updated_at", "created_by_id", "group_id", "owner_id", "version",
))  # fmt: skip
REQUEST_PERSON = ("rapport_request_person", ("id", "request_id", "person_id"))
REQUEST_TOUCHPOINT = ("rapport_request_touchpoint", ("id", "request_id", "touchpoint_id"))
STATUS_CHANGE = (
    "rapport_request_status_change",
    ("id", "request_id", "from_status", "to_status", "at", "by_id", "note"),
)
DELIVERABLE = ("rapport_deliverable", (
    "id", "request_id", "title", "url", "file", "description", "delivered_at", "by_id",
))  # fmt: skip
TABLES = (
    USER, GROUP, GROUP_LIBRARIAN, PERSON, MEMBERSHIP, TOUCHPOINT, PARTICIPATION, CONTACT,
    REQUEST, REQUEST_PERSON, REQUEST_TOUCHPOINT, STATUS_CHANGE, DELIVERABLE,
)  # fmt: skip


class Buffer:
    """Collects rows for one table and hands them over in batches."""

    def __init__(self, spec: tuple[str, tuple[str, ...]]) -> None:
        self.table, self.columns = spec
        self.rows: list[tuple] = []

    @property
    def full(self) -> bool:
        return len(self.rows) >= BATCH

    def take(self) -> Batch:
        batch = Batch(self.table, self.columns, self.rows)
        self.rows = []
        return batch


def stamp(epoch: int) -> str:
    """A UTC timestamp as Django stores it on SQLite ("2025-10-07 09:30:00"); PostgreSQL reads
    the same text in the connection's UTC zone, so one format serves both."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


class Calendar:
    """Days of the period, numbered from 0, with the UTC epoch of each day's local midnight."""

    def __init__(self, end: dt.datetime, years: int, tz: ZoneInfo) -> None:
        self.tz = tz
        self.end = end.astimezone(tz)
        self.end_epoch = int(self.end.timestamp())
        last = self.end.date()
        self.first = last - dt.timedelta(days=round(years * 365.25) - 1)
        self.days = (last - self.first).days + 1
        # Local noon minus twelve hours: right all day except the hour around a DST change,
        # which falls at night, outside the office hours touchpoints happen in.
        self.midnight = [
            int(dt.datetime.combine(self.date(i), dt.time(12), tz).timestamp()) - 43_200
            for i in range(self.days)
        ]
        self.end_second = self.end_epoch - self.midnight[-1]

    def date(self, day: int) -> dt.date:
        return self.first + dt.timedelta(days=day)

    def day_of(self, value: dt.date) -> int:
        return (value - self.first).days

    def iso(self, day: int) -> str:
        return self.date(day).isoformat()

    def at(self, day: int, second: int) -> int:
        """The UTC epoch of a local time on a day of the period (day may lie outside it)."""
        if 0 <= day < self.days:
            return self.midnight[day] + second
        moment = dt.datetime.combine(self.date(day), dt.time(), self.tz)
        return int(moment.timestamp()) + second


_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "'": "",
        "’": "",
        " ": "",
        "-": "",
    }
)


def ascii_name(name: str) -> str:
    """'Søren', 'O'Brien', 'de la Cruz' → 'soren', 'obrien', 'delacruz' (for addresses)."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()
