"""/api/v1/people: who sees whom, filters and pages, writes that round-trip or change nothing."""

import pytest

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from tests.api.conftest import (
    NOT_AN_INTEGER,
    PROBLEM,
    STATUSES,
    forbidden,
    invalid,
    not_found,
    one_error,
    when,
)
from tests.factories import make_person

SORTS = "Input should be 'name', '-last_contact', 'last_contact' or '-touchpoints'"
WRONG_CHECK_DIGIT = "“0000-0002-1825-0098” has a wrong check digit; please check the ORCID iD."
TOO_LONG_NAME = "Ensure this value has at most 200 characters (it has 5000)."
NOT_AN_ORCID = "“12345” is not an ORCID iD (expected 0000-0000-0000-000X)."
NOT_AN_EMAIL = "“nope” is not an e-mail address."


def person_json(p: Person) -> dict:
    p.refresh_from_db()
    return {
        "id": p.pk,
        "full_name": p.full_name,
        "email": p.email,
        "other_emails": p.other_emails,
        "orcid": p.orcid,
        "job_title": p.job_title,
        "status": p.status,
        "department": p.department,
        "building": p.building,
        "room": p.room,
        "desk": p.desk,
        "notes": p.notes,
        "referred_by": p.referred_by_id,
        "first_contact_at": when(p.first_contact_at),
        "last_contact_at": when(p.last_contact_at),
        "touchpoint_count": p.touchpoint_count,
        "created_at": when(p.created_at),
        "updated_at": when(p.updated_at),
        "archived_at": when(p.archived_at),
    }


def names(reply) -> list[str]:
    return [item["full_name"] for item in reply.body["items"]]


def test_list_people_alice_sees_her_groups_members(call, world):
    reply = call("GET", "/people", as_=world.alice)

    assert reply.status == 200
    assert reply.body == {
        "count": 2,
        "limit": 50,
        "offset": 0,
        "items": [person_json(world.ana), person_json(world.ben)],
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", ["Ana Ruiz", "Ben Okafor"]),
        ("bob", ["Hugo Marsh"]),
        ("ada", ["Ana Ruiz", "Ben Okafor", "Carla Diaz", "Hugo Marsh"]),
    ],
)
def test_list_people_each_role_sees_its_scope(call, world, who, expected):
    reply = call("GET", "/people", as_=getattr(world, who))

    assert (reply.status, names(reply), reply.body["count"]) == (200, expected, len(expected))


def test_list_people_with_token_is_alices_list(call, world, token):
    reply = call("GET", "/people", token=token)

    assert (reply.status, names(reply)) == (200, ["Ana Ruiz", "Ben Okafor"])


def test_list_people_manager_is_forbidden(call, world):
    reply = call("GET", "/people", as_=world.mia)

    assert (reply.status, reply.content_type) == (403, PROBLEM)
    assert reply.body == forbidden(
        "Managers see aggregate figures only, not individual people.", "/people"
    )


def test_list_people_filters_by_q_group_status(call, world):
    def listed(**params):
        return names(call("GET", "/people", as_=world.ada, params=params))

    assert listed(q="ruiz") == ["Ana Ruiz"]
    assert listed(q="BEN@uni") == ["Ben Okafor"]
    assert listed(group=world.history.pk) == ["Hugo Marsh"]
    assert listed(status="student") == ["Ben Okafor"]
    assert listed(q="ana", status="student") == []


def test_list_people_sorts_by_touchpoint_count(call, world):
    Person.objects.filter(pk=world.hugo.pk).update(touchpoint_count=5)
    Person.objects.filter(pk=world.ben.pk).update(touchpoint_count=2)

    reply = call("GET", "/people", as_=world.ada, params={"sort": "-touchpoints"})

    assert names(reply) == ["Hugo Marsh", "Ben Okafor", "Ana Ruiz", "Carla Diaz"]


def test_list_people_pages_with_limit_and_offset(call, world):
    reply = call("GET", "/people", as_=world.ada, params={"limit": 2, "offset": 1})

    assert (reply.body["count"], reply.body["limit"], reply.body["offset"]) == (4, 2, 1)
    assert names(reply) == ["Ben Okafor", "Carla Diaz"]


def test_list_people_offset_past_the_end_is_an_empty_page(call, world):
    reply = call("GET", "/people", as_=world.ada, params={"offset": 10})

    assert reply.body == {"count": 4, "limit": 50, "offset": 10, "items": []}


def test_list_people_archived_only_when_asked(call, world):
    Person.objects.filter(pk=world.ben.pk).update(archived_at=world.ana.created_at)

    plain = call("GET", "/people", as_=world.alice)
    everyone = call("GET", "/people", as_=world.alice, params={"include_archived": "true"})

    assert names(plain) == ["Ana Ruiz"]
    assert names(everyone) == ["Ana Ruiz", "Ben Okafor"]


