"""/api/v1/groups: librarians see the groups they serve; managers names, kinds and counts only."""

import pytest

from rapport.audit.models import AuditEntry
from rapport.people.models import Group, Membership
from tests.api.conftest import GROUP_KINDS, forbidden, invalid, not_found, one_error, when
from tests.factories import make_person, make_touchpoint

TOO_LONG_NAME = "Ensure this value has at most 200 characters (it has 201)."


def group_json(g: Group, *, members: int, touchpoints: int) -> dict:
    g.refresh_from_db()
    return {
        "id": g.pk,
        "name": g.name,
        "kind": g.kind,
        "member_count": members,
        "touchpoint_count": touchpoints,
        "description": g.description,
        "librarians": [
            {"id": u.pk, "username": u.username, "display_name": u.display_name}
            for u in g.librarians.order_by("username")
        ],
        "created_at": when(g.created_at),
        "archived_at": when(g.archived_at),
    }


def test_list_groups_alice_sees_chem_with_counts(call, world):
    reply = call("GET", "/groups", as_=world.alice)

    assert reply.status == 200
    assert reply.body == {
        "count": 1,
        "limit": 50,
        "offset": 0,
        "items": [group_json(world.chem, members=2, touchpoints=1)],
    }


def test_list_groups_bob_sees_history(call, world):
    reply = call("GET", "/groups", as_=world.bob)

    assert reply.body["items"] == [group_json(world.history, members=1, touchpoints=1)]


def test_list_groups_admin_sees_every_group(call, world):
    reply = call("GET", "/groups", as_=world.ada)

    assert reply.body["items"] == [
        group_json(world.chem, members=2, touchpoints=1),
        group_json(world.history, members=1, touchpoints=1),
    ]


def test_list_groups_manager_sees_names_kinds_counts_only(call, world):
    reply = call("GET", "/groups", as_=world.mia)

    assert reply.status == 200
    assert reply.body["items"] == [
        {
            "id": world.chem.pk,
            "name": "Chemistry Lab",
            "kind": "research_team",
            "member_count": 2,
            "touchpoint_count": 1,
        },
        {
            "id": world.history.pk,
            "name": "History Department",
            "kind": "department",
            "member_count": 1,
            "touchpoint_count": 1,
        },
    ]


def test_get_group_manager_sees_the_summary(call, world):
    reply = call("GET", f"/groups/{world.chem.pk}", as_=world.mia)

    assert reply.body == {
        "id": world.chem.pk,
        "name": "Chemistry Lab",
        "kind": "research_team",
        "member_count": 2,
        "touchpoint_count": 1,
    }


def test_list_groups_counts_skip_others_confidential_touchpoints(call, world):
    make_touchpoint(world.bob, [world.hugo], group=world.history, confidential=True)

    for_bob = call("GET", "/groups", as_=world.bob).body["items"][0]
    for_ada = call("GET", "/groups", as_=world.ada).body["items"][1]
    for_mia = call("GET", "/groups", as_=world.mia).body["items"][1]

    assert (for_bob["touchpoint_count"], for_ada["touchpoint_count"]) == (2, 1)
    assert for_mia["touchpoint_count"] == 1


def test_list_groups_member_count_is_current_unarchived_members(call, world):
    gone = make_person("Gone Member", groups=[world.chem])
    Membership.objects.filter(person=gone).update(ended_on="2020-01-01")
    archived = make_person("Archived Member", groups=[world.chem])
    archived.archived_at = archived.created_at
    archived.save()

    reply = call("GET", "/groups", as_=world.alice)

    assert reply.body["items"][0]["member_count"] == 2


def test_list_groups_filters_by_kind_and_archived(call, world):
    Group.objects.filter(pk=world.history.pk).update(archived_at=world.chem.created_at)

    departments = call("GET", "/groups", as_=world.ada, params={"kind": "department"})
    with_archived = call(
        "GET", "/groups", as_=world.ada, params={"kind": "department", "include_archived": True}
    )

    assert departments.body["count"] == 0
    assert [g["name"] for g in with_archived.body["items"]] == ["History Department"]


