"""vCard 4.0 out (RFC 6350), strict enough for any parser.

Each card starts BEGIN:VCARD, VERSION:4.0; every line ends CRLF and is folded at 75 octets
without splitting a UTF-8 sequence; text values escape backslash, comma, semicolon and line
breaks. A person's UID is stable and names this Rapport and the person, so an export imported
back into the same Rapport finds the same people (see `own_person_id`).
"""

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings

from rapport.contacts.mapping import ADR_BUILDING, ADR_ROOM, DIRECTORY_ID
from rapport.people.models import Person

LINE_OCTETS = 75
PRODID = "-//Rapport//vCard export//EN"
# Line breaks are escaped; other control characters are not allowed in a value at all.
_DROP = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


def escape(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_DROP)
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded into physical lines of at most 75 octets, CRLF."""
    data = line.encode("utf-8")
    out = bytearray()
    limit = LINE_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 sequence
            cut -= 1
        out += data[:cut] + b"\r\n "
        data = data[cut:]
        limit = LINE_OCTETS - 1  # the leading space counts
    return bytes(out + data + b"\r\n")


def _instance_prefix() -> bytes:
    return hashlib.sha256(b"rapport-vcard-uid:" + settings.SECRET_KEY.encode()).digest()[:8]


def person_uid(person_id: int) -> str:
    """urn:uuid whose first half names this Rapport and whose second half is the person's id."""
    return f"urn:uuid:{uuid.UUID(bytes=_instance_prefix() + person_id.to_bytes(8, 'big'))}"


def own_person_id(uid: str) -> int | None:
    """The person id inside a UID this Rapport wrote, else None."""
    try:
        value = uuid.UUID(uid.strip().removeprefix("urn:uuid:"))
    except ValueError:
        return None
    if value.bytes[:8] != _instance_prefix():
        return None
    return int.from_bytes(value.bytes[8:], "big")


def _name_parts(full_name: str) -> str:
    """N is required by some clients: the last word as family name, the rest as given."""
    *given, family = full_name.split() or [""]
    return f"{escape(family)};{escape(' '.join(given))};;;"


def _rev(when: dt.datetime | None) -> str:
    when = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return when.strftime("%Y%m%dT%H%M%SZ")


def card_lines(person: Person) -> list[str]:
    """The content lines of one person's card, unfolded."""
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"PRODID:{PRODID}",
        f"UID:{person_uid(person.pk)}",
        f"FN:{escape(person.full_name)}",
        f"N:{_name_parts(person.full_name)}",
    ]
    for n, address in enumerate(person.emails):
        lines.append(f"EMAIL;PREF=1:{escape(address)}" if n == 0 else f"EMAIL:{escape(address)}")
    if person.job_title:
        lines.append(f"TITLE:{escape(person.job_title)}")
    if person.department:
        lines.append(f"ORG:;{escape(person.department)}")
    if person.building or person.room:
        # The extended address for clients that know only the seven components of RFC 6350,
        # and the room and building components of RFC 9554 that Rapport reads back exactly.
        extended = ",".join(
            escape(v) for v in (person.building, person.room and f"Room {person.room}") if v
        )
        parts = [""] * (ADR_BUILDING + 6)
        parts[1] = extended
        parts[ADR_ROOM] = escape(person.room)
        parts[ADR_BUILDING] = escape(person.building)
        lines.append("ADR;TYPE=work:" + ";".join(parts))
    if person.orcid:
        lines.append(f"URL;TYPE=orcid:https://orcid.org/{person.orcid}")
    if person.directory_id:
        lines.append(f"{DIRECTORY_ID}:{escape(person.directory_id)}")
    if person.notes:
        lines.append(f"NOTE:{escape(person.notes)}")
    lines.append(f"REV:{_rev(person.updated_at)}")
    lines.append("END:VCARD")
    return lines


def write_cards(people: Iterable[Person]) -> Iterator[bytes]:
    """The cards of these people, one chunk of bytes per card, ready to stream."""
    for person in people:
        yield b"".join(fold(line) for line in card_lines(person))
