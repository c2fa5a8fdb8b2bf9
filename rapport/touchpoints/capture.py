"""Parse the one-line quick-capture syntax librarians type to log a touchpoint.

A capture line is free prose sprinkled with small markers::

    @Ana Ruiz asked for PRISMA search strings #systematic-review ~20m read:4 via:walkby

The parser works on whitespace-separated tokens rather than one big regular expression because
the capture box must never lose anything typed: every token ends up either in
``Capture.consumed`` (it set a field) or in ``Capture.text`` (it is part of the note). A marker
that looks intentional but holds a bad value (``read:9``) stays in the text *and* produces a
problem sentence, so the caller can refuse the line instead of silently guessing. Ordinary words
that merely look like markers (``sat`` as a weekday, a second day word) stay in the text without
complaint, because they are usually prose.

Two markers open a request (the work a question asks for) along with the touchpoint:
``+request`` opens one, and ``due:<when>`` says when we owe it: ``due:today``,
``due:tomorrow``, a weekday (``due:fri``, the next one *after* today, so a Friday's ``due:fri``
is a week ahead), an ISO date (``due:2026-12-01``), ``due:3d`` / ``due:2w``, or
``due:in 3 days``. A ``due:`` without ``+request`` would set nothing, so it stays in the text
with a problem ("add +request") rather than being dropped silently; other ``+words`` are prose.
A word for a day to come (``tomorrow``, ``next week``) is a request's due date in a line with
``+request`` and no ``due:``; elsewhere it stays in the text and is reported as ``later``, so
the capture box can ask whether it is a follow-up (a touchpoint records what already happened).

Pure standard library on purpose: it is imported by services, the API and tests alike, and has
to be fast to property-test without Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from fractions import Fraction
from types import MappingProxyType
from typing import TypeVar

from rapport.people.mentions import LEFT as _LEFT
from rapport.people.mentions import PUNCT as _PUNCT
from rapport.people.mentions import read_mention

__all__ = ["CHANNELS", "INITIATORS", "KINDS", "ORIGINS", "VIA", "Capture", "parse_capture"]

KINDS: tuple[str, ...] = (
    "question", "consultation", "instruction", "meeting", "hallway", "email", "deliverable",
)  # fmt: skip
CHANNELS: tuple[str, ...] = ("in_person", "email", "chat", "phone", "video", "other")
ORIGINS: tuple[str, ...] = (
    "direct", "walkby", "routine", "referral", "desk", "scheduled", "campaign", "alert", "other",
)  # fmt: skip
INITIATORS: tuple[str, ...] = ("them", "us")
#: ``via:X`` value -> (channel, origin); None means "the line does not say".
VIA: Mapping[str, tuple[str | None, str | None]] = MappingProxyType({
    "walkby": ("in_person", "walkby"), "desk": ("in_person", "desk"),
    "meeting": ("in_person", "scheduled"), "email": ("email", None), "chat": ("chat", None),
    "phone": ("phone", None), "video": ("video", None), "routine": ("in_person", "routine"),
    "referral": (None, "referral"), "campaign": ("email", "campaign"), "alert": ("email", "alert"),
})  # fmt: skip

MAX_MINUTES = 24 * 60
_WEEKDAYS = {
    **dict.fromkeys(("mon", "monday"), 0), **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4), **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}  # fmt: skip
_DAYS_AGO = {"today": 0, "yesterday": 1}
_DAY_WORDS = _WEEKDAYS.keys() | _DAYS_AGO.keys()
#: Words for a day still to come, in days from today ("next week" is two words).
_LATER = {"tomorrow": 1, "next week": 7}
_TAG = re.compile(r"#([^\W_][\w/.-]*)")
_DURATION = re.compile(
    r"~(?:(?P<h>[0-9]+(?:\.[0-9]+)?)(?:h|hr|hrs)(?:(?P<hm>[0-9]+)(?:m|min|mins)?)?"
    r"|(?P<m>[0-9]+)(?:m|min|mins)?)",
    re.IGNORECASE,
)
_KEYED = re.compile(r"(read|via|kind|by):(.+)", re.IGNORECASE)
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}))?", re.IGNORECASE)
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})|([0-9]{1,2})(?::([0-9]{2}))?(am|pm)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_REQUEST = "+request"
_DUE_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DUE_SPAN = re.compile(r"([0-9]{1,4})(d|w)")
_DUE_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_DUE_HELP = "a due date like due:fri, due:tomorrow, due:2026-12-01, due:3d or due:in 3 days"

# Inference. How it came about (via) is checked before the words, which are whole words only
# ("classic" is not "class"); the first matching entry wins.
_VIA_KIND = {"walkby": "hallway", "email": "email", "meeting": "meeting"}
_VIA_BY = {"walkby": "them", "desk": "them", "referral": "them", "campaign": "us", "alert": "us"}
_KIND_WORDS = (
    (("consult", "consults", "consulted", "consulting", "consultation", "consultations"),
     "consultation"),
    (("workshop", "workshops", "taught", "teach", "teaches", "teaching", "class", "classes",
      "session", "sessions", "instruction", "training"), "instruction"),
    (("sent", "delivered", "shared"), "deliverable"),
)  # fmt: skip
_THEM = (
    "asked", "asks", "wanted", "wants", "needed", "needs", "requested", "emailed me",
    "stopped me", "came by",
)  # fmt: skip
_US = ("sent", "told", "suggested", "offered", "followed up", "reached out", "invited")

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Capture:
    """What one capture line says. Fields the line does not mention are None (or empty)."""

    text: str = ""
    kind: str = "question"
    kind_inferred: bool = True
    mentions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    minutes: int | None = None
    read_level: int | None = None
    via: str | None = None
    channel: str | None = None
    origin: str | None = None
    initiated_by: str | None = None
    initiated_by_inferred: bool = False
    occurred_at: datetime | None = None
    request: bool = False
    due_on: date | None = None
    #: A word for a day to come ("tomorrow", "next week") left in the text of a line that
    #: opens no request, and its date: the caller asks whether it is a follow-up.
    later: str | None = None
    later_on: date | None = None
    consumed: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def parse_capture(line: str, *, now: datetime) -> Capture:
    """Parse one capture line; never raises for any string (bad markers become ``problems``).

    ``now`` must be timezone-aware: relative words (today, mon, 14:00) are read in its zone,
    which is the librarian's local zone, not UTC.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_capture needs a timezone-aware `now`.")
    return _Parser(line, now).parse()