def test_list_groups_unknown_kind_is_invalid(call, world):
    reply = call("GET", "/groups", as_=world.alice, params={"kind": "lab"})

    assert reply.body == one_error("/groups", "kind", GROUP_KINDS)


def test_get_group_bob_cannot_read_chem(call, world):
    reply = call("GET", f"/groups/{world.chem.pk}", as_=world.bob)

    assert reply.body == not_found(
        f"There is no group {world.chem.pk} that you can see.", f"/groups/{world.chem.pk}"
    )


def test_create_group_librarian_serves_it(call, world):
    reply = call(
        "POST",
        "/groups",
        as_=world.alice,
        body={"name": " Organic  Synthesis ", "kind": "research_team", "description": "Floor 3"},
    )

    group = Group.objects.get(name="Organic Synthesis")
    assert reply.status == 201
    assert reply.body == group_json(group, members=0, touchpoints=0)
    assert list(group.librarians.all()) == [world.alice]
    assert call("GET", f"/groups/{group.pk}", as_=world.alice).body == reply.body


def test_create_group_admin_serves_nobody(call, world):
    reply = call("POST", "/groups", as_=world.ada, body={"name": "Physics", "kind": "unit"})

    assert (reply.status, reply.body["librarians"]) == (201, [])


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "  ", "kind": "unit"}, "name", "This field cannot be blank."),
        ({"name": "G" * 201, "kind": "unit"}, "name", TOO_LONG_NAME),
        ({"name": "Lab", "kind": "lab"}, "kind", GROUP_KINDS),
        ({"name": "Lab"}, "kind", "Field required"),
        ({"name": ["Lab"], "kind": "unit"}, "name", "Input should be a valid string"),
    ],
)
def test_create_group_bad_input_saves_nothing(call, world, body, field, message):
    reply = call("POST", "/groups", as_=world.alice, body=body)

    assert reply.body == one_error("/groups", field, message)
    assert Group.objects.count() == 2
    assert not AuditEntry.objects.exists()


def test_create_group_manager_is_forbidden(call, world):
    reply = call("POST", "/groups", as_=world.mia, body={"name": "Lab", "kind": "unit"})

    assert reply.body == forbidden(
        "Managers see aggregate figures only and cannot change records.", "/groups"
    )
    assert Group.objects.count() == 2


def test_update_group_round_trip(call, world):
    reply = call(
        "PATCH", f"/groups/{world.chem.pk}", as_=world.alice, body={"description": "Wet lab"}
    )

    assert reply.status == 200
    assert reply.body == group_json(world.chem, members=2, touchpoints=1)
    assert reply.body["description"] == "Wet lab"
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"description": ["", "Wet lab"]}


def test_update_group_bob_cannot_change_chem(call, world):
    reply = call("PATCH", f"/groups/{world.chem.pk}", as_=world.bob, body={"name": "Mine"})

    assert reply.status == 404
    assert Group.objects.get(pk=world.chem.pk).name == "Chemistry Lab"


def test_update_group_manager_is_forbidden(call, world):
    reply = call("PATCH", f"/groups/{world.chem.pk}", as_=world.mia, body={"name": "Mine"})

    assert reply.status == 403
    assert Group.objects.get(pk=world.chem.pk).name == "Chemistry Lab"


def test_update_group_null_name_is_invalid(call, world):
    reply = call("PATCH", f"/groups/{world.chem.pk}", as_=world.alice, body={"name": None})

    assert reply.body == invalid(
        "name: Input should be a valid string",
        f"/groups/{world.chem.pk}",
        {"name": ["Input should be a valid string"]},
    )
    assert Group.objects.get(pk=world.chem.pk).name == "Chemistry Lab"
