"""The calendar pages: feed settings, upload and preview, adding people, the run by the worker."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from rapport.calendars.models import CalendarFeed, CalendarImport
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from tests.calendars.conftest import fixture

HTMX = {"HTTP_HX_REQUEST": "true"}


def ics(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture(name).read_bytes(), content_type="text/calendar")


@pytest.mark.parametrize(
    "url",
    [
        reverse("calendars:settings"),
        reverse("calendars:import"),
        reverse("calendars:import_detail", args=[1]),
    ],
)
def test_managers_get_403(client, world, url):
    client.force_login(world.mia)
    response = client.get(url)
    assert response.status_code == 403
    assert "Managers see aggregate figures only" in response.text


def test_pages_need_sign_in(client, world):
    response = client.get(reverse("calendars:settings"))
    assert (response.status_code, response.url) == (302, "/login/?next=/calendar/")


def test_settings_page_makes_shows_once_and_replaces_the_address(client, world):
    client.force_login(world.alice)
    assert "No feed yet." in client.get(reverse("calendars:settings")).text

    made = client.post(reverse("calendars:feed_create"))
    feed = CalendarFeed.objects.get(user=world.alice, revoked_at=None)
    assert made.status_code == 200
    assert "It is shown only this once" in made.text
    assert f'<code class="token" id="feed-url">http://testserver/calendar/feed/{feed.hint}' in (
        made.text
    )

    later = client.get(reverse("calendars:settings")).text
    assert "Replace the address" in later and 'id="feed-url"' not in later

    client.post(reverse("calendars:feed_create"))
    assert CalendarFeed.objects.filter(user=world.alice, revoked_at=None).count() == 1
    assert CalendarFeed.objects.filter(user=world.alice).count() == 2


def test_turning_the_feed_off(client, world):
    client.force_login(world.alice)
    client.post(reverse("calendars:feed_create"))
    response = client.post(reverse("calendars:feed_revoke"), follow=True)
    assert "Your calendar feed is off" in response.text
    assert "No feed yet." in response.text
    assert CalendarFeed.objects.filter(revoked_at=None).count() == 0


def test_feed_buttons_refuse_get(client, world):
    client.force_login(world.alice)
    assert client.get(reverse("calendars:feed_create")).status_code == 405
    assert CalendarFeed.objects.count() == 0


def test_import_page_has_a_labelled_upload_form(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("calendars:import")).text
    assert '<label for="id_file">Calendar file (.ics):</label>' in html
    assert '<label for="id_since">Meetings since:</label>' in html
    assert 'enctype="multipart/form-data"' in html
    assert "No imports yet." in html


@pytest.mark.django_db(transaction=True)
def test_upload_previews_then_the_worker_logs(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("calendars:import"), {"file": ics("google.ics"), "since": "2025-01-01"}
    )
    job = CalendarImport.objects.get()
    assert response.url == reverse("calendars:import_detail", args=[job.pk])

    html = client.get(response.url).text
    assert "What importing it would log" in html
    assert "Log 5 meetings" in html
    assert "<td>Systematic review planning</td>" in html
    assert "Vera Visitor &lt;vera@elsewhere.example&gt;" in html
    assert Touchpoint.objects.filter(source_system="ics").count() == 0

    client.post(reverse("calendars:import_run", args=[job.pk]))
    partial = client.get(reverse("calendars:import_detail", args=[job.pk]), **HTMX).text
    assert "Waiting for the worker" in partial
    assert 'hx-trigger="every 1s"' in partial

    call_command("worker", "--batch", verbosity=0)

    url = reverse("calendars:import_detail", args=[job.pk])
    polled = client.get(f"{url}?was=queued", **HTMX)
    assert polled["HX-Refresh"] == "true"  # the status changed: the page loads whole again
    done = client.get(url).text
    assert "What the import logged" in done
    assert "<strong>5</strong> logged" in done
    assert "every 1s" not in done
    assert Touchpoint.objects.filter(source_system="ics", author=world.alice).count() == 5


def test_running_twice_is_refused(client, world):
    client.force_login(world.alice)
    client.post(reverse("calendars:import"), {"file": ics("google.ics"), "since": "2025-01-01"})
    job = CalendarImport.objects.get()
    client.post(reverse("calendars:import_run", args=[job.pk]))
    response = client.post(reverse("calendars:import_run", args=[job.pk]), follow=True)
    assert "This import has already been started, or is not checked yet." in response.text


def test_bad_upload_shows_the_error_and_keeps_nothing(client, world):
    client.force_login(world.alice)
    bad = SimpleUploadedFile("notes.ics", b"just some notes", content_type="text/calendar")
    response = client.post(reverse("calendars:import"), {"file": bad})
    assert response.status_code == 422
    assert "That is not a calendar file (it has no BEGIN:VCALENDAR)." in response.text
    assert CalendarImport.objects.count() == 0


def test_adding_people_from_the_preview(client, world):
    client.force_login(world.alice)
    client.post(reverse("calendars:import"), {"file": ics("google.ics"), "since": "2025-01-01"})
    job = CalendarImport.objects.get()

    response = client.post(
        reverse("calendars:import_people", args=[job.pk]),
        {"emails": ["vera@elsewhere.example"]},
        follow=True,
    )

    assert "Added 1 person; the check is up to date." in response.text
    assert Person.objects.filter(email="vera@elsewhere.example").count() == 1
    assert "<td>Ben Okafor, Vera Visitor</td>" in response.text


def test_adding_nobody_shows_an_error(client, world):
    client.force_login(world.alice)
    client.post(reverse("calendars:import"), {"file": ics("google.ics"), "since": "2025-01-01"})
    job = CalendarImport.objects.get()
    response = client.post(reverse("calendars:import_people", args=[job.pk]), {})
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_others_imports_are_not_found(client, world):
    client.force_login(world.alice)
    client.post(reverse("calendars:import"), {"file": ics("google.ics"), "since": "2025-01-01"})
    job = CalendarImport.objects.get()
    client.force_login(world.bob)
    assert client.get(reverse("calendars:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("calendars:import_run", args=[job.pk])).status_code == 404
