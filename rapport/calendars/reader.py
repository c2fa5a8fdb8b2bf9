"""Reading meetings out of .ics files, tolerantly. Pure: bytes in, `Meeting`s out, no models.

A file is parsed whole with `icalendar`; if that fails, each VEVENT is parsed on its own (with
the file's time zones that parse), so one broken event costs only itself. Recurring events
are expanded within the chosen dates; cancelled instances, EXDATEs and all-day entries are
skipped, and moved instances (RECURRENCE-ID) replace the ones they move.
"""

import dataclasses
import datetime as dt
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rruleset, rrulestr

from rapport.text import first_bad_text, printable

MAX_MINUTES = 24 * 60
# Meetings read from one file, in the chosen dates: a librarian's calendar holds thousands;
# a rule can make millions (BYSECOND lists on a daily rule, decades of daily meetings).
MAX_MEETINGS = 50_000
# Repetitions worked out for one file, counting those before the chosen dates (a rule is
# followed from its first start): decades of daily meetings times thousands of events would
# otherwise take hours.
MAX_STEPS = 1_000_000
OVER = f"more than {MAX_MEETINGS:,} meetings in the chosen dates (the rest were left out)"
# Rules that repeat more often than daily are not meetings anyone attends.
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
VIDEO_HOSTS = re.compile(
    r"(zoom\.us|zoom\.com|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com"
    r"|webex\.com|whereby\.com|meet\.jit\.si|gotomeeting\.com|gotomeet\.me|bluejeans\.com"
    r"|chime\.aws|join\.skype\.com|meet\.lync\.com|bigbluebutton|hangouts\.google\.com)",
    re.I,
)
VIDEO_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)
# Where invitations append joining instructions to the description (Teams and Outlook draw a
# line of underscores, Google a row of -::~:~::~ marks): the librarian's notes come before.
BOILERPLATE = re.compile(r"^(_{10,}|-::~[:~]+::-)\s*$", re.M)
BLOCK = r"^BEGIN:{0}\r?$.*?^END:{0}\r?$"
_ZONE_BLOCK = re.compile(BLOCK.format("VTIMEZONE") + r"\n?", re.M | re.S | re.I)
_ZONE_PART = re.compile(r"^BEGIN:(STANDARD|DAYLIGHT)\r?$(.*?)^END:\1\r?$", re.M | re.S | re.I)
_ZONE_ID = re.compile(r"^TZID(?:;[^:\r\n]*)?:(.*?)\r?$", re.M | re.I)
_OFFSET_FROM = re.compile(r"^TZOFFSETFROM[;:]", re.M | re.I)
_OFFSET_TO = re.compile(r"^TZOFFSETTO[;:]", re.M | re.I)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # a placeholder start, replaced per occurrence


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    declined: bool = False
    organiser: bool = False


@dataclass
class Meeting:
    """One occurrence of a meeting, with what a touchpoint needs from it."""

    key: str  # the UID, plus the instance's original start for a recurring event
    start: dt.datetime
    minutes: int | None
    summary: str
    description: str
    location: str
    video: bool
    attendees: list[Attendee]


@dataclass
class Reading:
    events: int = 0
    meetings: list[Meeting] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[tuple[str, str]] = field(default_factory=list)


def decode(data: bytes) -> str:
    for bom, encoding in ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse(text: str) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # icalendar warns about guessed time zones
        return list(icalendar.Calendar.from_ical(text, multiple=True))


def _components(text: str, problems: list[tuple[str, str]]) -> list[Any]:
    """Every VEVENT in the file; event by event when the whole will not parse."""
    try:
        return [e for c in _parse(text) for e in c.walk("VEVENT")]
    except Exception as exc:  # icalendar raises many kinds on bad input
        problems.append(("file", f"Could not be read as a whole ({_short(exc)}); read by event."))
    zones = []
    for block in re.findall(BLOCK.format("VTIMEZONE"), text, re.M | re.S):
        try:
            _parse(f"BEGIN:VCALENDAR\r\n{block}\r\nEND:VCALENDAR\r\n")
            zones.append(block)
        except Exception:  # a broken zone: events in it fall back to UTC
            continue
    found: list[Any] = []
    for number, block in enumerate(re.findall(BLOCK.format("VEVENT"), text, re.M | re.S), 1):
        wrapped = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *zones, block, "END:VCALENDAR"])
        try:
            found.extend(e for c in _parse(wrapped + "\r\n") for e in c.walk("VEVENT"))
        except Exception as exc:
            problems.append((f"event {number}", f"Could not be read: {_short(exc)}"))
    return found


