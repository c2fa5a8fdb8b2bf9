"""Calling the API as someone: `call(method, path, as_=user, body=...)` -> (status, json).

Session calls go through Django's test client with CSRF checks on, as a browser would meet
them; `csrf=True` sends the token. Token calls carry `Authorization: Bearer …` only.
"""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils.crypto import get_random_string

from rapport.accounts.models import User
from rapport.accounts.services import create_api_token
from rapport.touchpoints.models import Touchpoint

PROBLEM = "application/problem+json"
# The API fuzzing's figures (test_schemathesis.py), printed at the end of the run.
FUZZ_SUMMARY = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    line = config.stash.get(FUZZ_SUMMARY, None)
    if line:
        terminalreporter.write_line(line)


@dataclass
class Reply:
    status: int
    body: Any
    content_type: str
    headers: Any


class Caller:
    def __init__(self) -> None:
        self.clients: dict[int | None, Client] = {}

    def client(self, user: User | None) -> Client:
        key = user.pk if user else None
        if key not in self.clients:
            client = Client(enforce_csrf_checks=True)
            if user is not None:
                client.force_login(user)
            self.clients[key] = client
        return self.clients[key]

    def __call__(
        self,
        method: str,
        path: str,
        *,
        as_: User | None = None,
        token: str | None = None,
        body: Any = None,
        raw: bytes | str | None = None,
        params: dict[str, Any] | None = None,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        client = self.client(as_)
        extra: dict[str, Any] = {}
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if as_ is not None and csrf and method not in ("GET", "HEAD"):
            # What a page's CSRF cookie and the X-CSRFToken header carry in a browser.
            secret = get_random_string(32)
            client.cookies["csrftoken"] = secret
            extra["HTTP_X_CSRFTOKEN"] = secret
        data: Any = b""
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body)
        response = client.generic(
            method,
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            QUERY_STRING=_query(params),
            headers=headers,
            **extra,
        )
        content = response.content
        parsed = json.loads(content) if content else None
        return Reply(
            response.status_code, parsed, response.get("Content-Type", ""), response.headers
        )


def _query(params: dict[str, Any] | None) -> str:
    return urlencode(params or {}, doseq=True)


@pytest.fixture
def call(world) -> Caller:
    return Caller()


@pytest.fixture
def token(world) -> str:
    """A live token of alice's."""
    _, raw = create_api_token(by=world.alice, name="test script")
    return raw


_encoder = DjangoJSONEncoder()


def when(value: Any) -> str | None:
    """A datetime or date as the API writes it (milliseconds, Z for UTC)."""
    return None if value is None else _encoder.default(value)


def problem(status: int, slug: str, title: str, detail: str, path: str, **members: Any) -> dict:
    """The exact problem body the API returns."""
    return {
        "type": f"urn:rapport:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": f"/api/v1{path}",
        **members,
    }


def invalid(detail: str, path: str, errors: dict[str, list[str]], **members: Any) -> dict:
    return problem(422, "invalid", "Invalid input", detail, path, errors=errors, **members)


def not_found(detail: str, path: str) -> dict:
    return problem(404, "not-found", "Not found", detail, path)


def forbidden(detail: str, path: str) -> dict:
    return problem(403, "forbidden", "Forbidden", detail, path)


# Messages long enough to be worth one name each.
NOT_AN_INTEGER = "Input should be a valid integer, unable to parse string as an integer"
STATUSES = (
    "Input should be 'faculty', 'researcher', 'postdoc', 'student', 'staff', 'external' or 'other'"
)
GROUP_KINDS = "Input should be 'research_team', 'department', 'course', 'unit' or 'committee'"
KINDS = (
    "Input should be 'question', 'consultation', 'instruction', 'meeting', 'hallway', 'email' "
    "or 'deliverable'"
)


def one_error(path: str, field: str, message: str, label: str | None = None) -> dict:
    """A 422 about one field. Ninja names the field as sent; our services say it as the form
    names it ("Full name"), which `label` gives, or not at all (`label=""`) when the message
    is a whole sentence."""
    detail = message if label == "" else f"{label or field}: {message}"
    return invalid(detail, path, {field: [message]})


def touchpoint_json(tp: Touchpoint, hidden: tuple = ()) -> dict:
    """The JSON of a touchpoint for a reader who may not see the people in `hidden`."""
    tp = Touchpoint.objects.get(pk=tp.pk)
    return {
        "id": tp.pk,
        "occurred_at": when(tp.occurred_at),
        "logged_at": when(tp.logged_at),
        "updated_at": when(tp.updated_at),
        "author": {
            "id": tp.author.pk,
            "username": tp.author.username,
            "display_name": tp.author.display_name,
        },
        "people": [
            {"id": p.pk, "full_name": p.full_name}
            for p in tp.people.order_by("pk")
            if p not in hidden
        ],
        "hidden_people": len(hidden),
        "group": tp.group and {"id": tp.group.pk, "name": tp.group.name},
        "kind": tp.kind,
        "channel": tp.channel,
        "origin": tp.origin,
        "initiated_by": tp.initiated_by,
        "read_level": tp.read_level,
        "minutes": tp.minutes,
        "topic": tp.topic,
        "question": tp.question,
        "answer": tp.answer,
        "outcome": tp.outcome,
        "confidential": tp.confidential,
        "tags": tp.tags,
        "capture_line": tp.capture_line,
        "source_system": tp.source_system,
        "external_id": tp.external_id,
    }
