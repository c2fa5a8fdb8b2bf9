"""Text no database can store (a NUL byte, a lone surrogate) is refused with a 422 problem
wherever it enters the API, the same on SQLite and PostgreSQL, and nothing is written.

Before the check, these were 500s on both databases (a lone surrogate cannot be encoded) and,
on PostgreSQL, for a NUL byte too; SQLite stored the NUL.
"""

import pytest

from rapport.audit.models import AuditEntry
from rapport.people.models import Group, Person
from rapport.requests.models import Request
from rapport.touchpoints.models import Touchpoint
from tests.api.conftest import PROBLEM, invalid

NUL = ("a\x00b", "a NUL byte")
SURROGATE = ("a\ud800b", "a lone surrogate, U+D800")


def message(problem: str, field: str) -> str:
    return f"The text contains a character that cannot be stored ({problem}) in “{field}”."


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "groups": Group.objects.count(),
        "requests": Request.objects.count(),
        "touchpoints": Touchpoint.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize(("text", "problem"), [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    [
        ("alice", "POST", "/people", {"full_name": "{}"}, "full_name"),
        ("alice", "POST", "/people", {"full_name": "Zoe", "notes": "{}"}, "notes"),
        (
            "alice",
            "POST",
            "/people",
            {"full_name": "Zoe", "other_emails": ["{}"]},
            "other_emails.0",
        ),
        ("alice", "PATCH", "/people/{ana}", {"job_title": "{}"}, "job_title"),
        ("ada", "POST", "/groups", {"name": "{}", "kind": "unit"}, "name"),
        ("alice", "POST", "/requests", {"people": ["{ana}"], "need": "{}"}, "need"),
        ("alice", "POST", "/touchpoints/capture", {"line": "@Ana Ruiz asked {}"}, "line"),
        ("alice", "POST", "/touchpoints/capture", {"line": "@Ana Ruiz", "answer": "{}"}, "answer"),
    ],
)
def test_bad_text_in_a_body_is_refused_and_nothing_changes(
    call, world, who, method, path, body, field, text, problem
):
    path = path.replace("{ana}", str(world.ana.pk))
    body = {
        key: (
            [world.ana.pk if v == "{ana}" else v.replace("{}", text) for v in value]
            if isinstance(value, list)
            else value.replace("{}", text)
        )
        for key, value in body.items()
    }
    before = counts()

    reply = call(method, path, as_=getattr(world, who), body=body)

    expected = message(problem, field)
    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == invalid(expected, path, {field: [expected]})
    assert counts() == before
    world.ana.refresh_from_db()
    assert world.ana.job_title == ""


@pytest.mark.parametrize(("text", "problem"), [NUL], ids=["nul"])
@pytest.mark.parametrize("path", ["/people", "/requests", "/touchpoints", "/search"])
def test_bad_text_in_a_query_string_is_refused(call, world, path, text, problem):
    reply = call("GET", path, as_=world.alice, params={"q": text})

    expected = message(problem, "q")
    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == invalid(expected, path, {"q": [expected]})


def test_bad_text_in_a_query_parameter_name_is_refused(call, world):
    reply = call("GET", "/people", as_=world.alice, params={"a\x00": "1"})

    expected = message("a NUL byte", "a\ufffd")
    assert reply.body == invalid(expected, "/people", {"a\ufffd": [expected]})


def test_bad_text_in_the_address_is_refused(call, world):
    reply = call("GET", "/people/1%00", as_=world.alice)

    expected = "The text contains a character that cannot be stored (a NUL byte) in the address."
    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == invalid(expected, "/people/1\x00", {"path": [expected]})


def test_a_lone_surrogate_in_a_key_is_refused_and_the_answer_is_utf8(call, world):
    before = counts()

    reply = call("POST", "/people", as_=world.alice, raw=b'{"full_name": "Zoe", "\\udc80": 1}')

    expected = message("a lone surrogate, U+DC80", "\ufffd")
    assert reply.body == invalid(expected, "/people", {"\ufffd": [expected]})
    assert counts() == before


def test_bad_text_is_refused_whatever_the_body_is_said_to_be(call, world):
    """Ninja reads every body as JSON, so a client that calls it text/plain is checked too."""
    before = counts()
    response = call.client(world.alice).post(
        "/api/v1/people",
        data=b'{"full_name": "a\\u0000b"}',
        content_type="text/plain",
        HTTP_X_CSRFTOKEN="x" * 32,
    )

    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["errors"] == {"full_name": [message("a NUL byte", "full_name")]}
    assert counts() == before


def test_a_bare_string_body_is_named_body(call, world):
    reply = call("POST", "/touchpoints/capture", as_=world.alice, raw=b'"\\u0000"')

    expected = message("a NUL byte", "body")
    assert reply.body == invalid(expected, "/touchpoints/capture", {"body": [expected]})


def test_good_text_next_to_the_check_is_stored_exactly(call, world):
    text = "Zoë \U0001f600 tab\there\r\nnew line \ufffd \u200b"

    reply = call("POST", "/people", as_=world.alice, body={"full_name": "Zoe", "notes": text})

    assert reply.status == 201
    assert Person.objects.get(pk=reply.body["id"]).notes == text


def test_too_many_query_fields_is_still_the_apis_own_problem(call, world, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3

    reply = call("GET", "/people", as_=world.alice, params={"a": "1", "b": "2", "c": "3", "d": "4"})

    assert (reply.status, reply.content_type) == (400, PROBLEM)
    assert reply.body["detail"] == "The request could not be read."
