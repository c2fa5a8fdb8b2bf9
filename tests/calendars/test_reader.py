"""Reading meetings out of .ics text: recurrences, time zones, channels, and damage."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import hostile_files as hostile
from rapport.calendars.reader import MAX_MEETINGS, read_meetings
from tests.calendars.conftest import fixture

LONDON = ZoneInfo("Europe/London")
SINCE = dt.datetime(2025, 1, 1, tzinfo=LONDON)
UNTIL = dt.datetime(2025, 12, 31, tzinfo=LONDON)


def ics(*events: str) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\nDTSTAMP:20250101T000000Z\n{e.strip()}\nEND:VEVENT\n" for e in events
    )
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def read(data: bytes, since=SINCE, until=UNTIL):
    return read_meetings(data, since=since, until=until, tz=LONDON)


def test_weekly_rule_with_until_as_a_date_and_exdates():
    reading = read(
        ics("""
UID:w1
DTSTART;TZID=Europe/London:20250303T090000
DTEND;TZID=Europe/London:20250303T093000
RRULE:FREQ=WEEKLY;UNTIL=20250324
EXDATE;TZID=Europe/London:20250310T090000,20250317T090000
SUMMARY:Stand-up
""")
    )
    assert [m.start.isoformat() for m in reading.meetings] == [
        "2025-03-03T09:00:00+00:00",
        "2025-03-24T09:00:00+00:00",
    ]
    assert [m.key for m in reading.meetings] == ["w1/20250303T090000Z", "w1/20250324T090000Z"]


def test_instances_outside_the_dates_are_not_expanded():
    reading = read(
        ics("""
UID:daily
DTSTART:20200101T120000Z
DURATION:PT15M
RRULE:FREQ=DAILY
SUMMARY:Daily
"""),
        since=dt.datetime(2025, 6, 1, tzinfo=LONDON),
        until=dt.datetime(2025, 6, 3, 23, 0, tzinfo=LONDON),
    )
    assert [m.start.day for m in reading.meetings] == [1, 2, 3]
    assert {m.minutes for m in reading.meetings} == {15}


def test_floating_times_are_in_the_local_zone():
    (meeting,) = read(ics("UID:f\nDTSTART:20250701T100000\nDTEND:20250701T110000")).meetings
    assert meeting.start == dt.datetime(2025, 7, 1, 9, 0, tzinfo=dt.UTC)


def test_too_frequent_rules_are_reported_not_expanded():
    reading = read(ics("UID:m\nDTSTART:20250101T000000Z\nRRULE:FREQ=MINUTELY\nSUMMARY:Ping"))
    assert reading.meetings == []
    assert reading.problems == [("Ping", "Repeats more often than daily; skipped.")]


def test_a_cancelled_series_drops_its_moved_instances_too():
    reading = read(
        ics(
            "UID:s\nDTSTART:20250301T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\nSTATUS:CANCELLED",
            "UID:s\nRECURRENCE-ID:20250308T100000Z\nDTSTART:20250309T100000Z",
        )
    )
    assert (reading.meetings, dict(reading.skipped)) == ([], {"cancelled": 1})


def test_future_and_early_meetings_are_counted_as_left_out():
    reading = read(
        ics(
            "UID:a\nDTSTART:20240101T100000Z",
            "UID:b\nDTSTART:20260101T100000Z",
        )
    )
    assert dict(reading.skipped) == {"before the chosen dates": 1, "not happened yet": 1}


def test_video_is_recognised_from_location_description_or_conference():
    reading = read(
        ics(
            "UID:1\nDTSTART:20250501T100000Z\nLOCATION:https://zoom.us/j/1",
            "UID:2\nDTSTART:20250502T100000Z\nDESCRIPTION:Join: https://meet.jit.si/lib",
            "UID:3\nDTSTART:20250503T100000Z\nCONFERENCE;VALUE=URI;FEATURE=VIDEO:https://x.example/r",
            "UID:4\nDTSTART:20250504T100000Z\nLOCATION:Library room 1",
        )
    )
    assert [m.video for m in reading.meetings] == [True, True, True, False]


def test_rooms_and_addresses_without_at_are_not_attendees():
    (meeting,) = read(
        ics("""
