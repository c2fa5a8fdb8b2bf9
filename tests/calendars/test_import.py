"""Importing .ics meetings: the preview, matching by e-mail, logging, idempotency, bad input."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rapport.audit.models import AuditEntry
from rapport.calendars import services
from rapport.calendars.importer import external_id
from rapport.calendars.models import CalendarImport
from rapport.errors import Forbidden, Invalid, NotFound
from rapport.people.models import Person
from rapport.touchpoints.models import Participation, Touchpoint
from rapport.uploads import lifecycle
from tests.calendars.conftest import fixture

SINCE = dt.date(2025, 1, 1)


def _run(job_id: int) -> CalendarImport:
    """Run a checked import at once, as the worker would once it is queued."""
    job = CalendarImport.objects.get(pk=job_id)
    lifecycle.run(by=job.created_by, job=job, how="caller")
    return lifecycle.work("ics", job_id)


def upload(user, name, since=SINCE):
    data = fixture(name).read_bytes()
    return lifecycle.upload("ics", by=user, stream=io.BytesIO(data), name=name, since=since)


def imported(user):
    return Touchpoint.objects.filter(author=user, source_system="ics").order_by("occurred_at")


def test_preview_lists_what_would_be_logged_and_writes_nothing(world):
    before = Touchpoint.objects.count()
    job = upload(world.alice, "google.ics")

    assert job.status == "checked"
    assert (job.events, job.meetings, job.already) == (8, 5, 0)
    assert job.skipped == {
        "all-day entries": 1,
        "cancelled": 2,
        "nobody you serve took part": 1,
        "you declined": 1,
    }
    assert [row[:4] for row in job.planned] == [
        ["Tue 04 Mar 2025 10:00", "Systematic review planning", 60, "video"],
        ["Tue 04 Mar 2025 14:00", "Chem lab meeting", 45, "in_person"],
        ["Tue 11 Mar 2025 14:00", "Chem lab meeting", 45, "in_person"],
        ["Wed 26 Mar 2025 15:00", "Chem lab meeting (moved to Wednesday)", 45, "in_person"],
        ["Tue 08 Apr 2025 14:00", "Chem lab meeting", 45, "in_person"],
    ]
    assert [row[4] for row in job.planned] == [["Ana Ruiz"]] + [["Ben Okafor"]] * 4
    assert job.unmatched == [
        ["vera@elsewhere.example", "Vera Visitor", 3],
        ["head@library.example", "", 1],
    ]
    assert Touchpoint.objects.count() == before


def test_run_logs_meetings_as_touchpoints(world):
    job = upload(world.alice, "google.ics")
    job = _run(job.pk)

    assert (job.status, job.meetings) == ("done", 5)
    tps = list(imported(world.alice))
    first = tps[0]
    assert first.kind == "meeting"
    assert first.channel == "video"
    assert first.origin == "scheduled"
    assert first.initiated_by == "us"  # Alice organised it
    assert first.minutes == 60
    assert first.topic == "Systematic review planning"
    assert first.answer == "Scope the search, pick databases; PRISMA flow."
    assert first.occurred_at == dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    assert first.external_id == f"u{world.alice.pk}:4kq9r2review@google.com"
    assert list(
        Participation.objects.filter(touchpoint=first).values_list("person", flat=True)
    ) == [world.ana.pk]
    lab = tps[1]
    assert (lab.channel, lab.initiated_by, lab.minutes) == ("in_person", "them", 45)
    assert lab.external_id == f"u{world.alice.pk}:7labmeeting@google.com/20250304T140000Z"
    world.ben.refresh_from_db()
    assert world.ben.touchpoint_count == 4
    assert world.ben.last_contact_at == dt.datetime(2025, 4, 8, 13, 0, tzinfo=dt.UTC)
    entry = AuditEntry.objects.get(action="import", object_type="calendarimport")
    assert entry.changes["logged"] == 5
    assert AuditEntry.objects.filter(action="create", object_type="touchpoint").count() == 5
    assert not job.file  # the file (others' invitations) is not kept


def test_importing_the_same_file_twice_logs_nothing_twice(world):
    _run(upload(world.alice, "google.ics").pk)
    again = upload(world.alice, "google.ics")
    assert (again.meetings, again.already) == (0, 5)

    again = _run(again.pk)
    assert (again.status, again.meetings, again.already) == ("done", 0, 5)
    assert imported(world.alice).count() == 5


def test_two_librarians_each_log_the_same_meeting(world):
    world.hugo.email = "hugo@uni.example"
    _run(upload(world.alice, "outlook.ics").pk)
    _run(upload(world.bob, "outlook.ics").pk)
    assert imported(world.alice).count() == 1
    assert imported(world.bob).count() == 1


def test_outlook_teams_meeting_with_a_long_uid(world):
    job = _run(upload(world.bob, "outlook.ics").pk)

    tp = imported(world.bob).get()
    assert (job.meetings, tp.channel, tp.initiated_by, tp.minutes) == (1, "video", "them", 30)
    assert tp.topic == "Pamphlets: archive access"
    assert tp.answer == "Archive access for the Victorian pamphlets project."
    assert tp.occurred_at == dt.datetime(2025, 6, 10, 10, 0, tzinfo=dt.UTC)
    assert tp.external_id.startswith(f"u{world.bob.pk}:sha256:")
    assert len(tp.external_id) <= 100
    # Alice is another librarian; Carla's private address is not one Rapport knows.
    assert job.unmatched == [
        ["alice@library.example", "Alice Liddell", 1],
        ["c.diaz@personal.example", "Carla Diaz", 1],
    ]


def test_other_addresses_match_case_insensitively(world):
    world.carla.other_emails = ["c.diaz@personal.example"]
    world.carla.refresh_search_text()
    world.carla.save()
    world.carla.contacts.add(world.bob)

    _run(upload(world.bob, "outlook.ics").pk)

    people = set(
        Participation.objects.filter(
            touchpoint__author=world.bob, touchpoint__source_system="ics"
        ).values_list("person__full_name", flat=True)
    )
    assert people == {"Hugo Marsh", "Carla Diaz"}


def test_broken_file_salvages_what_parses_and_reports_the_rest(world):
    job = upload(world.alice, "thunderbird-broken.ics")

    assert (job.events, job.meetings) == (2, 1)
    assert job.planned[0][1:4] == ["Zoom office hours", 20, "video"]
    assert [p[0] for p in job.problems] == ["file", "Broken start", "Broken start"]
    assert job.problems[1][1] == "DTSTART: Expected datetime, date, or time. Got: 'NOT-A-DATE'"
    assert job.problem_count == 3


def test_default_dates_are_the_last_90_days(world):
    start = timezone.now() - dt.timedelta(days=100)
    ics = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"]
        + [
            line
            for days in (100, 80, 10)
            for line in (
                "BEGIN:VEVENT",
                f"UID:weekly-{days}",
                "DTSTAMP:20250101T000000Z",
                f"DTSTART:{(start + dt.timedelta(days=100 - days)):%Y%m%dT%H%M%SZ}",
                "DURATION:PT30M",
                "SUMMARY:Check-in",
                "ATTENDEE:MAILTO:ANA.RUIZ@UNI.EXAMPLE",
                "END:VEVENT",
            )
        ]
        + ["END:VCALENDAR", ""]
    )
    job = lifecycle.upload("ics", by=world.alice, stream=io.BytesIO(ics.encode()), name="a.ics")
    assert job.since == timezone.localdate() - dt.timedelta(days=90)
    assert (job.meetings, job.skipped) == (2, {"before the chosen dates": 1})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "That file is empty."),
        (
            b"<html><body>Not a calendar</body></html>",
            "That is not a calendar file (it has no BEGIN:VCALENDAR). "
            "Export an .ics file from your calendar.",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
            "No events found in that file (nothing between BEGIN:VEVENT and END:VEVENT).",
        ),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20250101T",
            "No events found in that file (nothing between BEGIN:VEVENT and END:VEVENT).",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nSUMMARY:Só tarefa\r\nEND:VTODO\r\n"
            "END:VCALENDAR\r\n".encode("utf-16"),
            "No events found in that file (nothing between BEGIN:VEVENT and END:VEVENT).",
        ),
    ],
)
def test_bad_files_are_refused_and_change_nothing(world, data, message):
    with pytest.raises(Invalid) as err:
        lifecycle.upload("ics", by=world.alice, stream=io.BytesIO(data), name="x.ics")
    assert err.value.message == message
    assert CalendarImport.objects.count() == 0


def test_a_start_day_in_the_future_is_refused(world):
    with pytest.raises(Invalid) as err:
        upload(world.alice, "google.ics", since=timezone.localdate() + dt.timedelta(days=1))
    assert err.value.message == "Choose a start day that is not in the future."
    assert CalendarImport.objects.count() == 0


def test_managers_cannot_import(world):
    with pytest.raises(Forbidden):
        upload(world.mia, "google.ics")
    assert CalendarImport.objects.count() == 0


def test_only_the_uploader_runs_it(world):
    job = upload(world.alice, "google.ics")
    with pytest.raises(NotFound):  # not his: he cannot see it
        lifecycle.run(by=world.bob, job=job)
    with pytest.raises(Forbidden, match="Only the librarian who uploaded this file"):
        lifecycle.run(by=world.ada, job=job)  # she sees it, but logs as no one
    job.refresh_from_db()
    assert job.status == "checked"


def test_adding_unmatched_people_previews_again(world):
    job = upload(world.alice, "google.ics")

    added = services.add_people(by=world.alice, job=job, emails=["vera@elsewhere.example"])

    vera = Person.objects.get(pk=added[0])
    assert (vera.full_name, vera.email) == ("Vera Visitor", "vera@elsewhere.example")
    job.refresh_from_db()
    assert job.unmatched == [["head@library.example", "", 1]]
    assert [row[4] for row in job.planned][1] == ["Ben Okafor", "Vera Visitor"]


def test_adding_no_one_is_refused(world):
    job = upload(world.alice, "google.ics")
    with pytest.raises(Invalid) as err:
        services.add_people(by=world.alice, job=job, emails=["nobody@else.example"])
    assert err.value.message == "Tick the people to add."
    assert not Person.objects.filter(email="nobody@else.example").exists()


def test_external_id_is_hashed_only_when_too_long(world):
    assert external_id(world.alice, "short") == f"u{world.alice.pk}:short"
    long_id = external_id(world.alice, "x" * 200)
    assert long_id.startswith(f"u{world.alice.pk}:sha256:") and len(long_id) <= 100


def test_a_meeting_with_text_that_cannot_be_stored_is_reported_not_logged(world):
    """A NUL byte in an event (PostgreSQL cannot store it; SQLite would keep it) leaves that
    meeting out with a problem naming the property; the others are logged."""

    def event(uid: str, day: int, summary: str, description: str) -> list[str]:
        return [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20250101T000000Z",
            f"DTSTART:202503{day:02}T100000Z",
            "DURATION:PT30M",
            f"SUMMARY:{summary}",
            f"DESCRIPTION:{description}",
            "ATTENDEE:MAILTO:ana.ruiz@uni.example",
            "END:VEVENT",
        ]

    ics = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Test//EN",
            *event("a", 3, "Search clinic", "Notes with a \x00 in them"),
            *event("b", 4, "Data\x00 talk", "Fine"),
            *event("c", 5, "Thesis chat", "Fine"),
            "END:VCALENDAR",
            "",
        ]
    )
    before = Touchpoint.objects.count()
    job = lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(ics.encode()), name="a.ics", since=SINCE
    )

    job = _run(job.pk)

    assert (job.status, job.meetings) == ("done", 1)
    assert [tp.topic for tp in imported(world.alice)] == ["Thesis chat"]
    assert Touchpoint.objects.count() == before + 1
    assert job.problems == [
        [
            "Search clinic",
            "The text contains a character that cannot be stored (a NUL byte) in “DESCRIPTION”. "
            "Not logged.",
        ],
        [
            "Data\ufffd talk",
            "The text contains a character that cannot be stored (a NUL byte) in “SUMMARY”. "
            "Not logged.",
        ],
    ]


def daily_since(first: dt.date, *, tzid: str = "Europe/London") -> bytes:
    """A daily stand-up since `first` with Ana and Ben, organised by Alice."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:standup@uni.example\r\nSUMMARY:Lab stand-up\r\n"
        f"DTSTART;TZID={tzid}:{first:%Y%m%d}T093000\r\n"
        f"DTEND;TZID={tzid}:{first:%Y%m%d}T094500\r\nRRULE:FREQ=DAILY\r\n"
        "ORGANIZER:mailto:alice@library.example\r\n"
        "ATTENDEE;CN=Ana Ruiz:mailto:ana.ruiz@uni.example\r\n"
        "ATTENDEE;CN=Ben Okafor:mailto:ben@uni.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_daily_meeting_held_for_years_logs_every_occurrence_in_a_few_queries(world):
    today = timezone.localdate()
    first = today - dt.timedelta(days=3 * 365)
    data = daily_since(first)
    job = lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(data), name="standup.ics", since=first
    )
    days = (today - first).days + (timezone.localtime().time() >= dt.time(9, 30))

    with CaptureQueriesContext(connection) as queries:
        job = _run(job.pk)

    assert (job.status, job.meetings, job.already, job.problems) == ("done", days, 0, [])
    logged = imported(world.alice)
    assert logged.count() == days
    assert Participation.objects.filter(touchpoint__in=logged).count() == 2 * days
    first_one = logged.first()
    assert (timezone.localtime(first_one.occurred_at).date(), first_one.minutes) == (first, 15)
    assert world.ana.relationship.minutes == 15 * days
    assert len(queries) < days / 10  # inserts in batches, never a query per meeting
    again = lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(data), name="standup.ics", since=first
    )
    assert (again.meetings, again.already) == (0, days)


def test_a_zone_without_offsets_is_the_librarys_own_with_a_warning_in_the_preview(world, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    data = fixture("zones-without-offsets.ics").read_bytes()
    job = lifecycle.upload(
        "ics", by=world.alice, stream=io.BytesIO(data), name="rooms.ics", since=SINCE
    )

    assert [row[:2] for row in job.planned] == [
        ["Tue 01 Jul 2025 10:00", "Data management consultation"],
        ["Wed 02 Jul 2025 14:00", "Lab induction"],
        ["Thu 03 Jul 2025 09:30", "Archive visit"],
        ["Fri 04 Jul 2025 15:00", "Seminar in New York"],
        ["Wed 09 Jul 2025 14:00", "Lab induction"],
    ]
    assert [message for _, message in job.problems][1] == (
        "The time zone “Campus Time” is defined without offsets: the times of 1 event in it "
        "were read as the library's time (Europe/Berlin). Check them against your calendar."
    )
    job = _run(job.pk)
    first = imported(world.alice).first()
    assert first.occurred_at == dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)