def _without_offsetless_zones(text: str) -> tuple[str, set[str]]:
    """The text without the VTIMEZONEs that give no offsets (no STANDARD or DAYLIGHT part, or
    one without TZOFFSETFROM and TZOFFSETTO), and their names. Such a zone says nothing about
    the times in it: parsers either refuse the file or read them at some offset of their own.
    Left out, the times are read in the library's zone (`_warn_unknown_zones` says so)."""
    dropped: set[str] = set()

    def keep_or_drop(found: re.Match[str]) -> str:
        block = found.group(0)
        parts = _ZONE_PART.findall(block)
        if parts and all(
            _OFFSET_FROM.search(body) and _OFFSET_TO.search(body) for _, body in parts
        ):
            return block
        name = _ZONE_ID.search(block)
        dropped.add(name.group(1).strip().strip('"') if name else "")
        return ""

    return _ZONE_BLOCK.sub(keep_or_drop, text), dropped


def _warn_unknown_zones(
    events: list[Any], undefined: set[str], tz: ZoneInfo, problems: list[tuple[str, str]]
) -> None:
    """One problem per time zone that no offsets define (dropped, or a name no time zone
    database knows): its times were read as the library's, which the librarian should check."""
    events_in: Counter[str] = Counter()
    for event in events:
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            try:
                value = event.get(name)
                tzid = getattr(value, "params", {}).get("TZID") if value is not None else None
                moment = getattr(value, "dt", None)
            except Exception:  # an unreadable value: reported where the event is read
                continue
            if tzid and isinstance(moment, dt.datetime) and moment.tzinfo is None:
                events_in[str(tzid)] += 1
                break
    zone = getattr(tz, "key", str(tz))
    for name, count in sorted(events_in.items()):
        why = "is defined without offsets" if name in undefined else "is not one Rapport knows"
        problems.append(
            (
                "file",
                f"The time zone “{printable(name[:80])}” {why}: the times of {count} "
                f"event{'s' if count != 1 else ''} in it were read as the library's time "
                f"({zone}). Check them against your calendar.",
            )
        )


def _short(exc: Exception) -> str:
    message = str(exc) or type(exc).__name__
    return message if len(message) <= 160 else message[:157] + "…"


def _aware(value: dt.date, tz: ZoneInfo, like: dt.datetime | None = None) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        at = like.timetz() if like else dt.time(tzinfo=tz)
        value = dt.datetime.combine(value, at.replace(tzinfo=None), tzinfo=at.tzinfo or tz)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _rule(recur: Any, start: dt.datetime) -> Any:
    """A dateutil rule from a vRecur, with UNTIL in UTC as dateutil wants for aware starts."""
    recur = recur.copy()
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        if not isinstance(until, dt.datetime):
            until = dt.datetime.combine(until, dt.time(23, 59, 59))
        recur["UNTIL"] = [_aware(until, start.tzinfo).astimezone(dt.UTC)]  # type: ignore[arg-type]
    text = recur.to_ical().decode()
    return rrulestr(text, dtstart=start)


def _label(event: Any, number: int) -> str:
    summary = str(event.get("SUMMARY", "")).strip()
    # Labels are stored with the job's problems, so they must be storable text themselves.
    return printable(summary[:80] or str(event.get("UID", "")) or f"event {number}")


def _people(event: Any) -> list[Attendee]:
    people: dict[str, Attendee] = {}
    organiser = event.get("ORGANIZER")
    entries = [(organiser, True)] if organiser else []
    entries += [(a, False) for a in event.attendees]
    for value, is_organiser in entries:
        params = getattr(value, "params", {})
        if str(params.get("CUTYPE", "INDIVIDUAL")).upper() in ("ROOM", "RESOURCE"):
            continue
        address = re.sub(r"^mailto:", "", str(value).strip(), flags=re.I).strip().lower()
        if "@" not in address:
            continue
        known = people.get(address)
        people[address] = Attendee(
            email=address,
            name=str(params.get("CN", "")).strip().strip('"') or (known.name if known else ""),
            declined=str(params.get("PARTSTAT", "")).upper() == "DECLINED"
            or bool(known and known.declined),
            organiser=is_organiser or bool(known and known.organiser),
        )
    return list(people.values())


