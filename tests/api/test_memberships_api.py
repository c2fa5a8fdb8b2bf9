"""/api/v1/memberships: read through the person's scope, written through the services."""

import pytest

from rapport.audit.models import AuditEntry
from rapport.people.models import Membership
from tests.api.conftest import NOT_AN_INTEGER, forbidden, invalid, not_found, one_error

NO_SUCH_DAY = "Input should be a valid date or datetime, day value is outside expected range"


def membership_json(m: Membership) -> dict:
    m.refresh_from_db()
    return {
        "id": m.pk,
        "person": {"id": m.person_id, "full_name": m.person.full_name},
        "group": {"id": m.group_id, "name": m.group.name},
        "role": m.role,
        "started_on": m.started_on and m.started_on.isoformat(),
        "ended_on": m.ended_on and m.ended_on.isoformat(),
        "is_current": m.is_current,
    }


def of(world, person) -> Membership:
    return Membership.objects.get(person=person)


def test_list_memberships_alice_sees_chem_members(call, world):
    reply = call("GET", "/memberships", as_=world.alice)

    assert reply.status == 200
    assert reply.body == {
        "count": 2,
        "limit": 50,
        "offset": 0,
        "items": [membership_json(of(world, world.ana)), membership_json(of(world, world.ben))],
    }


def test_list_memberships_bob_sees_only_hugo(call, world):
    reply = call("GET", "/memberships", as_=world.bob)

    assert reply.body["items"] == [membership_json(of(world, world.hugo))]


def test_list_memberships_filtered_by_person_and_group(call, world):
    by_person = call("GET", "/memberships", as_=world.ada, params={"person": world.ben.pk})
    by_group = call("GET", "/memberships", as_=world.ada, params={"group": world.history.pk})

    assert by_person.body["items"] == [membership_json(of(world, world.ben))]
    assert by_group.body["items"] == [membership_json(of(world, world.hugo))]


def test_list_memberships_person_out_of_scope_is_invalid(call, world):
    reply = call("GET", "/memberships", as_=world.bob, params={"person": world.ana.pk})

    message = f"There is no person {world.ana.pk} that you can see."
    assert reply.body == invalid(message, "/memberships", {"person": [message]})


def test_list_memberships_manager_is_forbidden(call, world):
    reply = call("GET", "/memberships", as_=world.mia)

    assert reply.body == forbidden(
        "Managers see aggregate figures only, not individual memberships.", "/memberships"
    )


def test_get_membership_bob_cannot_read_anas(call, world):
    pk = of(world, world.ana).pk

    reply = call("GET", f"/memberships/{pk}", as_=world.bob)

    assert reply.body == not_found(
        f"There is no membership {pk} that you can see.", f"/memberships/{pk}"
    )


def test_get_membership_manager_is_forbidden(call, world):
    reply = call("GET", f"/memberships/{of(world, world.ana).pk}", as_=world.mia)

    assert reply.status == 403


def test_create_membership_round_trip(call, world):
    body = {
        "person": world.carla.pk,
        "group": world.history.pk,
        "role": " visiting  scholar ",
        "started_on": "2024-09-01",
        "ended_on": "2025-06-30",
    }

    reply = call("POST", "/memberships", as_=world.ada, body=body)

    created = Membership.objects.get(person=world.carla)
    assert reply.status == 201
    assert reply.body == membership_json(created)
    assert (created.role, str(created.started_on), str(created.ended_on)) == (
        "visiting scholar",
        "2024-09-01",
        "2025-06-30",
    )
    assert reply.body["is_current"] is False
    assert call("GET", f"/memberships/{created.pk}", as_=world.ada).body == reply.body


def test_create_membership_group_not_served_is_invalid(call, world):
    body = {"person": world.ana.pk, "group": world.history.pk}

    reply = call("POST", "/memberships", as_=world.alice, body=body)

    message = f"There is no group {world.history.pk} that you can see."
    assert reply.body == invalid(message, "/memberships", {"group": [message]})
    assert Membership.objects.count() == 3


def test_create_membership_person_out_of_scope_is_invalid(call, world):
    body = {"person": world.carla.pk, "group": world.chem.pk}

    reply = call("POST", "/memberships", as_=world.alice, body=body)

    message = f"There is no person {world.carla.pk} that you can see."
    assert reply.body == invalid(message, "/memberships", {"person": [message]})
    assert Membership.objects.count() == 3


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"started_on": "2024-02-30"}, "started_on", NO_SUCH_DAY),
        ({"role": "r" * 101}, "role", "Ensure this value has at most 100 characters (it has 101)."),
        ({"person": "ana"}, "person", NOT_AN_INTEGER),
    ],
)
def test_create_membership_bad_input_saves_nothing(call, world, extra, field, message):
    body = {"person": world.ben.pk, "group": world.chem.pk, **extra}

    reply = call("POST", "/memberships", as_=world.alice, body=body)

    assert reply.body == one_error("/memberships", field, message)
    assert Membership.objects.count() == 3
    assert not AuditEntry.objects.exists()


def test_create_membership_ending_before_it_starts_saves_nothing(call, world):
    body = {
        "person": world.ben.pk,
        "group": world.chem.pk,
        "started_on": "2024-05-01",
        "ended_on": "2024-04-01",
    }

    reply = call("POST", "/memberships", as_=world.alice, body=body)

    assert reply.body == invalid(
        "A membership cannot end before it starts.",
        "/memberships",
        {"ended_on": ["Ends before it starts."]},
    )
    assert Membership.objects.count() == 3


def test_update_membership_round_trip(call, world):
    pk = of(world, world.ben).pk

    reply = call(
        "PATCH", f"/memberships/{pk}", as_=world.alice, body={"role": "PI", "ended_on": None}
    )

    assert reply.status == 200
    assert reply.body == membership_json(Membership.objects.get(pk=pk))
    assert reply.body["role"] == "PI"
    assert AuditEntry.objects.get(action="update").changes == {"role": ["member", "PI"]}


def test_update_membership_cannot_move_it_to_another_person(call, world):
    pk = of(world, world.ben).pk

    reply = call("PATCH", f"/memberships/{pk}", as_=world.alice, body={"person": world.ana.pk})

    assert reply.body == invalid(
        "person: Extra inputs are not permitted",
        f"/memberships/{pk}",
        {"person": ["Extra inputs are not permitted"]},
    )
    assert Membership.objects.get(pk=pk).person == world.ben


def test_update_membership_end_before_start_changes_nothing(call, world):
    pk = of(world, world.ben).pk
    body = {"started_on": "2024-05-01", "ended_on": "2024-04-01"}

    reply = call("PATCH", f"/memberships/{pk}", as_=world.alice, body=body)

    assert reply.status == 422
    assert Membership.objects.get(pk=pk).started_on is None
