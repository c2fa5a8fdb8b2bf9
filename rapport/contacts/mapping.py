"""What a vCard says about a person, in Rapport's terms, and the reverse for export.

`to_contact` turns a read card into a `Contact` (the fields of `Person` that vCard carries,
cleaned and cut to the columns' sizes) or a plain reason why the card cannot become a person.
Problems that still let the card through (an address that is not one, a wrong ORCID check
digit, a long title) are kept on the contact, so the import report shows them.
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from rapport.contacts.reader import Card, Property, components, text, unescape
from rapport.people.validators import normalise_orcid
from rapport.text import first_bad_text

# Column sizes of `Person`, so an import never fails on a database limit.
LIMITS = {
    "full_name": 200,
    "job_title": 200,
    "department": 200,
    "building": 100,
    "room": 50,
    "directory_id": 100,
}
EMAIL_MAX = 254
ORCID_URL = re.compile(r"orcid\.org/(\d{4}-?\d{4}-?\d{4}-?\d{3}[\dX])", re.I)
ROOM = re.compile(r"^(?:room|rm\.?|office|suite)\s*(?:no\.?\s*)?(.+)$", re.I)
# RFC 9554 adds components to ADR after the country; these two are the ones Rapport keeps.
ADR_ROOM, ADR_BUILDING = 7, 12
# Rapport writes the directory id under this name; it reads it back from it.
DIRECTORY_ID = "X-DIRECTORY-ID"


@dataclass
class Contact:
    number: int
    full_name: str = ""
    emails: list[str] = field(default_factory=list)
    orcid: str = ""
    directory_id: str = ""
    job_title: str = ""
    department: str = ""
    building: str = ""
    room: str = ""
    notes: str = ""
    uid: str = ""
    named: bool = True  # False when the name had to be made up from an e-mail address
    problems: list[str] = field(default_factory=list)

    def match_keys(self) -> list[str]:
        """How this card is known between imports: its UID, else (with nothing else to go on)
        a hash of its name, so re-importing a card with only a name finds the same person."""
        if self.uid:
            return [f"uid:{self.uid[:240]}"]
        if not (self.emails or self.orcid or self.directory_id):
            name = " ".join(self.full_name.lower().split())
            return ["name:" + hashlib.sha256(name.encode()).hexdigest()]
        return []


def _cut(contact: Contact, name: str, value: str) -> str:
    limit = LIMITS[name]
    if len(value) > limit:
        contact.problems.append(f"{name.replace('_', ' ')} was cut to {limit} characters.")
        return value[:limit].rstrip()
    return value


def _preferred_first(props: list[Property]) -> list[Property]:
    """PREF=1 (4.0), TYPE=pref (3.0) or a bare PREF (2.1) first; otherwise file order."""

    def rank(prop: Property) -> int:
        pref = prop.param("PREF")
        if pref:
            try:
                return int(pref[0])
            except ValueError:
                return 1
        return 1 if "pref" in prop.types else 101

    return sorted(props, key=rank)


def _emails(card: Card, contact: Contact) -> None:
    for prop in _preferred_first(card.all("EMAIL")):
        address = text(prop).lower().removeprefix("mailto:")
        if not address or address in contact.emails:
            continue
        try:
            if len(address) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(address)
        except ValidationError:
            contact.problems.append(f"“{address[:80]}” is not an e-mail address; left out.")
            continue
        contact.emails.append(address)


def _orcid(card: Card, contact: Contact) -> None:
    candidates = [text(p) for p in card.all("X-ORCID")]
    for prop in card.all("URL"):
        if match := ORCID_URL.search(text(prop)):
            candidates.append(match.group(1))
    for value in candidates:
        try:
            contact.orcid = normalise_orcid(value.removeprefix("https://orcid.org/"))
            return
        except ValidationError as e:
            contact.problems.append(f"ORCID iD left out: {e.messages[0]}")


def _name(card: Card, contact: Contact) -> None:
    full = " ".join(text(card.first("FN")).split())
    if not full and (n := card.first("N")):
        parts = [" ".join(v for v in c if v) for c in components(n)]
        family, given, additional, prefix, suffix = (parts + [""] * 5)[:5]
        full = " ".join(p for p in (prefix, given, additional, family, suffix) if p)
        full = " ".join(full.split())
    if not full and (nick := card.first("NICKNAME")):
        full = " ".join(text(nick).split())
    if not full and contact.emails:
        full, contact.named = contact.emails[0], False
        contact.problems.append("No name on the card; named after the e-mail address.")
    contact.full_name = _cut(contact, "full_name", full)


def _address(card: Card, contact: Contact) -> None:
    """Building and room from the work address (else the only one): the RFC 9554 room and
    building components when present, else the extended address ("Main Hall, Room 214")."""
    adrs = card.all("ADR")
    work = [a for a in adrs if "work" in a.types]
    if not (work or len(adrs) == 1):
        return
    parts = components((work or adrs)[0])
    building = room = ""
    if len(parts) > ADR_BUILDING:
        room = ", ".join(v for v in parts[ADR_ROOM] if v)
        building = ", ".join(v for v in parts[ADR_BUILDING] if v)
    if not (building or room) and len(parts) > 1:
        values = [v.strip() for value in parts[1] for v in value.split(",") if v.strip()]
        rest = []
        for value in values:
            match = ROOM.match(value)
            if match and not room:
                room = match.group(1).strip()
            else:
                rest.append(value)
        building = ", ".join(rest)
    contact.building = _cut(contact, "building", building.strip())
    contact.room = _cut(contact, "room", room.strip())


def _texts(card: Card) -> Iterator[tuple[str, str]]:
    """Every value and parameter of the card by property name, for `rapport.text`'s check:
    a card holding text no database can store is not imported (and not quoted)."""
    for prop in card.properties:
        yield prop.name, prop.value
        for values in prop.params.values():
            yield from ((prop.name, value) for value in values)


def to_contact(card: Card) -> tuple[Contact | None, str]:
    """The contact a card describes, or None and the reason it cannot become a person."""
    refused = first_bad_text(_texts(card))
    if refused:
        return None, refused[1]
    contact = Contact(number=card.number, problems=list(card.problems))
    _emails(card, contact)
    _orcid(card, contact)
    _name(card, contact)
    if not contact.full_name:
        return None, "No name and no e-mail address on the card; there is nobody to import."
    contact.job_title = _cut(contact, "job_title", text(card.first("TITLE")))
    if org := card.first("ORG"):
        # Commas in ORG are not list separators; writers that forget to escape them still
        # mean one name.
        units = [",".join(c).strip() for c in components(org)[1:]]
        contact.department = _cut(contact, "department", ", ".join(u for u in units if u))
    _address(card, contact)
    notes = [unescape(p.value).replace("\r\n", "\n").strip() for p in card.all("NOTE")]
    contact.notes = "\n\n".join(n for n in notes if n)
    contact.uid = text(card.first("UID"))
    contact.directory_id = _cut(contact, "directory_id", text(card.first(DIRECTORY_ID)))
    return contact, ""
