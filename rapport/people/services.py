"""Writes to people, groups and memberships. Each runs in one transaction and is audited."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.accounts.roles import require_librarian
from rapport.audit.services import diff, record, snapshot
from rapport.errors import Invalid
from rapport.people.models import Group, Membership, Person
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
        name, messages = next(iter(errors.items()))
        raise Invalid(f"{name.replace('_', ' ')}: {messages[0]}", errors)
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
def create_person(*, by: User, **fields: Any) -> Person:
    """Create a person; the creator becomes one of their contacts so they can see them."""
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
    return person


@transaction.atomic
def update_person(*, by: User, person: Person, **fields: Any) -> Person:
    require_librarian(by, to="change records")
    before = snapshot(person, PERSON_FIELDS)
    referrer = person.referred_by_id
    _assign(person, fields, PERSON_FIELDS)
    clean_person(person)
    # Only what the form edits: the contact figures belong to the touchpoint services, and a
    # stale copy of them in this object must not overwrite theirs.
    person.save(update_fields=[*PERSON_FIELDS, "search_text", "updated_at"])
    # The referrers' referral counts, and this person's cadence (their status may have changed).
    refresh_relationships([referrer, person.referred_by_id, person.pk])
    person.refresh_from_db(fields=["first_contact_at", "last_contact_at", "touchpoint_count"])
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    if changes:
        record(actor=by, action="update", obj=person, summary=person.full_name, changes=changes)
    return person


@transaction.atomic
def archive_person(*, by: User, person: Person) -> Person:
    """Hide a person from lists without losing their history."""
    require_librarian(by, to="change records")
    if person.archived_at is None:
        person.archived_at = timezone.now()
        person.save(update_fields=["archived_at", "updated_at"])
        record(actor=by, action="archive", obj=person, summary=person.full_name)
    return person


@transaction.atomic
def restore_person(*, by: User, person: Person) -> Person:
    require_librarian(by, to="change records")
    if person.archived_at is not None:
        person.archived_at = None
        person.save(update_fields=["archived_at", "updated_at"])
        record(actor=by, action="restore", obj=person, summary=person.full_name)
    return person


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
    require_librarian(by, to="change records")
    before = snapshot(group, GROUP_FIELDS)
    _assign(group, fields, GROUP_FIELDS)
    _clean_group(group)
    group.save()
    changes = diff(before, snapshot(group, GROUP_FIELDS))
    if librarians is not None:
        old = sorted(group.librarians.values_list("pk", flat=True))
        new = sorted(u.pk for u in librarians)
        if old != new:
            group.librarians.set(librarians)
            changes["librarians"] = [old, new]
    if changes:
        record(actor=by, action="update", obj=group, summary=group.name, changes=changes)
    return group


@transaction.atomic
def archive_group(*, by: User, group: Group) -> Group:
    require_librarian(by, to="change records")
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
    require_librarian(by, to="change records")
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
    require_librarian(by, to="change records")
    before = snapshot(membership, MEMBERSHIP_FIELDS)
    _assign(membership, fields, ["role", "started_on", "ended_on"])
    _clean_membership(membership)
    membership.save()
    refresh_relationships([membership.person_id])
    changes = diff(before, snapshot(membership, MEMBERSHIP_FIELDS))
    if changes:
        record(actor=by, action="update", obj=membership, summary=str(membership), changes=changes)
    return membership
