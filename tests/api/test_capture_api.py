"""/api/v1/touchpoints/capture: one line in, a touchpoint out, or a clear refusal."""

import pytest

from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from rapport.touchpoints.services import NOT_LOGGED
from tests.api.conftest import invalid, touchpoint_json

EMPTY_LINE = "Type what happened, e.g. “@Ana Ruiz asked for search strings ~20m”."
LONG_LINE = (
    "That line is 5,001 characters; keep it under 5,000 and put long notes in the full form."
)
BAD_READ = "read:9 is not on the READ scale (1–6)."
NO_GROUP = "There is no group 1000000000 that you can see."


def test_capture_touchpoint_from_a_line(call, world):
    line = "@Ana Ruiz asked for PRISMA search strings #systematic-review ~20m read:4 via:walkby"

    reply = call("POST", "/touchpoints/capture", as_=world.alice, body={"line": line})

    tp = Touchpoint.objects.get(capture_line=line)
    assert reply.status == 201
    assert reply.body == touchpoint_json(tp)
    assert (tp.minutes, tp.read_level, tp.origin, tp.tags, tp.group) == (
        20,
        4,
        "walkby",
        ["systematic-review"],
        world.chem,
    )
    assert reply.body["people"] == [{"id": world.ana.pk, "full_name": "Ana Ruiz"}]


def test_capture_touchpoint_confidential_with_answer(call, world):
    body = {"line": "@Ben Okafor worried about his thesis", "confidential": True, "answer": "Hm."}

    reply = call("POST", "/touchpoints/capture", as_=world.alice, body=body)

    assert (reply.status, reply.body["confidential"], reply.body["answer"]) == (201, True, "Hm.")
    assert call("GET", f"/touchpoints/{reply.body['id']}", as_=world.ada).status == 404


def test_capture_touchpoint_unknown_person_is_refused_with_names(call, world):
    body = {"line": "@Zed Nobody asked about ORCID"}

    reply = call("POST", "/touchpoints/capture", as_=world.alice, body=body)

    message = "No one called “Zed Nobody” yet: create them, or check the spelling."
    assert reply.body == invalid(
        message, "/touchpoints/capture", {"people": [message]}, unknown=["Zed Nobody"]
    )
    assert (Touchpoint.objects.count(), Person.objects.count()) == (3, 4)


def test_capture_touchpoint_create_missing_adds_the_person(call, world):
    body = {"line": "@Zed Nobody asked about ORCID", "create_missing": True}

    reply = call("POST", "/touchpoints/capture", as_=world.alice, body=body)

    zed = Person.objects.get(full_name="Zed Nobody")
    assert reply.body["people"] == [{"id": zed.pk, "full_name": "Zed Nobody"}]
    assert call("GET", f"/people/{zed.pk}", as_=world.alice).status == 200


@pytest.mark.parametrize(
    ("body", "detail", "errors"),
    [
        ({"line": "   "}, EMPTY_LINE, {"line": ["Empty."]}),
        ({"line": "x" * 5001}, LONG_LINE, {"line": ["Too long."]}),
        ({"line": "@Ana Ruiz asked ~20m read:9"}, f"{BAD_READ} {NOT_LOGGED}", {"line": [BAD_READ]}),
        ({}, "line: Field required", {"line": ["Field required"]}),
        ({"line": "@Ana Ruiz hi", "group": 10**9}, NO_GROUP, {"group": [NO_GROUP]}),
    ],
)
def test_capture_touchpoint_bad_input_saves_nothing(call, world, body, detail, errors):
    reply = call("POST", "/touchpoints/capture", as_=world.alice, body=body)

    assert reply.body == invalid(detail, "/touchpoints/capture", errors)
    assert Touchpoint.objects.count() == 3