UID:r
DTSTART:20250501T100000Z
ORGANIZER:MAILTO:Ana.Ruiz@Uni.Example
ATTENDEE;CUTYPE=ROOM:mailto:room1@uni.example
ATTENDEE;CN=Ben:ben@uni.example
ATTENDEE;CN=Phone only:tel:+441234
ATTENDEE;PARTSTAT=DECLINED:mailto:ana.ruiz@uni.example
""")
    ).meetings
    assert [(a.email, a.name, a.organiser, a.declined) for a in meeting.attendees] == [
        ("ana.ruiz@uni.example", "", True, True),
        ("ben@uni.example", "Ben", False, False),
    ]


def test_every_sample_fixture_reads_without_an_exception():
    for name in ("google.ics", "outlook.ics", "thunderbird-broken.ics"):
        reading = read(fixture(name).read_bytes())
        assert reading.events >= 1


@settings(max_examples=60, deadline=None)
@given(
    cut=st.integers(min_value=0, max_value=4000),
    junk=st.binary(max_size=40),
)
def test_damaged_files_never_raise(cut, junk):
    data = fixture("google.ics").read_bytes()
    damaged = data[:cut] + junk + data[cut + len(junk) :]
    reading = read(damaged)
    assert all(SINCE <= m.start <= UNTIL for m in reading.meetings)
    assert all(m.minutes is None or 0 <= m.minutes <= 24 * 60 for m in reading.meetings)


def test_a_rule_that_repeats_every_second_is_cut_at_the_meetings_a_file_may_hold(tmp_path):
    # A daily rule whose BYHOUR, BYMINUTE and BYSECOND lists make 86,400 meetings a day.
    data = hostile.ics_rrule_bomb(tmp_path / "bomb.ics", start="20250101T090000Z").read_bytes()

    reading = read(data, until=dt.datetime(2025, 3, 31, tzinfo=LONDON))

    assert len(reading.meetings) == MAX_MEETINGS == 50_000
    assert reading.problems == [
        ("Every second", "Repeats more than 50,000 meetings in the chosen dates (the rest were "
         "left out).")
    ]  # fmt: skip


def test_repetitions_before_the_dates_are_worked_out_only_so_far():
    # Every minute since January 2024: a million repetitions before the chosen dates.
    hours = ",".join(str(h) for h in range(24))
    minutes = ",".join(str(m) for m in range(60))
    reading = read(
        ics(f"""
UID:m1
DTSTART:20240101T000000Z
DTEND:20240101T003000Z
RRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={minutes}
SUMMARY:Every minute
"""),
        since=dt.datetime(2026, 1, 1, tzinfo=LONDON),
        until=dt.datetime(2026, 2, 1, tzinfo=LONDON),
    )

    assert reading.meetings == []
    assert reading.problems == [
        ("Every minute", "Its repetitions were not worked out: the file repeats too much.")
    ]


def test_zones_without_offsets_are_read_as_the_librarys_zone_and_said_so():
    reading = read(fixture("zones-without-offsets.ics").read_bytes())

    assert [(m.summary, m.start.astimezone(dt.UTC).isoformat()) for m in reading.meetings] == [
        # 10:00 in London in July (BST), not 10:00 UTC or some parser's guess
        ("Data management consultation", "2025-07-01T09:00:00+00:00"),
        ("Lab induction", "2025-07-02T13:00:00+00:00"),
        ("Lab induction", "2025-07-09T13:00:00+00:00"),
        ("Archive visit", "2025-07-03T08:30:00+00:00"),
        ("Seminar in New York", "2025-07-04T13:00:00+00:00"),
    ]
    assert [m.minutes for m in reading.meetings] == [60, 30, 30, 60, 60]
    assert reading.problems == [
        (
            "file",
            "The time zone “(UTC+01:00) Somewhere, Elsewhere” is not one Rapport knows: the "
            "times of 1 event in it were read as the library's time (Europe/London). Check "
            "them against your calendar.",
        ),
        (
            "file",
            "The time zone “Campus Time” is defined without offsets: the times of 1 event in "
            "it were read as the library's time (Europe/London). Check them against your "
            "calendar.",
        ),
        (
            "file",
            "The time zone “Lab Time” is defined without offsets: the times of 1 event in it "
            "were read as the library's time (Europe/London). Check them against your "
            "calendar.",
        ),
    ]
