"""Writes to people, groups and memberships. Each runs in one transaction and is audited."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import record, snapshot
from rapport.concurrency import (
    Expected,
    brought_up_to_date,
    check_version,
    save_changes,
    values_of,
)
from rapport.errors import Invalid
from rapport.people.models import Group, Membership, Person
from rapport.people.queries import (
    access_group,
    access_membership,
    access_person,
    contacts_to_keep,
    people_for,
)
from rapport.people.validators import normalise_orcid
from rapport.relationships.services import refresh as refresh_relationships

PERSON_FIELDS = [
    "full_name",
    "email",
    "other_emails",
    "orcid",
    "directory_id",
    "job_title",
    "status",
    "department",
    "building",
    "room",
    "desk",
    "notes",
    "referred_by",
]
#: The fields as the person form names them, to say where a problem is (`Invalid.first_of`).
PERSON_LABELS = {
    "full_name": "Full name",
    "email": "E-mail",
    "other_emails": "Other e-mail addresses",
    "orcid": "ORCID iD",
    "directory_id": "Directory id",
    "job_title": "Job title",
    "status": "Status",
    "department": "Department",
    "building": "Building",
    "room": "Room",
    "desk": "Desk",
    "notes": "Notes",
    "referred_by": "Referred by",
}
GROUP_FIELDS = ["name", "kind", "description"]
MEMBERSHIP_FIELDS = ["person", "group", "role", "started_on", "ended_on"]


def clean_person(person: Person) -> None:
    """Normalise and validate a person's fields, raising Invalid with every field's problem:
    the one check behind creating, editing and importing people."""
    errors: dict[str, list[str]] = {}
    person.full_name = " ".join(person.full_name.split())
    if not person.full_name:
        errors["full_name"] = ["A person needs a name."]
    person.email = person.email.strip().lower()
    cleaned = []
    for address in person.other_emails or []:
        address = str(address).strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("other_emails", []).append(f"“{address}” is not an e-mail address.")
        if address and address != person.email and address not in cleaned:
            cleaned.append(address)
    person.other_emails = cleaned
    if person.orcid:
        try:
            person.orcid = normalise_orcid(person.orcid)
        except ValidationError as e:
            errors["orcid"] = list(e.messages)
    if person.referred_by_id and person.referred_by_id == person.pk:
        errors["referred_by"] = ["A person cannot refer themselves."]
    try:
        person.full_clean(exclude=["referred_by", "other_emails", "orcid", *errors])
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise Invalid.first_of(errors, PERSON_LABELS)
    person.refresh_search_text()


def _assign(obj: Any, fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise Invalid(
            f"Unknown field(s): {', '.join(sorted(unknown))}.",
            {f: ["Unknown field."] for f in sorted(unknown)},
        )
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if value is None and field.get_internal_type() in {"CharField", "TextField", "EmailField"}:
            value = ""
        setattr(obj, name, value)


@transaction.atomic
def create_person(*, by: User, group: Group | None = None, **fields: Any) -> Person:
    """Create a person; the creator becomes one of their contacts so they can see them. With
    a `group`, they join it (`add_membership`), so the group's cadence rules reach them."""
    require_librarian(by, to="change records")
    person = Person(created_by=by)
    _assign(person, fields, PERSON_FIELDS)
    clean_person(person)
    person.save()
    person.contacts.add(by)
    # Their own row (a prospect, with the cadence their status brings) and the referrer's count.
    refresh_relationships([person.pk, person.referred_by_id])
    record(
        actor=by,
        action="create",
        obj=person,
        summary=person.full_name,
        changes=snapshot(person, PERSON_FIELDS),
    )
    if group is not None:
        add_membership(by=by, person=person, group=group)
    return person


@transaction.atomic
def update_person(
    *, by: User, person: Person, expected_version: Expected = None, **fields: Any
) -> Person:
    """Change the fields given, on the person as committed now; only the values that differ
    are written (rapport/concurrency.py). With `expected_version` (the form's hidden version,
    the API's If-Match), an edit made on an older version is refused with `Changed`."""
    row = access_person(by, person.pk, for_write=True)
    check_version(row, expected_version)
    before = values_of(row, PERSON_FIELDS)
    _assign(row, fields, PERSON_FIELDS)
    clean_person(row)
    # Only what changed, never the contact figures: those belong to the touchpoint services.
    changes = save_changes(row, before, also=["search_text"])
    if changes:
        # The referrers' referral counts, and this person's cadence (their status may change).
        refresh_relationships([before["referred_by"], row.referred_by_id, row.pk])
        row.refresh_from_db(fields=["first_contact_at", "last_contact_at", "touchpoint_count"])
        record(actor=by, action="update", obj=row, summary=row.full_name, changes=changes)
    return brought_up_to_date(person, row)


