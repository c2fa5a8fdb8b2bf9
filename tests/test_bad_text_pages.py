"""Pages refuse text no database can store with the 422 error page, before any view runs:
search boxes and filters, forms, the capture box, the sign-in form (rapport/middleware.py).

Before, a NUL byte in a search box or the sign-in form was a 500 on PostgreSQL, and a capture
line kept it on SQLite; a form's CharField said "Null characters are not allowed" but other
fields and every view that reads request.GET or request.POST itself did not.
"""

import pytest
from django.urls import reverse

from rapport.audit.models import AuditEntry
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint

NUL_IN_Q = "The text contains a character that cannot be stored (a NUL byte) in “q”."
HTMX = {"HTTP_HX_REQUEST": "true"}


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Touchpoint.objects.count(), AuditEntry.objects.count()


def error_message(response) -> str:
    html = response.text
    start = html.index('id="error-message">') + len('id="error-message">')
    return html[start : html.index("</p>", start)]


@pytest.mark.parametrize(
    "url",
    [
        "/people/?q=a%00b",
        "/people/groups/?q=a%00b",
        "/requests/?q=a%00b",
        "/search/?q=a%00b",
    ],
)
def test_search_boxes_refuse_a_nul_with_the_error_page(client, world, url):
    client.force_login(world.alice)

    response = client.get(url)

    assert response.status_code == 422
    assert "<title>That cannot be saved" in response.text
    assert error_message(response) == NUL_IN_Q


def test_htmx_gets_the_error_as_a_partial(client, world):
    client.force_login(world.alice)

    response = client.get("/people/?q=a%00b", **HTMX)

    assert response.status_code == 422
    assert "<html" not in response.text
    assert error_message(response) == NUL_IN_Q


def test_person_form_refuses_a_nul_and_saves_nothing(client, world):
    client.force_login(world.alice)
    before = counts()

    response = client.post(
        reverse("people:person_create"), {"full_name": "Zoe\x00Quinn", "status": "other"}
    )

    assert response.status_code == 422
    assert error_message(response) == (
        "The text contains a character that cannot be stored (a NUL byte) in “full_name”."
    )
    assert counts() == before


def test_capture_box_refuses_a_nul_and_logs_nothing(client, world):
    client.force_login(world.alice)
    before = counts()

    response = client.post(reverse("touchpoints:capture"), {"line": "@Ana Ruiz asked \x00"})

    assert response.status_code == 422
    assert error_message(response) == (
        "The text contains a character that cannot be stored (a NUL byte) in “line”."
    )
    assert counts() == before


def test_sign_in_form_refuses_a_nul_before_looking_anyone_up(client, world):
    response = client.post(reverse("login"), {"username": "alice\x00", "password": "x"})

    assert response.status_code == 422
    assert error_message(response) == (
        "The text contains a character that cannot be stored (a NUL byte) in “username”."
    )


# Forms that carry a file: the middleware leaves a body that large to the view, which refuses
# a file over its limit unread first, then checks the fields the same way.
BIG = b"x" * 70_000  # more than the fields alone: the view checks, not the middleware


def test_an_upload_with_a_bad_field_is_refused_by_the_upload_page(
    client, world, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rapport.imports.models import ImportJob

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.alice)

    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("log.csv", b"Date,Question\n" + BIG), "sheet": "a\x00b"},
    )

    assert response.status_code == 422
    assert "The text contains a character that cannot be stored (a NUL byte) in “sheet”." in (
        response.text
    )
    assert ImportJob.objects.count() == 0


def test_a_deliverable_with_a_bad_title_is_refused_with_its_file(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rapport.requests.models import Deliverable
    from rapport.requests.services import open_request

    settings.MEDIA_ROOT = tmp_path
    req = open_request(by=world.alice, people=[world.ana], need="A search")
    client.force_login(world.alice)
    before = counts()

    response = client.post(
        reverse("requests:deliverable_add", args=[req.pk]),
        {"title": "Strategy\x00", "file": SimpleUploadedFile("s.txt", BIG)},
    )

    assert response.status_code == 422
    assert error_message(response) == (
        "The text contains a character that cannot be stored (a NUL byte) in “title”."
    )
    assert Deliverable.objects.count() == 0
    assert counts() == before
