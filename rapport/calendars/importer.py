"""From meetings read out of a file to touchpoints: who took part, what is new, logging it.

`plan` decides everything without writing (the preview shows it); `log_all` writes what the
plan holds through `rapport.touchpoints.bulk_services.create_touchpoints`, so relationship
state, the audit and webhooks stay as for any touchpoint, in a time that grows with the
meetings, not with their square.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from rapport.accounts.models import User
from rapport.calendars.reader import Meeting, Reading
from rapport.people.addresses import by_address, with_address
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.touchpoints.bulk_services import NewTouchpoint, create_touchpoints
from rapport.touchpoints.models import Channel, Initiator, Kind, Origin, Touchpoint

SOURCE = "ics"
MAX_EXTERNAL_ID = 100
MAX_NOTES = 50_000
LOOKUP_CHUNK = 500  # ids per query, well within every database's parameter limit


def external_id(by: User, key: str) -> str:
    """The touchpoint's id from the librarian and the meeting's UID and instance: each
    librarian logs a meeting once, however often the file comes in; hashed when too long."""
    value = f"u{by.pk}:{key}"
    if len(value) <= MAX_EXTERNAL_ID:
        return value
    return f"u{by.pk}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


@dataclass
class Planned:
    meeting: Meeting
    external_id: str
    people: list[Person]
    initiated_by: str

    @property
    def channel(self) -> str:
        return Channel.VIDEO if self.meeting.video else Channel.IN_PERSON


@dataclass
class Plan:
    to_log: list[Planned] = field(default_factory=list)
    already: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    # address -> (name, meetings it was in), for the people nobody matched
    unmatched: dict[str, tuple[str, int]] = field(default_factory=dict)


def match_addresses(by: User, addresses: set[str]) -> dict[str, Person]:
    """People by e-mail address: among those the librarian sees (main or other address), else
    the one person anywhere whose main address it is (as a capture's @address does)."""
    if not addresses:
        return {}
    found = by_address(with_address(people_for(by), addresses).order_by("pk"), addresses)
    outside: dict[str, list[Person]] = {}
    for person in Person.objects.filter(email__in=addresses - set(found), archived_at=None):
        outside.setdefault(person.email, []).append(person)
    found.update({a: people[0] for a, people in outside.items() if len(people) == 1})
    return found


def _logged_before(ids: list[str]) -> set[str]:
    """Which of these ids are logged already. The empty-id exclusion is the partial unique
    index's condition: without it SQLite scans every touchpoint instead of using the index."""
    found: set[str] = set()
    for at in range(0, len(ids), LOOKUP_CHUNK):
        found.update(
            Touchpoint.objects.filter(
                source_system=SOURCE, external_id__in=ids[at : at + LOOKUP_CHUNK]
            )
            .exclude(external_id="")
            .order_by()
            .values_list("external_id", flat=True)
        )
    return found


def plan(by: User, reading: Reading) -> Plan:
    """What importing these meetings would log for `by`, and what it would not, and why."""
    result = Plan(skipped=Counter(reading.skipped))
    own = by.email.strip().lower()
    addresses = {a.email for m in reading.meetings for a in m.attendees if a.email != own}
    people = match_addresses(by, addresses)
    ids = {m.key: external_id(by, m.key) for m in reading.meetings}
    logged = _logged_before(sorted(set(ids.values())))
    seen: set[str] = set()
    for meeting in sorted(reading.meetings, key=lambda m: m.start):
        ext = ids[meeting.key]
        if ext in seen:
            result.skipped["twice in the file"] += 1
            continue
        seen.add(ext)
        if any(a.email == own and a.declined for a in meeting.attendees):
            result.skipped["you declined"] += 1
            continue
        if ext in logged:
            result.already += 1
            continue
        others = [a for a in meeting.attendees if a.email != own]
        matched: dict[int, Person] = {}
        for attendee in others:
            if attendee.email in people:
                matched.setdefault(people[attendee.email].pk, people[attendee.email])
            else:
                name, count = result.unmatched.get(attendee.email, ("", 0))
                result.unmatched[attendee.email] = (name or attendee.name, count + 1)
        if not matched:
            result.skipped["nobody you serve took part"] += 1
            continue
        organiser = next((a for a in meeting.attendees if a.organiser), None)
        them = organiser is not None and organiser.email != own and organiser.email in people
        result.to_log.append(
            Planned(
                meeting=meeting,
                external_id=ext,
                people=list(matched.values()),
                initiated_by=Initiator.THEM if them else Initiator.US,
            )
        )
    return result


@dataclass
class Logged:
    logged: int = 0
    already: int = 0  # another import logged them first
    problems: list[tuple[str, str]] = field(default_factory=list)


def log_all(by: User, to_log: list[Planned]) -> Logged:
    """Log the planned meetings as touchpoints, in one go (`create_touchpoints`: each person's
    state is recomputed once, not once per meeting); a meeting another import logged first
    is counted, one refused is listed with the reason."""
    entries = [
        NewTouchpoint(
            people=planned.people,
            fields={
                "occurred_at": planned.meeting.start,
                "kind": Kind.MEETING,
                "channel": planned.channel,
                "origin": Origin.SCHEDULED,
                "initiated_by": planned.initiated_by,
                "minutes": planned.meeting.minutes,
                "topic": planned.meeting.summary[:300] or "Meeting",
                "answer": planned.meeting.description[:MAX_NOTES],
                "source_system": SOURCE,
                "external_id": planned.external_id,
            },
        )
        for planned in to_log
    ]
    done = create_touchpoints(by=by, entries=entries)
    problems = [
        (to_log[index].meeting.summary or "Meeting", message)
        for index, message in sorted(done.refused.items())
    ]
    return Logged(len(done.touchpoints), len(done.already), problems)
