"""Who may call the API: tokens, sessions with CSRF, and everybody else."""

import pytest
from django.test import Client
from django.utils import timezone

from rapport.accounts.models import ApiToken, User
from rapport.accounts.services import revoke_api_token
from rapport.people.models import Person
from tests.api.conftest import PROBLEM, forbidden, problem

UNAUTHENTICATED = (
    "Send a personal access token as “Authorization: Bearer rpt_…”, or sign in to Rapport "
    "in this browser."
)


def unauthenticated(path: str) -> dict:
    return problem(401, "unauthenticated", "Authentication required", UNAUTHENTICATED, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/people"),
        ("POST", "/people"),
        ("GET", "/people/1"),
        ("PATCH", "/people/1"),
        ("POST", "/people/1/archive"),
        ("GET", "/groups"),
        ("POST", "/groups"),
        ("GET", "/groups/1"),
        ("PATCH", "/groups/1"),
        ("GET", "/memberships"),
        ("POST", "/memberships"),
        ("GET", "/memberships/1"),
        ("PATCH", "/memberships/1"),
        ("GET", "/touchpoints"),
        ("POST", "/touchpoints"),
        ("POST", "/touchpoints/capture"),
        ("GET", "/touchpoints/1"),
        ("PATCH", "/touchpoints/1"),
        ("DELETE", "/touchpoints/1"),
    ],
)
def test_every_route_anonymous_is_unauthenticated(call, world, method, path):
    reply = call(method, path, body={"full_name": "Zoe"})

    assert (reply.status, reply.content_type) == (401, PROBLEM)
    assert reply.body == unauthenticated(path)
    assert reply.headers["WWW-Authenticate"] == 'Bearer realm="rapport"'
    assert not Person.objects.filter(full_name="Zoe").exists()


def test_token_acts_as_its_owner_and_marks_last_use(call, world, token):
    reply = call("GET", f"/people/{world.ana.pk}", token=token)

    assert (reply.status, reply.body["full_name"]) == (200, "Ana Ruiz")
    assert ApiToken.objects.get(user=world.alice).last_used_at is not None


def test_token_writes_need_no_csrf(call, world, token):
    reply = call("POST", "/people", token=token, body={"full_name": "Zoe"})

    assert reply.status == 201
    assert Person.objects.get(full_name="Zoe").created_by == world.alice


def test_token_of_bob_cannot_read_ana(call, world):
    from rapport.accounts.services import create_api_token

    _, raw = create_api_token(by=world.bob, name="bob's script")

    reply = call("GET", f"/people/{world.ana.pk}", token=raw)

    assert reply.status == 404


def test_revoked_token_is_unauthenticated(call, world, token):
    revoke_api_token(by=world.alice, token_id=ApiToken.objects.get(user=world.alice).pk)

    reply = call("GET", "/people", token=token)

    assert reply.body == unauthenticated("/people")


def test_token_of_deactivated_user_is_unauthenticated(call, world, token):
    User.objects.filter(pk=world.alice.pk).update(is_active=False)

    reply = call("GET", "/people", token=token)

    assert reply.status == 401


@pytest.mark.parametrize("value", ["rpt_not-a-real-token", "not-even-prefixed", ""])
def test_unknown_token_is_unauthenticated(call, world, value):
    reply = call("GET", "/people", token=value or " ")

    assert reply.body == unauthenticated("/people")


def test_basic_auth_header_is_unauthenticated(world):
    reply = Client().get("/api/v1/people", HTTP_AUTHORIZATION="Basic YWxpY2U6cHc=")

    assert reply.status_code == 401


def test_basic_auth_of_a_proxy_leaves_the_session_alone(world):
    client = Client()
    client.force_login(world.bob)

    reply = client.get("/api/v1/people", HTTP_AUTHORIZATION="Basic cHJveHk6cHc=")

    assert reply.status_code == 200


def test_bad_token_does_not_fall_back_to_the_session(call, world):
    # A script with a revoked token must fail even in a browser that is signed in.
    reply = call("GET", "/people", as_=world.alice, token="rpt_revoked")

    assert reply.status == 401


def test_session_write_without_csrf_is_forbidden_and_saves_nothing(call, world):
    reply = call("POST", "/people", as_=world.alice, body={"full_name": "Zoe"}, csrf=False)

    assert reply.body == forbidden(
        "CSRF check failed: send the csrftoken cookie's value in an X-CSRFToken header, "
        "or call the API with a personal access token.",
        "/people",
    )
    assert not Person.objects.filter(full_name="Zoe").exists()


def test_session_write_with_csrf_is_accepted(call, world):
    reply = call("POST", "/people", as_=world.alice, body={"full_name": "Zoe"})

    assert reply.status == 201


def test_session_read_needs_no_csrf(call, world):
    reply = call("GET", "/people", as_=world.bob, csrf=False)

    assert [p["full_name"] for p in reply.body["items"]] == ["Hugo Marsh"]


def test_session_of_deactivated_user_is_unauthenticated(call, world):
    client = Client()
    client.force_login(world.bob)
    User.objects.filter(pk=world.bob.pk).update(is_active=False, last_login=timezone.now())

    reply = client.get("/api/v1/people")

    assert reply.status_code == 401
