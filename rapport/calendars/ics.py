"""Writing iCalendar (RFC 5545) text: escaping, folding at 75 octets, CRLF. Pure, no models.

Written by hand rather than through a library so that the output is byte-for-byte stable
(the feed's ETag is a hash of it) and every rule a strict client checks is visible here.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

CRLF = "\r\n"
MAX_OCTETS = 75


@dataclass(frozen=True)
class AllDayEvent:
    """One all-day entry: `day` is the date; DTEND is the day after (exclusive)."""

    uid: str
    day: dt.date
    summary: str
    stamp: dt.datetime
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line so no physical line exceeds 75 octets, never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # continuation lines begin with one space
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def event_lines(event: AllDayEvent) -> Iterator[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{event.uid}"
    yield f"DTSTAMP:{utc_stamp(event.stamp)}"
    yield f"LAST-MODIFIED:{utc_stamp(event.stamp)}"
    yield f"DTSTART;VALUE=DATE:{_date(event.day)}"
    yield f"DTEND;VALUE=DATE:{_date(event.day + dt.timedelta(days=1))}"
    yield f"SUMMARY:{escape_text(event.summary)}"
    if event.description:
        yield f"DESCRIPTION:{escape_text(event.description)}"
    if event.url:
        yield f"URL:{event.url}"
    if event.categories:
        yield "CATEGORIES:" + ",".join(escape_text(c) for c in event.categories)
    # A reminder to act, not time taken: it should not show the librarian as busy.
    yield "TRANSP:TRANSPARENT"
    yield "CLASS:PRIVATE"
    yield "END:VEVENT"


def calendar(name: str, events: Iterable[AllDayEvent], *, refresh: str = "PT1H") -> str:
    """A whole VCALENDAR: a header clients use to name and refresh it, then the events."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Rapport//Calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"X-PUBLISHED-TTL:{refresh}",
    ]
    for event in events:
        lines.extend(event_lines(event))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