def test_list_people_group_not_served_is_invalid(call, world):
    reply = call("GET", "/people", as_=world.bob, params={"group": world.chem.pk})

    message = f"There is no group {world.chem.pk} that you can see."
    assert reply.status == 422
    assert reply.body == invalid(message, "/people", {"group": [message]})


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"limit": 501}, "limit", "Input should be less than or equal to 500"),
        ({"limit": 0}, "limit", "Input should be greater than or equal to 1"),
        ({"offset": -1}, "offset", "Input should be greater than or equal to 0"),
        ({"group": "chem"}, "group", NOT_AN_INTEGER),
        ({"q": "x" * 201}, "q", "String should have at most 200 characters"),
        ({"sort": "age"}, "sort", SORTS),
        ({"status": "professor"}, "status", STATUSES),
    ],
)
def test_list_people_bad_parameters_are_invalid(call, world, params, field, message):
    reply = call("GET", "/people", as_=world.alice, params=params)

    assert reply.status == 422
    assert reply.body == one_error("/people", field, message)


def test_get_person_alice_reads_ana(call, world):
    reply = call("GET", f"/people/{world.ana.pk}", as_=world.alice)

    assert (reply.status, reply.body) == (200, person_json(world.ana))


def test_get_person_bob_cannot_read_ana(call, world):
    reply = call("GET", f"/people/{world.ana.pk}", as_=world.bob)

    assert reply.status == 404
    assert reply.body == not_found(
        f"There is no person {world.ana.pk} that you can see.", f"/people/{world.ana.pk}"
    )


def test_get_person_manager_is_forbidden(call, world):
    reply = call("GET", f"/people/{world.ana.pk}", as_=world.mia)

    assert reply.body == forbidden(
        "Managers see aggregate figures only, not individual people.", f"/people/{world.ana.pk}"
    )


def test_get_person_id_beyond_64_bits_is_invalid(call, world):
    reply = call("GET", "/people/99999999999999999999", as_=world.alice)

    message = "Input should be less than or equal to 9223372036854775807"
    assert reply.body == invalid(
        f"person_id: {message}", "/people/99999999999999999999", {"person_id": [message]}
    )


def test_create_person_round_trip(call, world):
    body = {
        "full_name": "  Zoe   Quist ",
        "email": "ZOE@uni.example",
        "other_emails": ["zq@home.example"],
        "orcid": "https://orcid.org/0000-0002-1825-0097",
        "status": "postdoc",
        "referred_by": world.ana.pk,
        "notes": "Met at the lab retreat.",
    }

    created = call("POST", "/people", as_=world.alice, body=body)

    zoe = Person.objects.get(full_name="Zoe Quist")
    assert created.status == 201
    assert created.body == person_json(zoe)
    assert (zoe.email, zoe.orcid, zoe.referred_by, zoe.status) == (
        "zoe@uni.example",
        "0000-0002-1825-0097",
        world.ana,
        "postdoc",
    )
    assert call("GET", f"/people/{zoe.pk}", as_=world.alice).body == created.body
    entries = AuditEntry.objects.filter(object_type="person", object_id=str(zoe.pk))
    assert sorted(entries.values_list("action", "summary")) == [
        ("create", "Zoe Quist"),
        ("view", "API"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "message", "label"),
    [
        ({"full_name": "Zoe", "email": "zoe@"}, "email", "Enter a valid email address.", "E-mail"),
        (
            {"full_name": "Zoe", "orcid": "0000-0002-1825-0098"},
            "orcid",
            WRONG_CHECK_DIGIT,
            "ORCID iD",
        ),
        ({"full_name": "   "}, "full_name", "A person needs a name.", "Full name"),
        ({"full_name": "Z" * 5000}, "full_name", TOO_LONG_NAME, "Full name"),
        ({"full_name": "Zoe", "status": "professor"}, "status", STATUSES, None),
        ({"full_name": 42}, "full_name", "Input should be a valid string", None),
        (
            {"full_name": "Zoe", "fullname": "Zoe"},
            "fullname",
            "Extra inputs are not permitted",
            None,
        ),
        ({"email": "zoe@uni.example"}, "full_name", "Field required", None),
    ],
)
def test_create_person_bad_input_saves_nothing(call, world, body, field, message, label):
    before = (Person.objects.count(), AuditEntry.objects.count())

    reply = call("POST", "/people", as_=world.alice, body=body)

    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == one_error("/people", field, message, label)
    assert (Person.objects.count(), AuditEntry.objects.count()) == before


