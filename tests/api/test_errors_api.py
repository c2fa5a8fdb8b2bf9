"""Errors are problems: malformed bodies, wrong methods, unknown addresses, our own bugs."""

import json

import pytest
from django.test import RequestFactory

from rapport.api.problems import field_name, on_unexpected
from rapport.people.models import Person
from tests.api.conftest import PROBLEM, invalid, problem


def test_malformed_json_is_invalid_with_position(call, world):
    reply = call("POST", "/people", as_=world.alice, raw='{"full_name": "Zoe",}')

    message = (
        "The request body is not valid JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 21)."
    )
    assert (reply.status, reply.content_type) == (422, PROBLEM)
    assert reply.body == invalid(message, "/people", {"body": [message]})
    assert Person.objects.count() == 4


def test_body_not_utf8_is_invalid(call, world):
    reply = call("POST", "/people", as_=world.alice, raw=b'{"full_name": "Z\xff"}')

    message = "The request body is not UTF-8 text."
    assert reply.body == invalid(message, "/people", {"body": [message]})


def test_body_not_an_object_is_invalid(call, world):
    reply = call("POST", "/people", as_=world.alice, body=["Zoe"])

    message = "Input should be a valid dictionary or object to extract fields from"
    assert reply.body == invalid(f"body: {message}", "/people", {"body": [message]})


def test_empty_body_is_invalid(call, world):
    reply = call("POST", "/people", as_=world.alice)

    assert reply.body == invalid("body: Field required", "/people", {"body": ["Field required"]})


def test_several_errors_are_all_listed(call, world):
    body = {"full_name": 1, "status": "boss", "other_emails": "a@b.example"}

    reply = call("POST", "/people", as_=world.alice, body=body)

    assert reply.body["detail"] == "full_name: Input should be a valid string (and 2 more)"
    assert reply.body["errors"] == {
        "full_name": ["Input should be a valid string"],
        "other_emails": ["Input should be a valid list"],
        "status": [
            "Input should be 'faculty', 'researcher', 'postdoc', 'student', 'staff', "
            "'external' or 'other'"
        ],
    }


def test_body_over_the_upload_limit_is_too_large(call, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    reply = call("POST", "/people", as_=world.alice, body={"full_name": "Z" * 2000})

    assert reply.body == problem(
        413, "too-large", "Request too large", "The request body is too large.", "/people"
    )
    assert Person.objects.count() == 4


def test_path_id_not_a_number_is_invalid(call, world):
    reply = call("GET", "/touchpoints/latest", as_=world.alice)

    message = "Input should be a valid integer, unable to parse string as an integer"
    assert reply.body == invalid(
        f"touchpoint_id: {message}", "/touchpoints/latest", {"touchpoint_id": [message]}
    )


def test_wrong_method_is_a_problem_with_allow(call, world):
    reply = call("PUT", f"/people/{world.ana.pk}", as_=world.alice, body={"full_name": "X"})

    assert reply.status == 405
    assert reply.headers["Allow"] == "GET, PATCH"
    assert reply.body == problem(
        405,
        "method-not-allowed",
        "Method not allowed",
        "PUT is not allowed here; use GET, PATCH.",
        f"/people/{world.ana.pk}",
    )


def test_unknown_address_is_a_problem(call, world):
    reply = call("GET", "/persons", as_=world.alice)

    assert (reply.status, reply.content_type) == (404, PROBLEM)
    assert reply.body == problem(
        404,
        "not-found",
        "Not found",
        "There is nothing at this address; see /api/v1/docs.",
        "/persons",
    )


def test_api_root_is_a_problem_pointing_to_the_docs(client, world):
    reply = client.get("/api/v1/")

    assert (reply.status_code, reply["Content-Type"]) == (404, PROBLEM)
    assert json.loads(reply.content) == problem(
        404, "not-found", "Not found", "There is nothing at this address; see /api/v1/docs.", "/"
    )


def test_docs_and_schema_are_served(client, world):
    docs = client.get("/api/v1/docs")
    schema = client.get("/api/v1/openapi.json")

    assert docs.status_code == 200
    assert b"/api/v1/openapi.json" in docs.content
    assert json.loads(schema.content)["info"] == {
        "title": "Rapport API",
        "version": "1",
        "description": json.loads(schema.content)["info"]["description"],
    }


def test_unexpected_error_is_logged_and_still_a_problem(caplog):
    request = RequestFactory().get("/api/v1/people")

    response = on_unexpected(request, RuntimeError("boom"))

    assert (response.status_code, response["Content-Type"]) == (500, PROBLEM)
    assert json.loads(response.content) == problem(
        500,
        "server-error",
        "Server error",
        "Something went wrong on our side; it has been logged.",
        "/people",
    )
    assert caplog.records[0].message == "Unexpected error in GET /api/v1/people"
    assert caplog.records[0].exc_info[1].args == ("boom",)


@pytest.mark.parametrize(
    ("loc", "name"),
    [
        (("body", "payload", "people", 0), "people.0"),
        (("body", "payload"), "body"),
        (("query", "limit"), "limit"),
        (("path", "person_id"), "person_id"),
        ((), "body"),
    ],
)
def test_field_name_drops_the_source_and_parameter(loc, name):
    assert field_name(loc) == name
