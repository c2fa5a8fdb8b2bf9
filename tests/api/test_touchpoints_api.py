"""/api/v1/touchpoints: confidential ones reach their author only; writes keep counts current."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.relationships.services import refresh
from rapport.touchpoints.models import Touchpoint
from tests.api.conftest import (
    KINDS,
    forbidden,
    invalid,
    not_found,
    one_error,
    touchpoint_json,
)
from tests.factories import make_touchpoint

NOT_A_TIME = "Input should be a valid datetime or date, input is too short"
IN_THE_FUTURE = (
    "Tue 01 Jan 2999 10:00 is in the future; a touchpoint records something that already happened."
)
TOO_OLD = "That date is too far in the past."
OUT_OF_RANGE = "That date is out of range."
MORE_THAN_A_DAY = "minutes is more than a day; log each day separately."
NOT_A_BOOLEAN = "Input should be a valid boolean, unable to interpret input"
TOO_LONG_OUTCOME = "Ensure this value has at most 300 characters (it has 301)."


def ids(reply) -> list[int]:
    return [item["id"] for item in reply.body["items"]]


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def test_list_touchpoints_alice_sees_her_confidential_one(call, world):
    reply = call("GET", "/touchpoints", as_=world.alice)

    assert reply.status == 200
    assert reply.body == {
        "count": 2,
        "limit": 50,
        "offset": 0,
        "items": [touchpoint_json(world.ana_secret), touchpoint_json(world.ana_question)],
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("bob", ["hugo_question"]), ("ada", ["hugo_question", "ana_question"])],
)
def test_list_touchpoints_others_never_see_alices_confidential_one(call, world, who, expected):
    reply = call("GET", "/touchpoints", as_=getattr(world, who))

    assert ids(reply) == [getattr(world, name).pk for name in expected]


@override_settings(RAPPORT_SHARING="library")
def test_list_touchpoints_library_wide_still_hides_confidential(call, world):
    reply = call("GET", "/touchpoints", as_=world.bob)

    assert ids(reply) == [world.hugo_question.pk, world.ana_question.pk]


def test_list_touchpoints_manager_is_forbidden(call, world):
    reply = call("GET", "/touchpoints", as_=world.mia)

    assert reply.body == forbidden(
        "Managers see aggregate figures only, not individual touchpoints.", "/touchpoints"
    )


def test_list_touchpoints_filters(call, world):
    walk = make_touchpoint(
        world.alice,
        [world.ben],
        days_ago=10,
        kind="consultation",
        channel="email",
        origin="walkby",
        tags=["systematic-review", "café"],
        group=world.chem,
    )

    def listed(**params):
        return ids(call("GET", "/touchpoints", as_=world.alice, params=params))

    assert listed(person=world.ben.pk) == [walk.pk]
    assert listed(group=world.chem.pk) == [world.ana_question.pk, walk.pk]
    assert listed(kind="consultation") == [walk.pk]
    assert listed(channel="email") == [walk.pk]
    assert listed(origin="walkby") == [walk.pk]
    assert listed(tag="#Systematic-Review") == [walk.pk]
    assert listed(tag="café") == [walk.pk]
    assert listed(tag="systematic") == []
    since = timezone.now() - dt.timedelta(days=2)
    assert listed(since=iso(since)) == [world.ana_secret.pk, world.ana_question.pk]
    assert listed(until=iso(since)) == [walk.pk]


def test_list_touchpoints_naive_times_are_local(call, world):
    edge = timezone.localtime(world.ana_question.occurred_at).replace(tzinfo=None)

    reply = call("GET", "/touchpoints", as_=world.alice, params={"until": edge.isoformat()})

    assert ids(reply) == []


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"kind": "chat"}, "kind", KINDS),
        ({"since": "last week"}, "since", NOT_A_TIME),
        ({"until": "9999-12-31T23:00:00-05:00"}, "until", "That date is out of range."),
        ({"tag": "t" * 101}, "tag", "String should have at most 100 characters"),
    ],
)
def test_list_touchpoints_bad_filters_are_invalid(call, world, params, field, message):
    reply = call("GET", "/touchpoints", as_=world.alice, params=params)

    assert reply.body == one_error("/touchpoints", field, message)


def test_list_touchpoints_person_out_of_scope_is_invalid(call, world):
    reply = call("GET", "/touchpoints", as_=world.bob, params={"person": world.ana.pk})

    message = f"There is no person {world.ana.pk} that you can see."
    assert reply.body == invalid(message, "/touchpoints", {"person": [message]})


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 404), ("ada", 404)])
def test_get_touchpoint_confidential_reaches_its_author_only(call, world, who, status):
    reply = call("GET", f"/touchpoints/{world.ana_secret.pk}", as_=getattr(world, who))

    assert reply.status == status
    if status == 200:
        assert reply.body == touchpoint_json(world.ana_secret)
    else:
        assert reply.body == not_found(
            f"There is no touchpoint {world.ana_secret.pk} that you can see.",
            f"/touchpoints/{world.ana_secret.pk}",
        )


def test_get_touchpoint_manager_is_forbidden(call, world):
    reply = call("GET", f"/touchpoints/{world.ana_question.pk}", as_=world.mia)

    assert reply.status == 403


def test_create_touchpoint_round_trip_updates_contact_counts(call, world):
    occurred = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    body = {
        "occurred_at": iso(occurred),
        "people": [world.ana.pk, world.ben.pk, world.ana.pk],
        "group": world.chem.pk,
        "kind": "consultation",
        "channel": "video",
        "origin": "referral",
        "initiated_by": "us",
        "read_level": 5,
        "minutes": 45,
        "question": "Which databases for a scoping review?\nAnd how many?",
        "answer": "Scopus, CINAHL",
        "tags": ["#Scoping", "scoping", "reviews"],
    }

    reply = call("POST", "/touchpoints", as_=world.alice, body=body)

    tp = Touchpoint.objects.get(kind="consultation")
    assert reply.status == 201
    assert reply.body == touchpoint_json(tp)
    assert reply.body["people"] == [
        {"id": world.ana.pk, "full_name": "Ana Ruiz"},
        {"id": world.ben.pk, "full_name": "Ben Okafor"},
    ]
    assert (tp.topic, tp.tags, tp.occurred_at) == (
        "Which databases for a scoping review?",
        ["scoping", "reviews"],
        occurred,
    )
    ben = Person.objects.get(pk=world.ben.pk)
    assert (ben.touchpoint_count, ben.last_contact_at) == (1, occurred)
    assert call("GET", f"/touchpoints/{tp.pk}", as_=world.alice).body == reply.body


def test_create_touchpoint_with_token(call, world, token):
    body = {"occurred_at": iso(timezone.now()), "question": "Quick one"}

    reply = call("POST", "/touchpoints", token=token, body=body)

    assert reply.status == 201
    assert Touchpoint.objects.get(question="Quick one").author == world.alice


@pytest.mark.parametrize(
    ("extra", "field", "message", "label"),
    [
        ({"occurred_at": "2999-01-01T10:00:00+00:00"}, "occurred_at", IN_THE_FUTURE, ""),
        ({"occurred_at": "1900-01-01T10:00:00+00:00"}, "occurred_at", TOO_OLD, ""),
        ({"occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at", OUT_OF_RANGE, None),
        ({"occurred_at": "yesterday"}, "occurred_at", NOT_A_TIME, None),
        ({"minutes": 100_000}, "minutes", f"100000 {MORE_THAN_A_DAY}", ""),
        ({"minutes": 10**40}, "minutes", f"{10**40} {MORE_THAN_A_DAY}", ""),
        ({"minutes": -5}, "minutes", "Input should be greater than or equal to 0", None),
        ({"read_level": 9}, "read_level", "Input should be less than or equal to 6", None),
        ({"kind": "gossip"}, "kind", KINDS, None),
        ({"confidential": "maybe"}, "confidential", NOT_A_BOOLEAN, None),
        ({"tags": ["ok", 7]}, "tags.1", "Input should be a valid string", None),
        ({"question": "q" * 50_001}, "question", "Keep this under 50,000 characters.", "Question"),
        ({"outcome": "o" * 301}, "outcome", TOO_LONG_OUTCOME, "Outcome"),
        ({"source_system": "libanswers"}, "source_system", "Extra inputs are not permitted", None),
    ],
)
def test_create_touchpoint_bad_input_saves_nothing(call, world, extra, field, message, label):
    body = {"occurred_at": iso(timezone.now()), "people": [world.ana.pk], **extra}

    reply = call("POST", "/touchpoints", as_=world.alice, body=body)

    assert reply.body == one_error("/touchpoints", field, message, label)
    assert Touchpoint.objects.count() == 3
    assert not AuditEntry.objects.exists()


def test_create_touchpoint_people_out_of_scope_are_invalid(call, world):
    body = {"occurred_at": iso(timezone.now()), "people": [world.ana.pk, world.hugo.pk, 10**9]}

    reply = call("POST", "/touchpoints", as_=world.alice, body=body)

    first = f"There is no person {world.hugo.pk} that you can see."
    second = "There is no person 1000000000 that you can see."
    assert reply.body == invalid(first, "/touchpoints", {"people": [first, second]})
    assert Touchpoint.objects.count() == 3
    assert Person.objects.get(pk=world.ana.pk).touchpoint_count == 0


def test_create_touchpoint_manager_is_forbidden(call, world):
    reply = call("POST", "/touchpoints", as_=world.mia, body={"occurred_at": iso(timezone.now())})

    assert reply.status == 403
    assert Touchpoint.objects.count() == 3


def test_update_touchpoint_round_trip_moves_counts(call, world):
    body = {"people": [world.ben.pk], "read_level": 3, "tags": ["Follow-up"]}

    reply = call("PATCH", f"/touchpoints/{world.ana_question.pk}", as_=world.alice, body=body)

    tp = Touchpoint.objects.get(pk=world.ana_question.pk)
    assert reply.status == 200
    assert reply.body == touchpoint_json(tp)
    assert (tp.read_level, tp.tags, tp.question) == (3, ["follow-up"], "PRISMA search strings")
    ben = Person.objects.get(pk=world.ben.pk)
    assert ben.touchpoint_count == 1
    assert AuditEntry.objects.get(action="update").changes["people"] == [
        [world.ana.pk],
        [world.ben.pk],
    ]


def test_update_touchpoint_null_read_level_clears_it(call, world):
    Touchpoint.objects.filter(pk=world.ana_question.pk).update(read_level=4)

    reply = call(
        "PATCH", f"/touchpoints/{world.ana_question.pk}", as_=world.alice, body={"read_level": None}
    )

    assert reply.body["read_level"] is None


@override_settings(RAPPORT_SHARING="library")
def test_update_touchpoint_by_someone_else_is_forbidden(call, world):
    path = f"/touchpoints/{world.ana_question.pk}"

    reply = call("PATCH", path, as_=world.bob, body={"topic": "Mine"})

    assert reply.body == forbidden(
        "Only the librarian who logged this touchpoint can change or delete it.", path
    )
    assert Touchpoint.objects.get(pk=world.ana_question.pk).topic == "PRISMA search strings"


def test_update_touchpoint_future_date_changes_nothing(call, world):
    before = touchpoint_json(world.ana_question)

    reply = call(
        "PATCH",
        f"/touchpoints/{world.ana_question.pk}",
        as_=world.alice,
        body={"occurred_at": "2999-01-01T00:00:00Z", "topic": "Later"},
    )

    assert reply.status == 422
    assert touchpoint_json(world.ana_question) == before


def test_update_touchpoint_of_others_confidential_is_not_found(call, world):
    reply = call(
        "PATCH", f"/touchpoints/{world.ana_secret.pk}", as_=world.ada, body={"topic": "Seen"}
    )

    assert reply.status == 404
    assert Touchpoint.objects.get(pk=world.ana_secret.pk).topic == "Private worry about tenure"


def test_delete_touchpoint_by_author(call, world):
    refresh([world.ana.pk])

    reply = call("DELETE", f"/touchpoints/{world.ana_secret.pk}", as_=world.alice)

    assert (reply.status, reply.body) == (204, None)
    assert not Touchpoint.objects.filter(pk=world.ana_secret.pk).exists()
    assert Person.objects.get(pk=world.ana.pk).touchpoint_count == 1
    assert AuditEntry.objects.get(action="delete").object_id == str(world.ana_secret.pk)


@override_settings(RAPPORT_SHARING="library")
def test_delete_touchpoint_by_someone_else_is_forbidden(call, world):
    reply = call("DELETE", f"/touchpoints/{world.ana_question.pk}", as_=world.bob)

    assert reply.status == 403
    assert Touchpoint.objects.filter(pk=world.ana_question.pk).exists()


def test_delete_touchpoint_out_of_scope_is_not_found(call, world):
    reply = call("DELETE", f"/touchpoints/{world.hugo_question.pk}", as_=world.alice)

    assert reply.status == 404
    assert Touchpoint.objects.filter(pk=world.hugo_question.pk).exists()


def test_touchpoint_people_outside_the_readers_scope_are_counted_not_named(call, world):
    # alice saw ana and hugo together; bob serves hugo's group but not ana's.
    joint = make_touchpoint(world.alice, [world.ana, world.hugo], topic="Joint data plan")

    one = call("GET", f"/touchpoints/{joint.pk}", as_=world.bob)
    listed = call("GET", "/touchpoints", params={"person": world.hugo.pk}, as_=world.bob)

    assert one.status == 200
    assert one.body == touchpoint_json(joint, hidden=(world.ana,))
    assert one.body["people"] == [{"id": world.hugo.pk, "full_name": "Hugo Marsh"}]
    assert one.body["hidden_people"] == 1
    assert listed.body["items"][0] == touchpoint_json(joint, hidden=(world.ana,))
    assert call("GET", f"/touchpoints/{joint.pk}", as_=world.alice).body["hidden_people"] == 1
