import datetime as dt

import pytest

from rapport.audit.models import AuditEntry
from rapport.errors import Forbidden, Invalid
from rapport.people.models import Group, Membership, Person
from rapport.people.services import (
    add_membership,
    archive_person,
    create_group,
    create_person,
    restore_person,
    update_membership,
    update_person,
)


def test_create_person_normalises_and_audits(world):
    person = create_person(
        by=world.alice,
        full_name="  Dana   Scully ",
        email="Dana@FBI.example",
        other_emails=["dana@fbi.example", "d.scully@uni.example"],
        orcid="0000000218250097",
        status="researcher",
        building="Science Hall",
        room="2.14",
        desk="B",
    )

    assert person.full_name == "Dana Scully"
    assert person.email == "dana@fbi.example"
    assert person.other_emails == ["d.scully@uni.example"]
    assert person.orcid == "0000-0002-1825-0097"
    assert person.search_text == "dana scully dana@fbi.example d.scully@uni.example"
    assert person.location == "Science Hall, room 2.14, desk B"
    assert list(person.contacts.all()) == [world.alice]
    entry = AuditEntry.objects.get(object_type="person", object_id=str(person.pk))
    assert (entry.actor, entry.action, entry.changes["full_name"]) == (
        world.alice,
        "create",
        "Dana Scully",
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", "A person needs a name."),
        ({"full_name": "X", "email": "not-an-email"}, "email", "Enter a valid email address."),
        (
            {"full_name": "X", "orcid": "0000-0002-1825-0098"},
            "orcid",
            "“0000-0002-1825-0098” has a wrong check digit; please check the ORCID iD.",
        ),
        (
            {"full_name": "X", "orcid": "12345"},
            "orcid",
            "“12345” is not an ORCID iD (expected 0000-0000-0000-000X).",
        ),
        ({"full_name": "X", "status": "wizard"}, "status", "Value 'wizard' is not a valid choice."),
        (
            {"full_name": "X", "other_emails": ["nope"]},
            "other_emails",
            "“nope” is not an e-mail address.",
        ),
    ],
)
def test_create_person_bad_input_is_refused_and_nothing_saved(world, fields, field, message):
    before = (Person.objects.count(), AuditEntry.objects.count())

    with pytest.raises(Invalid) as err:
        create_person(by=world.alice, **fields)

    assert err.value.fields[field] == [message]
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_create_person_unknown_field_is_refused(world):
    with pytest.raises(Invalid) as err:
        create_person(by=world.alice, full_name="X", shoe_size=42)
    assert err.value.message == "Unknown field(s): shoe_size."


def test_update_person_records_before_and_after(world):
    update_person(by=world.alice, person=world.ana, job_title="Professor", referred_by=world.ben)

    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {
        "job_title": ["", "Professor"],
        "referred_by": [None, world.ben.pk],
        "version": [1, 2],
    }
    assert Person.objects.get(pk=world.ana.pk).referred_by == world.ben


def test_update_person_cannot_refer_themselves(world):
    with pytest.raises(Invalid) as err:
        update_person(by=world.alice, person=world.ana, referred_by=world.ana)
    assert err.value.fields == {"referred_by": ["A person cannot refer themselves."]}


def test_archive_and_restore_person(world):
    archive_person(by=world.alice, person=world.ana)
    assert Person.objects.get(pk=world.ana.pk).archived_at is not None

    restore_person(by=world.alice, person=world.ana)
    assert Person.objects.get(pk=world.ana.pk).archived_at is None
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "archive",
        "restore",
    ]


def test_manager_cannot_create_people(world):
    with pytest.raises(Forbidden):
        create_person(by=world.mia, full_name="X")
    assert not Person.objects.filter(full_name="X").exists()


def test_create_group_librarian_serves_it(world):
    group = create_group(by=world.alice, name="  Neuro  Lab", kind="research_team")

    assert group.name == "Neuro Lab"
    assert list(group.librarians.all()) == [world.alice]


def test_create_group_unknown_kind_is_refused(world):
    with pytest.raises(Invalid) as err:
        create_group(by=world.alice, name="Nope", kind="cult")
    assert err.value.fields == {"kind": ["Value 'cult' is not a valid choice."]}
    assert not Group.objects.filter(name="Nope").exists()


def test_membership_dates_must_be_in_order(world):
    with pytest.raises(Invalid) as err:
        add_membership(
            by=world.alice,
            person=world.carla,
            group=world.chem,
            started_on=dt.date(2026, 5, 1),
            ended_on=dt.date(2026, 1, 1),
        )
    assert err.value.message == "A membership cannot end before it starts."
    assert not Membership.objects.filter(person=world.carla).exists()


def test_membership_end_is_audited(world):
    m = add_membership(
        by=world.alice,
        person=world.carla,
        group=world.chem,
        role="PI",
        started_on=dt.date(2025, 9, 1),
    )

    update_membership(by=world.alice, membership=m, ended_on=dt.date(2026, 8, 31))

    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {"ended_on": [None, "2026-08-31"]}