def _clock(token: str) -> time | None:
    """``14:00``, ``9:30``, ``2pm``, ``9:30am`` -> a time; anything else (``25:00``) -> None."""
    m = _CLOCK.fullmatch(token)
    if not m:
        return None
    if m[1] is not None:
        hour, minute = int(m[1]), int(m[2])
        return time(hour, minute) if hour < 24 and minute < 60 else None
    hour, minute = int(m[3]), int(m[4] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    return time(hour % 12 + (12 if m[5].lower() == "pm" else 0), minute)


def _number(digits: str) -> Fraction:
    """Exact decimal value; absurdly long numbers are capped so int() never hits its limit."""
    return Fraction(10**12) if len(digits) > 12 else Fraction(digits)


def _localize(naive: datetime, tz: tzinfo | None) -> datetime:
    """Attach ``tz`` and normalise through UTC so a wall time skipped by DST moves forward.

    ``02:30`` on a spring-forward day does not exist; zoneinfo reads it with the pre-switch
    offset, and the UTC round trip turns it into the real instant (03:30 summer time). An
    ambiguous autumn time keeps fold=0, i.e. its first (summer-time) occurrence.
    """
    aware = naive.replace(tzinfo=tz)
    try:
        return aware.astimezone(UTC).astimezone(tz)
    except (OverflowError, ValueError):  # years 1 and 9999 cannot cross UTC; keep as typed
        return aware


class _Parser:
    """One left-to-right pass; each token is looked at once (mentions may take a few)."""

    def __init__(self, line: str, now: datetime) -> None:
        self.tokens = line.split()
        self.used = [False] * len(self.tokens)
        self.now = now
        self.problems: list[str] = []
        self.mentions: dict[str, str] = {}  # casefolded -> as typed, first spelling wins
        self.tags: dict[str, None] = {}
        self.ints: dict[str, tuple[str, int]] = {}  # slot -> (token shown, value)
        self.strs: dict[str, tuple[str, str]] = {}
        self.day: tuple[str, date, bool] | None = None  # (token, date, is the word "today")
        self.clock: tuple[str, time] | None = None
        self.unclosed: dict[str, int] = {}  # closer -> a position with no closer after it
        self.request = False
        self.due: tuple[str, date, list[int]] | None = None  # (token shown, date, positions)
        self.later: tuple[str, date, list[int]] | None = None  # the first "tomorrow" and kin

    def parse(self) -> Capture:
        i = 0
        while i < len(self.tokens):
            i = self.step(i)
        if self.due is not None and not self.request:
            for k in self.due[2]:
                self.used[k] = False
            self.problems.append(f"{self.due[0]} is a request's due date: add +request{_LEFT}")
            self.due = None
        later = None
        if self.later is not None:
            if self.request and self.due is None:  # "+request … tomorrow": its due date
                self.due = self.later
                for k in self.later[2]:
                    self.used[k] = True
            elif not self.request:
                later = self.later[:2]
        text = " ".join(t for t, u in zip(self.tokens, self.used, strict=True) if not u)
        words = " " + " ".join(_WORD.findall(text.lower())) + " "

        def says(terms: tuple[str, ...]) -> bool:
            return any(f" {term} " in words for term in terms)

        via = self.strs["via"][1] if "via" in self.strs else None
        channel, origin = VIA[via] if via else (None, None)
        kind = self.strs["kind"][1] if "kind" in self.strs else _VIA_KIND.get(via or "")
        kind = kind or next((name for terms, name in _KIND_WORDS if says(terms)), "question")
        by = self.strs["by"][1] if "by" in self.strs else _VIA_BY.get(via or "")
        # via first: "via:walkby, I suggested Zotero" was still their visit.
        by = by or ("them" if says(_THEM) else "us" if says(_US) else None)
        return Capture(
            text=text,
            kind=kind,
            kind_inferred="kind" not in self.strs,
            mentions=tuple(self.mentions.values()),
            tags=tuple(self.tags),
            minutes=self.ints["minutes"][1] if "minutes" in self.ints else None,
            read_level=self.ints["read"][1] if "read" in self.ints else None,
            via=via,
            channel=channel,
            origin=origin,
            initiated_by=by,
            initiated_by_inferred=by is not None and "by" not in self.strs,
            occurred_at=self.occurred_at(),
            request=self.request,
            due_on=self.due[1] if self.due else None,
            later=later[0] if later else None,
            later_on=later[1] if later else None,
            consumed=tuple(t for t, u in zip(self.tokens, self.used, strict=True) if u),
            problems=tuple(self.problems),
        )

    def step(self, i: int) -> int:
        """Handle the token at ``i``; return the index of the next unhandled token."""
        token = self.tokens[i]
        bare = token.rstrip(_PUNCT)
        low = bare.lower()
        if token.startswith("@") and len(token) > 1:
            return self.mention(i)
        if tag := _TAG.fullmatch(bare):
            self.tags.setdefault(tag[1].lower())
            self.used[i] = True
        elif low == _REQUEST:
            self.request = self.used[i] = True
        elif low.startswith("due:") and len(low) > 4:
            return self.due_date(i, bare, low[4:])
        elif re.match(r"~[0-9]", bare):
            self.duration(i, bare)
        elif keyed := _KEYED.fullmatch(bare):
            self.keyed(i, bare, keyed[1].lower(), keyed[2].lower())
        elif iso := _ISO.fullmatch(bare):
            self.iso(i, bare, iso)
        elif low in _LATER:
            self.later_word(i, [i], bare, _LATER[low])
        elif (
            low == token.lower() == "next"
            and i + 1 < len(self.tokens)
            and self.tokens[i + 1].rstrip(_PUNCT).lower() == "week"
        ):
            shown = f"{token} {self.tokens[i + 1].rstrip(_PUNCT)}"
            self.later_word(i, [i, i + 1], shown, _LATER["next week"])
            return i + 2
        elif low in _DAY_WORDS:
            self.day_word(i, bare, low)
        elif self.clock is None and (at := _clock(bare)) is not None:
            self.clock = (bare, at)
            self.used[i] = True
        elif low == token.lower() == "at" and self.clock is None and i + 1 < len(self.tokens):
            # "at 2pm": the preposition belongs to the time, so take both or neither.
            nxt = self.tokens[i + 1].rstrip(_PUNCT)
            if (at := _clock(nxt)) is not None:
                self.clock = (nxt, at)
                self.used[i] = self.used[i + 1] = True
                return i + 2
        return i + 1

    def claim(self, table: dict[str, tuple[str, _T]], slot: str, i: int, value: _T) -> None:
        """Set a field once; repeating the same value is harmless, a different one is a problem."""
        shown = self.tokens[i].rstrip(_PUNCT)
        held = table.get(slot)
        if held is None:
            table[slot] = (shown, value)
        elif held[1] != value:
            self.problems.append(f"{shown} conflicts with {held[0]}{_LEFT}")
            return
        self.used[i] = True

    def keyed(self, i: int, shown: str, key: str, value: str) -> None:
        if key == "read":
            if value in ("1", "2", "3", "4", "5", "6"):
                self.claim(self.ints, "read", i, int(value))
            else:
                self.problems.append(f"{shown} is not on the READ scale (1–6){_LEFT}")
            return
        allowed = {"via": tuple(VIA), "kind": KINDS, "by": INITIATORS}[key]
        if value in allowed:
            self.claim(self.strs, key, i, value)
        else:
            self.problems.append(f"{shown} is not one of {', '.join(allowed)}{_LEFT}")

    def duration(self, i: int, shown: str) -> None:
        m = _DURATION.fullmatch(shown)
        if m and m["m"] is not None:
            total = _number(m["m"])
        elif m and _number(m["hm"] or "0") < 60:
            total = _number(m["h"]) * 60 + _number(m["hm"] or "0")
        else:
            self.problems.append(f"{shown} is not a duration like ~20m, ~1h30 or ~1.5h{_LEFT}")
            return
        minutes = math.floor(total + Fraction(1, 2))  # round half up, exactly
        if minutes <= 0:
            self.problems.append(f"{shown} is not a positive duration{_LEFT}")
        elif minutes > MAX_MINUTES:
            self.problems.append(f"{shown} is longer than a day{_LEFT}")
        else:
            self.claim(self.ints, "minutes", i, minutes)

    def iso(self, i: int, shown: str, m: re.Match[str]) -> None:
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
            at = time(int(m[4]), int(m[5])) if m[4] is not None else None
        except ValueError:
            self.problems.append(f"{shown} is not a valid date{_LEFT}")
            return
        held = self.day or (self.clock if at is not None else None)
        if held is not None:  # an explicit date is never prose, so say why it was ignored
            self.problems.append(f"{shown} conflicts with {held[0]}{_LEFT}")
            return
        self.day = (shown, day, False)
        if at is not None:
            self.clock = (shown, at)
        self.used[i] = True

    def due_date(self, i: int, shown: str, value: str) -> int:
        """``due:<when>``, always a day to come; returns the index after the tokens it took."""
        today, positions, day = self.now.date(), [i], None
        try:
            if value in ("today", "tomorrow"):
                day = today + timedelta(days=value == "tomorrow")
            elif value in _WEEKDAYS:
                day = today + timedelta(days=(_WEEKDAYS[value] - today.weekday() - 1) % 7 + 1)
            elif m := _DUE_DATE.fullmatch(value):
                day = date(int(m[1]), int(m[2]), int(m[3]))
            elif m := _DUE_SPAN.fullmatch(value):
                day = today + timedelta(days=int(m[1]) * (7 if m[2] == "w" else 1))
            elif value == "in" and shown == self.tokens[i] and i + 2 < len(self.tokens):
                count, unit = self.tokens[i + 1], self.tokens[i + 2].rstrip(_PUNCT).lower()
                if re.fullmatch(r"[0-9]{1,4}", count) and unit in _DUE_UNITS:
                    day = today + timedelta(days=int(count) * _DUE_UNITS[unit])
                    positions = [i, i + 1, i + 2]
        except (ValueError, OverflowError):
            day = None
        if day is None:
            self.problems.append(f"{shown} is not {_DUE_HELP}{_LEFT}")
            return i + 1
        if self.due is not None and self.due[1] != day:
            self.problems.append(f"{shown} conflicts with {self.due[0]}{_LEFT}")
            return i + 1
        if self.due is None:
            self.due = (shown, day, positions)
        else:  # the same date again: harmless, and consumed like the first
            self.due[2].extend(positions)
        for k in positions:
            self.used[k] = True
        return positions[-1] + 1

    def later_word(self, i: int, positions: list[int], shown: str, days: int) -> None:
        """Note the first word for a day to come; `parse` decides whether it is taken."""
        if self.later is None:
            try:
                self.later = (shown, self.now.date() + timedelta(days=days), positions)
            except OverflowError:
                return

    def day_word(self, i: int, shown: str, low: str) -> None:
        """Only the first day word counts: later ones ("sat with her") are most likely prose."""
        if self.day is not None:
            return
        today = self.now.date()
        back = _DAYS_AGO[low] if low in _DAYS_AGO else (today.weekday() - _WEEKDAYS[low]) % 7
        try:
            self.day = (shown, today - timedelta(days=back), low == "today")
        except OverflowError:
            return
        self.used[i] = True

    def occurred_at(self) -> datetime | None:
        """Day and time bind wherever they sit in the line; a bare day means noon, "today" now."""
        if self.day is None and self.clock is None:
            return None
        if self.clock is None and self.day is not None and self.day[2]:
            return self.now
        day = self.day[1] if self.day else self.now.date()
        at = self.clock[1] if self.clock else time(12, 0)
        return _localize(datetime.combine(day, at), self.now.tzinfo)

    def mention(self, i: int) -> int:
        """A mention (people/mentions.py): ``@ana``, ``@Ana de la Cruz``, ``@"ana de la cruz"``."""
        read = read_mention(self.tokens, i, self.unclosed)
        if read.problem:
            self.problems.append(read.problem)
        if read.name is not None:
            self.add_mention(read.name, i, read.end)
        return read.end

    def add_mention(self, name: str, start: int, end: int) -> None:
        self.mentions.setdefault(name.casefold(), name)
        for k in range(start, end):
            self.used[k] = True
