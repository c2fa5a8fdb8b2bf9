"""People rows (a campus directory): update who is known by directory id, e-mail (a person's
main address or any other, in any case) or ORCID, create the rest, add memberships from a
group column. Each chunk's ids and addresses are looked up together, never row by row.

Each row is checked by the people services' own rules (`clean_person`), so an imported person
is exactly what the form would have saved; rows are written per chunk with `bulk_create` /
`bulk_update`, and the job's run records one audit entry, not one per person.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.accounts.models import User
from rapport.concurrency import next_version
from rapport.duplicates.queries import survivors
from rapport.errors import Invalid
from rapport.imports.resolve import GroupMap
from rapport.imports.sources import Row
from rapport.imports.touchpoints import Result, unprefixed
from rapport.people.addresses import by_address, with_address
from rapport.people.models import Membership, Person
from rapport.people.services import clean_person
from rapport.people.validators import normalise_orcid
from rapport.relationships.services import refresh as refresh_relationships

# Fields a directory row may set; empty cells never blank what Rapport already holds.
FIELDS = ["email", "orcid", "directory_id", "job_title", "status", "department", "building"]
FIELDS += ["room", "desk", "notes"]
SAVED = ["full_name", "other_emails", *FIELDS, "search_text", "updated_at"]


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _name(f: dict[str, Any]) -> str:
    return _text(f.get("full_name")) or _text(
        f"{_text(f.get('first_name'))} {_text(f.get('last_name'))}"
    )


def _orcid(value: str) -> str:
    try:
        return normalise_orcid(value) if value else ""
    except ValidationError:  # reported by clean_person, with the people form's message
        return value


class PeopleImport:
    """Plans and writes chunks of people rows for one job."""

    def __init__(self, *, by: User) -> None:
        self.by = by
        self.groups = GroupMap()

    def _find(self, rows: list[Row]) -> list[Person]:
        emails, orcids, dir_ids = set(), set(), set()
        for row in rows:
            f = row.fields
            emails.add(_text(f.get("email")).lower())
            orcids.add(_orcid(_text(f.get("orcid"))))
            dir_ids.add(_text(f.get("directory_id")))
        # Each index apart (SQLite answers an OR across columns by scanning the table); an
        # address may be a person's main one or any of their others.
        found: dict[int, Person] = {}
        for people in (
            with_address(Person.objects.all(), emails),
            Person.objects.filter(orcid__in=orcids - {""}),
            Person.objects.filter(directory_id__in=dir_ids - {""}),
        ):
            found.update((p.pk, p) for p in people)
        return sorted(found.values(), key=lambda p: p.pk)

    def chunk(self, rows: list[Row], *, write: bool) -> Result:
        result = Result()
        known = self._find(rows)
        index: dict[tuple[str, str], Person] = {}
        moved = survivors(known)  # a merged record's ids lead to the person it lives on as
        for person in known:
            for kind, value in (("d", person.directory_id), ("o", person.orcid)):
                if value:
                    index.setdefault((kind, value), moved.get(person.pk, person))
        wanted = {_text(row.fields.get("email")) for row in rows}
        for address, person in by_address(known, wanted).items():
            index.setdefault(("e", address), moved.get(person.pk, person))
        claimed: dict[int, int] = {}  # person id (or id(new object)) → first row
        creates: list[Person] = []
        updates: list[Person] = []
        joins: list[tuple[Person, int, str, int]] = []
        for row in rows:
            f = row.fields
            result.issues.extend(
                (row.number, "warning", unprefixed(row.number, w)) for w in row.warnings
            )
            errors = [unprefixed(row.number, e) for e in row.errors]
            keys = [
                ("d", _text(f.get("directory_id"))),
                ("e", _text(f.get("email")).lower()),
                ("o", _orcid(_text(f.get("orcid")))),
            ]
            matches = {index[k].pk: index[k] for k in keys if k[1] and k in index}
            if len(matches) > 1:
                names = " and ".join(f"{p.full_name} (id {p.pk})" for p in matches.values())
                errors.append(f"Matches {names} by different ids: fix the file or merge them.")
            if errors:
                result.failed += 1
                result.issues.extend((row.number, "error", e) for e in errors)
                continue
            found = next(iter(matches.values()), None)
            is_new = found is None
            if found is not None and found.pk in claimed:
                result.skipped += 1
                result.issues.append(
                    (row.number, "warning", f"Same person as row {claimed[found.pk]}: skipped.")
                )
                continue
            person = found if found is not None else Person(created_by=self.by, full_name=_name(f))
            before = {name: getattr(person, name) for name in SAVED}
            changed = self._apply(person, f)
            try:
                clean_person(person)
            except Invalid as err:
                for name, value in before.items():
                    setattr(person, name, value)
                result.failed += 1
                result.issues.append((row.number, "error", err.message))
                continue
            claimed[person.pk or id(person)] = row.number
            for kind, value in keys:
                if value:
                    index.setdefault((kind, value), person)
            group_id, group_known = self.groups.get(f.get("group"))
            if not group_known:
                result.issues.append(
                    (row.number, "warning", f"No group called “{_text(f.get('group'))}”: "
                     "no membership added.")
                )  # fmt: skip
            if group_id:
                joins.append((person, group_id, _text(f.get("role"))[:100], row.number))
            if is_new:
                creates.append(person)
                result.created += 1
            elif changed:
                updates.append(person)
                result.updated += 1
            else:
                result.skipped += 1
        if write:
            self._write(creates, updates, joins, result)
        else:
            result.counts["memberships"] += len(joins)
        return result

    def finish(self, *, resumed: bool) -> None:
        """Nothing deferred: each chunk refreshed the people it touched."""

    def _apply(self, person: Person, f: dict[str, Any]) -> bool:
        """Copy the row's non-empty values onto the person; whether anything changed."""
        changed = False
        name = _name(f)
        if name and name != person.full_name:
            person.full_name, changed = name, True
        for field in FIELDS:
            value = _text(f.get(field))
            if field == "email":
                value = value.lower()
                if value and person.email and value != person.email.lower():
                    if value not in [e.lower() for e in person.other_emails]:
                        person.other_emails = [*person.other_emails, value]
                        changed = True
                    continue
            if field == "orcid":
                value = _orcid(value)
            if field == "status":
                value = value.lower()
            if value and value != getattr(person, field):
                setattr(person, field, value)
                changed = True
        others = f.get("other_emails") or []
        if isinstance(others, str):
            others = others.replace(";", " ").replace(",", " ").split()
        for address in others:
            address = str(address).strip().lower()
            if address and address != person.email and address not in person.other_emails:
                person.other_emails = [*person.other_emails, address]
                changed = True
        return changed

    def _write(self, creates, updates, joins, result: Result) -> None:
        now = timezone.now()
        for person in updates:
            person.updated_at = now
            person.version = next_version()  # an edit: forms and ETags opened before are stale
        Person.objects.bulk_create(creates)
        Person.objects.bulk_update(updates, [*SAVED, "version"])
        Person.contacts.through.objects.bulk_create(
            [Person.contacts.through(person_id=p.pk, user_id=self.by.pk) for p in creates],
            ignore_conflicts=True,
        )
        today = timezone.localdate()
        current = set(
            Membership.objects.filter(person__in=[p for p, *_ in joins])
            .exclude(ended_on__lt=today)
            .values_list("person_id", "group_id")
        )
        new = []
        for person, group_id, role, _number in joins:
            if (person.pk, group_id) not in current:
                current.add((person.pk, group_id))
                new.append(Membership(person=person, group_id=group_id, role=role))
        Membership.objects.bulk_create(new)
        result.counts["memberships"] += len(new)
        touched = {p.pk for p in creates} | {p.pk for p in updates} | {m.person_id for m in new}
        refresh_relationships(touched)
        result.person_ids |= touched