def _set_archived(by: User, person: Person, archived: bool) -> Person:
    row = access_person(by, person.pk, for_write=True)
    if (row.archived_at is not None) != archived:
        before = values_of(row, ["archived_at"])
        row.archived_at = timezone.now() if archived else None
        changes = save_changes(row, before)
        action = "archive" if archived else "restore"
        record(actor=by, action=action, obj=row, summary=row.full_name, changes=changes)
    return brought_up_to_date(person, row)


@transaction.atomic
def archive_person(*, by: User, person: Person) -> Person:
    """Hide a person from lists without losing their history."""
    return _set_archived(by, person, True)


@transaction.atomic
def restore_person(*, by: User, person: Person) -> Person:
    return _set_archived(by, person, False)


def _clean_group(group: Group) -> None:
    group.name = " ".join(group.name.split())
    try:
        group.full_clean(exclude=["librarians"])
    except ValidationError as e:
        raise Invalid.from_django(e) from None


@transaction.atomic
def create_group(*, by: User, librarians: list[User] | None = None, **fields: Any) -> Group:
    """Create a group; a librarian who creates one serves it."""
    require_librarian(by, to="change records")
    group = Group()
    _assign(group, fields, GROUP_FIELDS)
    _clean_group(group)
    group.save()
    serving = librarians if librarians is not None else ([] if by.is_admin else [by])
    group.librarians.set(serving)
    record(
        actor=by,
        action="create",
        obj=group,
        summary=group.name,
        changes={**snapshot(group, GROUP_FIELDS), "librarians": [u.pk for u in serving]},
    )
    return group


@transaction.atomic
def update_group(
    *, by: User, group: Group, librarians: list[User] | None = None, **fields: Any
) -> Group:
    """Change the fields given, on the group as committed now, writing only what differs."""
    row = access_group(by, group.pk, for_write=True)
    before = values_of(row, GROUP_FIELDS)
    _assign(row, fields, GROUP_FIELDS)
    _clean_group(row)
    changes = save_changes(row, before)
    if librarians is not None:
        old = sorted(row.librarians.values_list("pk", flat=True))
        new = sorted(u.pk for u in librarians)
        if old != new:
            row.librarians.set(librarians)
            changes["librarians"] = [old, new]
    if changes:
        record(actor=by, action="update", obj=row, summary=row.name, changes=changes)
    return brought_up_to_date(group, row)


@transaction.atomic
def archive_group(*, by: User, group: Group) -> Group:
    group = access_group(by, group.pk, for_write=True)
    if group.archived_at is None:
        group.archived_at = timezone.now()
        group.save(update_fields=["archived_at"])
        record(actor=by, action="archive", obj=group, summary=group.name)
    return group


def _clean_membership(m: Membership) -> None:
    m.role = " ".join((m.role or "").split())
    if m.started_on and m.ended_on and m.ended_on < m.started_on:
        raise Invalid(
            "A membership cannot end before it starts.", {"ended_on": ["Ends before it starts."]}
        )
    try:
        m.full_clean()
    except ValidationError as e:
        raise Invalid.from_django(e) from None


def _require_reach(by: User, person: Person) -> None:
    """Joining a group they serve puts a person in the librarian's reach, with everything
    colleagues logged about them: allowed for a person they reach already or whom nobody else
    has; otherwise (found by an address, say) a colleague or an administrator shares them
    first (rapport/people/sharing.py)."""
    if people_for(by, include_archived=True).filter(pk=person.pk).exists():
        return
    _, withheld = contacts_to_keep([(person.pk, by.pk)])
    if withheld:
        message = (
            f"{person.email or 'That person'} is in the care of colleagues: ask one of them or "
            "an administrator to share them with you (or to add them to the group)."
        )
        raise Invalid(message, {"person": [message]})


@transaction.atomic
def add_membership(
    *,
    by: User,
    person: Person,
    group: Group,
    role: str = "",
    started_on: dt.date | None = None,
    ended_on: dt.date | None = None,
) -> Membership:
    group = access_group(by, group.pk, for_write=True)
    _require_reach(by, person)
    m = Membership(person=person, group=group, role=role, started_on=started_on, ended_on=ended_on)
    _clean_membership(m)
    m.save()
    refresh_relationships([person.pk])  # a role or a group can bring a cadence rule
    record(
        actor=by,
        action="create",
        obj=m,
        summary=f"{person} joined {group}",
        changes=snapshot(m, MEMBERSHIP_FIELDS),
    )
    return m


@transaction.atomic
def update_membership(*, by: User, membership: Membership, **fields: Any) -> Membership:
    """Change the role or dates, on the membership as committed now, writing only what
    differs."""
    row = access_membership(by, membership.pk, for_write=True)
    before = values_of(row, ["role", "started_on", "ended_on"])
    _assign(row, fields, ["role", "started_on", "ended_on"])
    _clean_membership(row)
    changes = save_changes(row, before)
    membership = brought_up_to_date(membership, row)
    if changes:
        refresh_relationships([row.person_id])
        record(actor=by, action="update", obj=membership, summary=str(membership), changes=changes)
    return membership
