"""The iCalendar writer: escaping, folding at 75 octets, a whole calendar a strict parser reads."""

import datetime as dt

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from rapport.calendars.ics import AllDayEvent, calendar, escape_text, fold
from tests.calendars.strict import check

STAMP = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def test_escape_text_escapes_the_four_specials():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_fold_keeps_short_lines_whole():
    assert fold("SUMMARY:" + "x" * 67) == "SUMMARY:" + "x" * 67


def test_fold_splits_at_75_octets_and_indents():
    line = "SUMMARY:" + "x" * 100
    assert fold(line) == "SUMMARY:" + "x" * 67 + "\r\n " + "x" * 33


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "é" * 40  # two octets each
    parts = fold(line).split("\r\n")
    assert [len(p.encode()) for p in parts] == [74, 15]
    assert parts[0] == "SUMMARY:" + "é" * 33
    assert parts[1] == " " + "é" * 7


@given(st.text(min_size=0, max_size=400))
def test_fold_then_unfold_gives_the_line_back(text):
    line = "DESCRIPTION:" + text.replace("\r", "").replace("\n", "")
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


@given(
    summary=st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=200),
    description=st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
)
def test_any_text_survives_a_strict_parser(summary, description):
    event = AllDayEvent(
        uid="rapport-x@uni.example",
        day=dt.date(2026, 3, 2),
        summary=summary,
        description=description,
        stamp=STAMP,
    )
    parsed = check(calendar("Rapport: Alice", [event]).encode())
    (read,) = parsed.walk("VEVENT")
    assert str(read["SUMMARY"]) == summary
    expected = description.replace("\r\n", "\n").replace("\r", "\n")
    assert str(read.get("DESCRIPTION", "")) == expected


def test_calendar_has_the_header_and_an_all_day_event():
    event = AllDayEvent(
        uid="rapport-request-7-due@uni.example",
        day=dt.date(2026, 12, 31),
        summary="Due: Search strings, for Ana",
        stamp=STAMP,
        url="https://rapport.uni.example/requests/7/",
        categories=("Rapport", "Request due"),
    )
    text = calendar("Rapport: Alice", [event])
    assert text.split("\r\n") == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Rapport//Calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "NAME:Rapport: Alice",
        "X-WR-CALNAME:Rapport: Alice",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "BEGIN:VEVENT",
        "UID:rapport-request-7-due@uni.example",
        "DTSTAMP:20260301T093000Z",
        "LAST-MODIFIED:20260301T093000Z",
        "DTSTART;VALUE=DATE:20261231",
        "DTEND;VALUE=DATE:20270101",
        "SUMMARY:Due: Search strings\\, for Ana",
        "URL:https://rapport.uni.example/requests/7/",
        "CATEGORIES:Rapport,Request due",
        "TRANSP:TRANSPARENT",
        "CLASS:PRIVATE",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    (read,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert read["DTEND"].dt == dt.date(2027, 1, 1)