def test_create_person_referrer_out_of_scope_is_invalid(call, world):
    reply = call(
        "POST", "/people", as_=world.bob, body={"full_name": "Zoe", "referred_by": world.ana.pk}
    )

    message = f"There is no person {world.ana.pk} that you can see."
    assert reply.body == invalid(message, "/people", {"referred_by": [message]})
    assert not Person.objects.filter(full_name="Zoe").exists()


def test_create_person_manager_is_forbidden(call, world):
    reply = call("POST", "/people", as_=world.mia, body={"full_name": "Zoe"})

    assert reply.body == forbidden(
        "Managers see aggregate figures only and cannot change records.", "/people"
    )
    assert not Person.objects.filter(full_name="Zoe").exists()


def test_update_person_changes_only_the_fields_sent(call, world):
    reply = call(
        "PATCH", f"/people/{world.ana.pk}", as_=world.alice, body={"job_title": "PI", "room": "B2"}
    )

    ana = Person.objects.get(pk=world.ana.pk)
    assert reply.status == 200
    assert reply.body == person_json(ana)
    assert (ana.full_name, ana.email, ana.job_title, ana.room) == (
        "Ana Ruiz",
        "ana.ruiz@uni.example",
        "PI",
        "B2",
    )
    entry = AuditEntry.objects.get(object_type="person", action="update")
    assert entry.changes == {"job_title": ["", "PI"], "room": ["", "B2"], "version": [1, 2]}


def test_update_person_referred_by_null_clears_it(call, world):
    Person.objects.filter(pk=world.ana.pk).update(referred_by=world.ben)

    reply = call("PATCH", f"/people/{world.ana.pk}", as_=world.alice, body={"referred_by": None})

    assert reply.body["referred_by"] is None
    assert Person.objects.get(pk=world.ana.pk).referred_by_id is None


@pytest.mark.parametrize(
    ("body", "field", "message", "label"),
    [
        ({"full_name": None}, "full_name", "Input should be a valid string", None),
        ({"email": "ana@"}, "email", "Enter a valid email address.", "E-mail"),
        ({"orcid": "12345"}, "orcid", NOT_AN_ORCID, "ORCID iD"),
        (
            {"other_emails": ["ok@uni.example", "nope"]},
            "other_emails",
            NOT_AN_EMAIL,
            "Other e-mail addresses",
        ),
        ({"referred_by": 0}, "referred_by", "Input should be greater than or equal to 1", None),
    ],
)
def test_update_person_bad_input_changes_nothing(call, world, body, field, message, label):
    before = person_json(world.ana)

    reply = call("PATCH", f"/people/{world.ana.pk}", as_=world.alice, body=body)

    assert reply.body == one_error(f"/people/{world.ana.pk}", field, message, label)
    assert person_json(world.ana) == before
    assert not AuditEntry.objects.filter(action="update").exists()


def test_update_person_bob_cannot_touch_ana(call, world):
    reply = call("PATCH", f"/people/{world.ana.pk}", as_=world.bob, body={"job_title": "X"})

    assert reply.status == 404
    assert Person.objects.get(pk=world.ana.pk).job_title == ""


def test_archive_person_hides_them_and_restore_brings_them_back(call, world):
    archived = call("POST", f"/people/{world.ben.pk}/archive", as_=world.alice)

    assert archived.status == 200
    assert archived.body["archived_at"] == when(Person.objects.get(pk=world.ben.pk).archived_at)
    assert names(call("GET", "/people", as_=world.alice)) == ["Ana Ruiz"]

    restored = call("POST", f"/people/{world.ben.pk}/restore", as_=world.alice)

    assert restored.body["archived_at"] is None
    assert names(call("GET", "/people", as_=world.alice)) == ["Ana Ruiz", "Ben Okafor"]
    actions = AuditEntry.objects.filter(object_type="person").values_list("action", flat=True)
    assert sorted(actions) == ["archive", "restore"]


def test_archive_person_twice_records_once(call, world):
    call("POST", f"/people/{world.ben.pk}/archive", as_=world.alice)
    second = call("POST", f"/people/{world.ben.pk}/archive", as_=world.alice)

    assert second.status == 200
    assert AuditEntry.objects.filter(action="archive").count() == 1


def test_archive_person_bob_cannot_archive_ana(call, world):
    reply = call("POST", f"/people/{world.ana.pk}/archive", as_=world.bob)

    assert reply.status == 404
    assert Person.objects.get(pk=world.ana.pk).archived_at is None


def test_list_people_count_matches_over_pages(call, world):
    for n in range(7):
        make_person(f"Extra {n}", groups=[world.history])

    first = call("GET", "/people", as_=world.bob, params={"limit": 5})
    second = call("GET", "/people", as_=world.bob, params={"limit": 5, "offset": 5})

    assert (first.body["count"], second.body["count"]) == (8, 8)
    assert names(first) + names(second) == [*(f"Extra {n}" for n in range(7)), "Hugo Marsh"]
