"""RFC 5545 checks of our own, beside icalendar's parser: a feed must pass both."""

import datetime as dt

import icalendar

REQUIRED_EVENT = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY")


def check(body: bytes) -> icalendar.Calendar:
    """Fail unless `body` is one strict VCALENDAR; return it parsed."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    for line in lines:
        assert "\n" not in line and "\r" not in line, f"bare line break in {line!r}"
        assert len(line.encode("utf-8")) <= 75, f"{len(line.encode())} octets: {line!r}"
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    unfolded = text.replace("\r\n ", "").split("\r\n")[:-1]
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded]
    assert names.count("VERSION") == 1 and "VERSION:2.0" in unfolded
    assert names.count("PRODID") == 1
    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk():
        assert component.errors == [], component.errors
    uids = []
    for event in calendar.walk("VEVENT"):
        for name in REQUIRED_EVENT:
            assert name in event, f"{name} missing"
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert event["DTSTAMP"].dt.tzinfo is not None
        uids.append(str(event["UID"]))
    assert len(uids) == len(set(uids)), "UIDs repeat"
    return calendar