def _is_video(event: Any, location: str, description: str) -> bool:
    if any(name in event for name in VIDEO_PROPERTIES):
        return True
    for conference in event.conferences:
        features = conference.feature or []
        features = [features] if isinstance(features, str) else features
        if "VIDEO" in [f.upper() for f in features] or VIDEO_HOSTS.search(str(conference.uri)):
            return True
    return bool(VIDEO_HOSTS.search(" ".join([location, str(event.get("URL", "")), description])))


def _notes(description: str) -> str:
    return BOILERPLATE.split(description, maxsplit=1)[0].strip()


def _meeting(event: Any, key: str, start: dt.datetime, length: dt.timedelta | None) -> Meeting:
    location = str(event.get("LOCATION", "")).strip()
    description = str(event.get("DESCRIPTION", "")).strip()
    minutes = None
    if length is not None and length >= dt.timedelta(0):
        minutes = min(round(length.total_seconds() / 60), MAX_MINUTES)
    return Meeting(
        key=key,
        start=start,
        minutes=minutes,
        summary=" ".join(str(event.get("SUMMARY", "")).split()),
        description=_notes(description),
        location=location,
        video=_is_video(event, location, description),
        attendees=_people(event),
    )


def _texts(meeting: Meeting) -> list[tuple[str, Any]]:
    """The meeting's texts by the property they came from, for `rapport.text`'s check."""
    return [
        ("SUMMARY", meeting.summary),
        ("DESCRIPTION", meeting.description),
        ("LOCATION", meeting.location),
        ("UID", meeting.key),
        ("ATTENDEE", [text for a in meeting.attendees for text in (a.email, a.name)]),
    ]


def _length(event: Any) -> dt.timedelta | None:
    try:
        return event.end - event.start
    except Exception:  # no or unreadable DTEND/DURATION: minutes unknown
        return None


def _cancelled(event: Any) -> bool:
    return str(event.get("STATUS", "")).upper() == "CANCELLED"


class _Expander:
    def __init__(self, reading: Reading, since: dt.datetime, until: dt.datetime, tz: ZoneInfo):
        self.reading, self.since, self.until, self.tz = reading, since, until, tz
        self.steps = 0  # repetitions worked out so far, against MAX_STEPS
        self._made: dict[int, tuple[Any, Meeting, str]] = {}

    def start_of(self, event: Any, label: str) -> dt.datetime | None:
        try:
            start = event.start
        except Exception:  # missing or broken (icalendar listed why)
            self.reading.problems.append((label, "No readable start; skipped."))
            return None
        if not isinstance(start, dt.datetime):
            self.reading.skipped["all-day entries"] += 1
            return None
        return _aware(start, self.tz)

    def add(self, event: Any, key: str, start: dt.datetime) -> None:
        if _cancelled(event):
            self.reading.skipped["cancelled"] += 1
        elif start > self.until:
            self.reading.skipped["not happened yet"] += 1
        elif start < self.since:
            self.reading.skipped["before the chosen dates"] += 1
        elif len(self.reading.meetings) >= MAX_MEETINGS:
            self.reading.skipped[OVER] += 1
        else:
            meeting, refused = self._made_from(event)
            if refused:
                label = printable(meeting.summary[:80]) or "An event"
                self.reading.problems.append((label, f"{refused} Not logged."))
            else:
                self.reading.meetings.append(dataclasses.replace(meeting, key=key, start=start))

    def _made_from(self, event: Any) -> tuple[Meeting, str]:
        """The meeting an event makes, with its start and key still to set, and why its text
        cannot be stored ("" when it can): worked out once for all of a series' occurrences
        (a daily meeting held for ten years has thousands), not once for each."""
        made = self._made.get(id(event))
        if made is None or made[0] is not event:
            uid = str(event.get("UID", "")).strip()
            meeting = _meeting(event, uid, _EPOCH, _length(event))
            refused = first_bad_text(_texts(meeting))
            made = self._made[id(event)] = (event, meeting, refused[1] if refused else "")
        return made[1], made[2]

    def _within(self, found: Any, label: str) -> list[dt.datetime]:
        """The rule's starts within the dates, generated one by one and no more than room is
        left for (never the whole list a rule could make)."""
        room = MAX_MEETINGS - len(self.reading.meetings)
        starts: list[dt.datetime] = []
        for moment in found:
            self.steps += 1
            if self.steps > MAX_STEPS:
                self.reading.problems.append(
                    (label, "Its repetitions were not worked out: the file repeats too much.")
                )
                break
            if moment < self.since:
                continue
            if moment > self.until:
                break
            if len(starts) >= room:
                self.reading.problems.append((label, f"Repeats {OVER}."))
                break
            starts.append(moment)
        return starts

    def instances(self, event: Any, start: dt.datetime, label: str) -> list[dt.datetime] | None:
        """The starts within the dates, or None if the event does not recur."""
        if not (event.get("RRULE") or event.get("RDATE")):
            return None
        found = rruleset()
        try:
            rules = event.rrules
            if any(str(r.get("FREQ", [""])[0]).upper() in TOO_FREQUENT for r in rules):
                self.reading.problems.append((label, "Repeats more often than daily; skipped."))
                return []
            for recur in rules:
                found.rrule(_rule(recur, start))
            for value, _end in event.rdates:
                found.rdate(_aware(value, self.tz, start))
            for value in event.exdates:
                found.exdate(_aware(value, self.tz, start))
            return self._within(found, label)
        except Exception as exc:
            self.reading.problems.append((label, f"Its repetition is unreadable ({_short(exc)})."))
            return [start] if self.since <= start <= self.until else []


