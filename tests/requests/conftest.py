"""Requests on top of the shared world, and the API caller from tests/api.

`make_request` writes rows directly (tests of services call the services).
"""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from rapport.accounts.models import User
from rapport.people.models import Person
from rapport.requests.models import Request, Status, StatusChange
from tests.api.conftest import call, token  # noqa: F401  (fixtures used by the API tests)


def make_request(
    owner: User, people: list[Person], *, status: str = Status.NEW, **fields: Any
) -> Request:
    fields.setdefault("need", "A literature search")
    fields.setdefault("title", fields["need"][:120])
    fields.setdefault("status_changed_at", timezone.now())
    req = Request.objects.create(owner=owner, created_by=owner, status=status, **fields)
    req.people.set(people)
    StatusChange.objects.create(request=req, to_status=status, at=req.status_changed_at, by=owner)
    return req


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()
