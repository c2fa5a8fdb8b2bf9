"""Calendar tests: fixtures read from this folder, uploads kept in a temporary folder."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.SITE_URL = "https://rapport.uni.example"


def fixture(name: str) -> Path:
    return FIXTURES / name


def make_request(owner, people, *, status="new", **fields):
    """A request row written directly (tests of services call the services)."""
    from django.utils import timezone

    from rapport.requests.models import Request

    fields.setdefault("need", "A literature search")
    fields.setdefault("title", fields["need"][:120])
    req = Request.objects.create(
        owner=owner, created_by=owner, status=status, status_changed_at=timezone.now(), **fields
    )
    req.people.set(people)
    return req