def _expand_master(
    expand: _Expander, event: Any, label: str, overrides: dict, gone: set[str]
) -> None:
    start = expand.start_of(event, label)
    if start is None:
        return
    uid = str(event.get("UID", "")).strip() or f"{_instant(start)}/{event.get('SUMMARY', '')}"
    starts = expand.instances(event, start, label)
    if starts is None:
        expand.add(event, uid, start)
        return
    if _cancelled(event):
        expand.reading.skipped["cancelled"] += 1
        gone.add(uid)
        return
    for instance in starts:
        moved = overrides.pop((uid, _instant(instance)), None)
        key = f"{uid}/{_instant(instance)}"
        if moved is None:
            expand.add(event, key, instance)
        elif (moved_start := expand.start_of(moved[1], label)) is not None:
            expand.add(moved[1], key, moved_start)


def read_meetings(data: bytes, *, since: dt.datetime, until: dt.datetime, tz: ZoneInfo) -> Reading:
    """Every meeting occurrence that started between `since` and `until`; never raises on a
    damaged file (what cannot be read is listed in `problems`)."""
    reading = Reading()
    text, undefined = _without_offsetless_zones(decode(data))
    events = _components(text, reading.problems)
    reading.events = len(events)
    _warn_unknown_zones(events, undefined, tz, reading.problems)
    expand = _Expander(reading, since, until, tz)
    overrides: dict[tuple[str, str], tuple[str, Any]] = {}
    masters: list[tuple[str, Any]] = []
    for number, event in enumerate(events, 1):
        label = _label(event, number)
        for prop, message in getattr(event, "errors", []):
            reading.problems.append((label, f"{prop or 'A line'}: {_short(Exception(message))}"))
        try:
            recurrence = event.get("RECURRENCE-ID")
            if recurrence is not None and event.get("UID"):
                moment = _instant(_aware(recurrence.dt, tz))
                overrides[(str(event["UID"]), moment)] = (label, event)
            else:
                masters.append((label, event))
        except Exception:
            reading.problems.append((label, "Its RECURRENCE-ID is unreadable; skipped."))
    gone: set[str] = set()  # cancelled series: their moved instances go too
    for label, event in masters:
        try:
            _expand_master(expand, event, label, overrides, gone)
        except Exception as exc:
            reading.problems.append((label, f"Could not be read ({_short(exc)}); skipped."))
    # Moved instances whose original start fell outside the dates (or whose series is gone).
    for (uid, instant), (label, event) in overrides.items():
        try:
            if uid not in gone and (start := expand.start_of(event, label)) is not None:
                expand.add(event, f"{uid}/{instant}", start)
        except Exception as exc:
            reading.problems.append((label, f"Could not be read ({_short(exc)}); skipped."))
    # The parser's own messages may quote the file; they are stored with the job.
    reading.problems = [(label, printable(message)) for label, message in reading.problems]
    return reading
