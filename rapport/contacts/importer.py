"""Cards into people, in batches: match each card to a person, merge, and write in bulk.

A card is matched, in this order, by its directory id (X-DIRECTORY-ID, or a UID equal to a
person's directory id), its ORCID iD, a UID this Rapport wrote on export, a UID (or name hash)
an earlier import recorded, then its e-mail addresses. A match the importer may not see is
skipped and reported, never changed. Everyone else is created, with the importer as a contact.

Merging never loses what a librarian typed: a card fills or replaces the name, title,
department, building and room it has, adds e-mail addresses, and appends a note the person
does not already have. ORCID and directory ids are set only when the person has none. Once a
card has touched a person, later cards of the same file for that person only fill blanks, so
a file that names someone twice gives the same result every time it is imported.

E-mail addresses match a person's main address or any of their other addresses, in any case;
a batch's addresses are looked up together (`rapport/people/addresses.py`), never card by card.

This is the bulk path the service runs (one transaction, audited there as one entry): people
are inserted with `executemany` and updated with `bulk_update` (the search index follows
through its triggers), and new people get their relationship rows as `refresh` makes them
(see `bulk.py`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models.base import ModelState
from django.utils import timezone

from rapport.accounts.models import User
from rapport.concurrency import next_version
from rapport.contacts import bulk
from rapport.contacts.mapping import Contact, to_contact
from rapport.contacts.models import CardKey
from rapport.contacts.reader import Card, Unreadable
from rapport.contacts.writer import own_person_id
from rapport.duplicates.queries import survivors
from rapport.people.addresses import by_address, with_other_address
from rapport.people.models import Person
from rapport.people.queries import people_for
from rapport.text import printable

BATCH = 1_000
MAX_PROBLEMS = 1_000
MAX_IDS = 1_000
REPLACED = ("job_title", "department", "building", "room")
WRITTEN = [
    "full_name",
    "email",
    "other_emails",
    "orcid",
    "directory_id",
    *REPLACED,
    "notes",
    "search_text",
    "updated_at",
]


@dataclass
class Report:
    cards: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # card, name, message
    problem_count: int = 0
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)

    def keep_ids(self, kept: list[int], ids: list[int]) -> None:
        """Ids for the audit entry: the first MAX_IDS, so memory stays flat for any file."""
        kept.extend(ids[: max(0, MAX_IDS - len(kept))])

    def problem(self, number: int, name: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            # Stored with the job: a reader's message may quote what the card held.
            self.problems.append((number, printable(name), printable(message)))


def _lowered(addresses: list[str]) -> list[str]:
    return [a.lower() for a in addresses]


def _merge(person: Person, contact: Contact, fill_only: bool, owned: dict[str, Person]) -> bool:
    """Apply a card to a person in memory; True if anything changed."""
    before = [getattr(person, name) for name in WRITTEN[:-2]]
    before[2] = list(before[2])
    # A name made up from an e-mail address only names someone who has no name yet.
    if not person.full_name or (
        contact.named and contact.full_name != person.full_name and not fill_only
    ):
        person.full_name = contact.full_name
    for address in contact.emails:
        owner = owned.get(address)
        if owner is not None and owner is not person:
            contact.problems.append(f"{address} belongs to another person; not added.")
        elif not person.email:
            person.email = address
        elif address != person.email.lower() and address not in _lowered(person.other_emails):
            person.other_emails = [*person.other_emails, address]
    for name in ("orcid", "directory_id"):
        value = getattr(contact, name)
        if value and not getattr(person, name):
            setattr(person, name, value)
        elif value and value != getattr(person, name):
            label = "ORCID iD" if name == "orcid" else "directory id"
            contact.problems.append(f"The person already has another {label}; kept theirs.")
    for name in REPLACED:
        value = getattr(contact, name)
        if value and value != getattr(person, name) and not (fill_only and getattr(person, name)):
            setattr(person, name, value)
    if contact.notes and contact.notes not in person.notes.replace("\r\n", "\n"):
        person.notes = f"{person.notes}\n\n{contact.notes}" if person.notes else contact.notes
    changed = before != [getattr(person, name) for name in WRITTEN[:-2]]
    if changed:
        person.refresh_search_text()
    return changed


class Importer:
    """One import's state across batches: counts, problems, and the people already touched."""

    def __init__(self, by: User, progress: Callable[[int], None] | None = None) -> None:
        self.by = by
        self.progress = progress
        self.report = Report()
        self.touched: set[int] = set()
        self.sees_all = by.is_admin
        self._template: Person | None = None

    def run(self, cards: Iterable[Card | Unreadable]) -> Report:
        batch: list[Card | Unreadable] = []
        for card in cards:
            batch.append(card)
            if len(batch) >= BATCH:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        return self.report

    def _batch(self, cards: list[Card | Unreadable]) -> None:
        report = self.report
        contacts: list[Contact] = []
        problems: list[tuple[int, str, str]] = []
        for card in cards:
            report.cards += 1
            if isinstance(card, Unreadable):
                report.failed += 1
                problems.append((card.number, "", card.message))
                continue
            contact, reason = to_contact(card)
            if contact is None:
                report.failed += 1
                problems.append((card.number, "", reason))
            else:
                contacts.append(contact)
        index = _Index(contacts)
        visible = self._visible(index.people.keys())
        created: list[Person] = []
        changed: dict[int, Person] = {}
        new: set[int] = set()  # id() of the people created in this batch
        for contact in contacts:
            person = index.find(contact)
            if person is not None and person.pk is not None and person.pk not in visible:
                report.skipped += 1
                contact.problems.append(
                    "This person is already in Rapport outside your groups; ask an "
                    "administrator to import this card."
                )
            elif person is None:
                person = self._new_person()
                _merge(person, contact, False, index.owner)
                created.append(person)
                new.add(id(person))
                index.add(person, contact)
                report.created += 1
            else:
                fill_only = person.pk in self.touched or id(person) in new
                if _merge(person, contact, fill_only, index.owner):
                    report.updated += 1
                    if person.pk is not None:
                        changed[person.pk] = person
                else:
                    report.unchanged += 1
                index.add(person, contact)
                if person.pk is not None:
                    self.touched.add(person.pk)
            problems.extend((contact.number, contact.full_name, m) for m in contact.problems)
        for problem in sorted(problems, key=lambda p: p[0]):
            report.problem(*problem)
        self._write(created, list(changed.values()), index)
        if self.progress:
            self.progress(report.cards)

    def _new_person(self) -> Person:
        """A new person with the model's defaults, copied from one made once: Model.__init__
        was a tenth of a 100,000-card import (no init signals are skipped; the project uses
        none)."""
        if self._template is None:
            self._template = Person(created_by=self.by)
        person = Person.__new__(Person)
        person.__dict__.update(self._template.__dict__)
        person._state = ModelState()
        person.other_emails = []
        return person

    def _visible(self, ids: Iterable[int]) -> set[int]:
        ids = list(ids)
        if self.sees_all or not ids:
            return set(ids)
        return set(
            people_for(self.by, include_archived=True)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    def _write(self, created: list[Person], changed: list[Person], index: "_Index") -> None:
        now = timezone.now()
        if created:
            bulk.insert(created, now)
            new_ids = [p.pk for p in created]
            self.report.keep_ids(self.report.created_ids, new_ids)
            self.touched.update(new_ids)
            bulk.add_contacts(new_ids, self.by.pk)
            bulk.new_relationships(new_ids)  # prospects, with the cadence the rules give
        if changed:
            for person in changed:
                person.updated_at = now
                person.version = next_version()  # an edit: open forms and ETags are stale
            Person.objects.bulk_update(changed, [*WRITTEN, "version"])
            self.report.keep_ids(self.report.updated_ids, [p.pk for p in changed])
        bulk.add_keys([(key, person.pk) for key, person in index.new_keys])


class _Index:
    """The people a batch's cards may refer to, by each way of finding them, loaded a few
    queries per batch (never per card); people created or changed earlier in the batch are
    added as they come."""

    def __init__(self, contacts: list[Contact]) -> None:
        dir_ids = {c.directory_id for c in contacts if c.directory_id}
        dir_ids |= {c.uid[:100] for c in contacts if c.uid}
        orcids = {c.orcid for c in contacts if c.orcid}
        emails = {e for c in contacts for e in c.emails}
        own = {pk for c in contacts if c.uid and (pk := own_person_id(c.uid)) is not None}
        keys = {k for c in contacts for k in c.match_keys()}
        known: dict[str, int] = dict(
            CardKey.objects.filter(key__in=keys).values_list("key", "person_id")
        )
        # One query per index: SQLite answers an OR across columns by scanning the table.
        self.people: dict[int, Person] = {}
        lookups: list[tuple[str, set[Any]]] = [
            ("directory_id__in", dir_ids),
            ("orcid__in", orcids),
            ("email__in", emails),
            ("pk__in", own | set(known.values())),
        ]
        for lookup, values in lookups:
            if values:
                for person in Person.objects.filter(**{lookup: values}):
                    self.people.setdefault(person.pk, person)
        # Everyone whose main address a card has is loaded now. An address none of them has
        # may be someone else's other address: one pass over the people with any. (A card
        # imported again usually brings only addresses its person has: no pass at all.)
        held = {a.lower() for p in self.people.values() for a in p.emails}
        if unknown := emails - held:
            for person in with_other_address(Person.objects.all(), unknown):
                self.people.setdefault(person.pk, person)
        # A merged record keeps its ids and addresses: cards find the person it lives on as.
        moved = survivors(self.people.values())
        found = list(self.people.values())
        for person in moved.values():
            self.people.setdefault(person.pk, person)
        self.people.update((pk, moved[pk]) for pk in list(self.people) if pk in moved)
        live = {p.pk: moved.get(p.pk, p) for p in found}
        self.by_key: dict[str, Person] = {
            k: self.people[pk] for k, pk in known.items() if pk in self.people
        }
        self.by_dir = {p.directory_id: live[p.pk] for p in found if p.directory_id}
        self.by_orcid = {p.orcid: live[p.pk] for p in found if p.orcid}
        # Who has each address: a main address before someone's other address.
        self.owner: dict[str, Person] = {
            address: live[p.pk] for address, p in by_address(found, emails).items()
        }
        self.new_keys: list[tuple[str, Person]] = []

    def find(self, c: Contact) -> Person | None:
        for value in (c.directory_id, c.uid[:100]):
            if value and value in self.by_dir:
                return self.by_dir[value]
        if c.orcid and c.orcid in self.by_orcid:
            return self.by_orcid[c.orcid]
        own = own_person_id(c.uid) if c.uid else None
        if own is not None and own in self.people:
            return self.people[own]
        for key in c.match_keys():
            if key in self.by_key:
                return self.by_key[key]
        for address in c.emails:
            if address in self.owner:
                return self.owner[address]
        return None

    def add(self, person: Person, c: Contact) -> None:
        """Remember how this person is found now, for later cards of the batch, and the card's
        keys (through CardKey) for later imports."""
        if person.directory_id:
            self.by_dir.setdefault(person.directory_id, person)
        if person.orcid:
            self.by_orcid.setdefault(person.orcid, person)
        for address in person.emails:
            self.owner.setdefault(address, person)
        for key in c.match_keys():
            if key not in self.by_key:
                self.by_key[key] = person
                self.new_keys.append((key, person))
