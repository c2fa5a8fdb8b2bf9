"""A calendar over 256 KB is previewed by the worker, never in the web request: reading one
takes about thirty times its size (a 20 MB file took 580 MB in the request before)."""

import datetime as dt
import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from benchmarks import hostile_files as hostile
from rapport.audit.models import AuditEntry
from rapport.calendars import services
from rapport.calendars.models import CalendarImport
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from rapport.uploads import lifecycle

MB = 1024 * 1024


@pytest.fixture
def large(tmp_path, world):
    """2,000 daily meetings that began a week ago (450 KB), one attendee of each known."""
    for n in range(3):
        Person.objects.create(full_name=f"Attendee {n}", email=f"a{n}@uni.example")
    start = timezone.now().astimezone(dt.UTC) - dt.timedelta(days=7)
    path = hostile.ics_many_daily(
        tmp_path / "team.ics", events=2_000, start=f"{start:%Y%m%dT090000Z}"
    )
    assert path.stat().st_size > services.INLINE_BYTES
    return path


def test_the_upload_request_keeps_a_large_calendar_unread_for_the_worker(
    client, world, large, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    client.get(reverse("calendars:import"))  # the modules a request imports, imported before

    tracemalloc.start()
    with django_capture_on_commit_callbacks() as queued, large.open("rb") as f:
        response = client.post(reverse("calendars:import"), {"file": f})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    job = CalendarImport.objects.get()
    assert (response.status_code, response.url) == (302, job.get_absolute_url())
    assert (job.status, job.events, job.meetings, job.planned) == ("checking", 0, 0, [])
    assert len(queued) == 1  # the preview, queued for `rapport worker`
    assert peak < 4 * MB
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Reading every one of its events to show what importing would do" in page
    assert "?was=checking" in page


def test_the_worker_previews_it_then_logs_it(world, large):
    with large.open("rb") as f:
        job = lifecycle.upload("ics", by=world.alice, stream=f, name="team.ics")

    job = lifecycle.work("ics", job.pk)  # what the queued task does

    assert (job.status, job.events, job.worker) == ("checked", 2_000, "")
    first = (timezone.now().astimezone(dt.UTC) - dt.timedelta(days=7)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    days = sum(1 for k in range(9) if first + dt.timedelta(days=k) <= timezone.now())
    assert job.meetings == 3 * days  # a week of daily meetings with the 3 people known
    lifecycle.run(by=world.alice, job=job)
    done = lifecycle.work("ics", job.pk)
    assert (done.status, done.meetings) == ("done", job.meetings)
    assert Touchpoint.objects.filter(source_system="ics").count() == job.meetings


def test_a_large_file_without_meetings_fails_in_the_worker_and_changes_nothing(world, tmp_path):
    todo = "BEGIN:VTODO\r\nSUMMARY:Only a task\r\nEND:VTODO\r\n" * 10_000
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{todo}END:VCALENDAR\r\n".encode()
    job = lifecycle.upload("ics", by=world.alice, stream=io.BytesIO(data), name="tasks.ics")
    entries = AuditEntry.objects.count()

    job = lifecycle.work("ics", job.pk)

    assert (job.status, job.error) == (
        "failed",
        "No events found in that file (nothing between BEGIN:VEVENT and END:VEVENT).",
    )
    assert job.file.name == ""
    assert AuditEntry.objects.count() == entries
    assert not Touchpoint.objects.filter(source_system="ics").exists()


def test_a_large_file_that_is_no_calendar_is_refused_on_the_form(world):
    data = b"Minutes of the meeting, not a calendar.\n" * 10_000

    with pytest.raises(Invalid) as err:
        lifecycle.upload("ics", by=world.alice, stream=io.BytesIO(data), name="minutes.ics")

    assert err.value.message.startswith("That is not a calendar file")
    assert CalendarImport.objects.count() == 0


def test_the_command_line_previews_and_logs_a_large_file_itself(world, large):
    out = io.StringIO()
    call_command("import-ics", str(large), "--as", "alice", stdout=out)

    job = CalendarImport.objects.get()
    assert (job.status, job.events) == ("done", 2_000)
    assert out.getvalue().startswith(f"Logged {job.meetings} meetings from team.ics")
