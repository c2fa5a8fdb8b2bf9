"""Edits that never lose one another (rapport/concurrency.py), through the services.

Each client of an edit reads the row (as a page or a route does), then asks a service to
change one field of the object it read. Whatever the interleaving, every field ends with the
value of the last edit of it, and the audit trail, replayed from the start, gives the row.
"""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.audit.models import AuditEntry
from rapport.concurrency import Changed, check_version
from rapport.people.models import Person
from rapport.people.services import create_person, update_person
from rapport.requests.models import Request
from rapport.requests.services import change_status, open_request, set_outcome, update_request
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import create_touchpoint, update_touchpoint

FIELDS = {
    "person": ["job_title", "department", "building", "room", "desk", "notes"],
    "touchpoint": ["topic", "answer", "outcome", "minutes", "read_level"],
    "request": ["purpose", "project", "grant", "course", "scope"],
}


def _value(field: str, client: int) -> object:
    if field == "minutes":
        return 10 + client
    if field == "read_level":
        return 1 + client % 6
    return f"{field} from client {client}"


def _make(kind: str, user) -> tuple[type, int, object]:
    person = create_person(by=user, full_name="Pat Doe")
    if kind == "person":
        return Person, person.pk, lambda obj, **f: update_person(by=user, person=obj, **f)
    if kind == "touchpoint":
        tp = create_touchpoint(
            by=user,
            people=[person],
            occurred_at=timezone.now() - dt.timedelta(hours=1),
            question="q",
        )
        return Touchpoint, tp.pk, lambda obj, **f: update_touchpoint(by=user, touchpoint=obj, **f)
    req = open_request(by=user, people=[person], need="A search")
    return Request, req.pk, lambda obj, **f: update_request(by=user, request=obj, **f)


@st.composite
def edits(draw):
    """A kind of row; clients, each editing one field (two may edit the same one); and the
    order of their steps: each client's first step reads, its second writes."""
    kind = draw(st.sampled_from(sorted(FIELDS)))
    fields = draw(st.lists(st.sampled_from(FIELDS[kind]), min_size=1, max_size=6))
    order = draw(st.permutations([i for i in range(len(fields)) for _ in range(2)]))
    return kind, fields, order


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=edits())
def test_any_interleaving_of_edits_keeps_each_fields_last_value(world, case):
    kind, fields, order = case
    model, pk, edit = _make(kind, world.alice)
    start = model.objects.get(pk=pk)
    initial = {f: getattr(start, f) for f in FIELDS[kind]}
    expected = dict(initial)
    read: dict[int, object] = {}

    for client in order:
        if client not in read:
            read[client] = model.objects.get(pk=pk)  # what the page or route fetched
        else:
            value = _value(fields[client], client)
            edit(read[client], **{fields[client]: value})
            expected[fields[client]] = value

    row = model.objects.get(pk=pk)
    assert {f: getattr(row, f) for f in FIELDS[kind]} == expected
    entries = AuditEntry.objects.filter(
        object_type=kind, object_id=str(pk), action="update"
    ).order_by("id")
    replayed, version = dict(initial), 1
    for entry in entries:
        changes = dict(entry.changes)
        assert changes.pop("version") == [version, version + 1]
        version += 1
        for field, (before, after) in changes.items():
            assert replayed[field] == before
            replayed[field] = after
    assert replayed == expected
    assert row.version == version


def test_an_edit_of_a_stale_object_audits_the_values_it_replaced(world):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    seen_by_bob = Person.objects.get(pk=world.ana.pk)
    update_person(by=world.alice, person=world.ana, room="2.14")

    update_person(by=world.bob, person=seen_by_bob, room="3.01")

    entry = AuditEntry.objects.filter(action="update").order_by("-id").first()
    assert (entry.actor, entry.changes) == (
        world.bob,
        {"room": ["2.14", "3.01"], "version": [2, 3]},
    )


def test_a_status_change_keeps_an_edit_made_since_the_request_was_read(world):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    req = open_request(by=world.alice, people=[world.ana], need="A search")
    page = Request.objects.get(pk=req.pk)  # the request page, opened before the edit
    update_request(by=world.bob, request=req, title="Search for the review")

    change_status(by=world.alice, request=page, status="in_progress")
    set_outcome(by=world.alice, request=page, outcome="Under way")

    req.refresh_from_db()
    assert (req.title, req.status, req.outcome, req.version) == (
        "Search for the review",
        "in_progress",
        "Under way",
        4,
    )


def test_check_version_refuses_another_version_and_lists_what_changed(world):
    world.chem.librarians.add(world.bob)  # a colleague who serves the group too
    update_person(by=world.alice, person=world.ana, job_title="Professor", room="2.14")
    update_person(by=world.bob, person=world.ana, notes="Prefers mornings.")
    row = Person.objects.get(pk=world.ana.pk)

    check_version(row, 3)
    check_version(row, {1, 3})
    check_version(row, None)
    with pytest.raises(Changed) as err:
        check_version(row, 2)

    assert err.value.status == 412
    assert err.value.message == (
        "This person was changed by someone else since you read it (version 2; it is now "
        "version 3): read it again and make your change on what it is now."
    )
    assert [(e.who, e.changes) for e in err.value.edits] == [
        ("Bob Bibby", {"notes": ["", "Prefers mornings."]})
    ]
    assert err.value.complete is True
