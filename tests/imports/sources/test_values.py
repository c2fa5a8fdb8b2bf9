"""Cell text → typed values."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.imports.sources.values import (
    is_range,
    numeric_order_evidence,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_orcid,
    parse_read_level,
    parse_time,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-05", "dmy", (dt.datetime(2024, 3, 5, 12), False)),
        ("2024-03-05 14:30", "dmy", (dt.datetime(2024, 3, 5, 14, 30), True)),
        ("2024-03-05T14:30:05Z", "dmy", (dt.datetime(2024, 3, 5, 14, 30, 5, tzinfo=UTC), True)),
        ("2024/3/5 2:30 pm", "dmy", (dt.datetime(2024, 3, 5, 14, 30), True)),
        ("05/03/2024", "dmy", (dt.datetime(2024, 3, 5, 12), False)),
        ("05/03/2024", "mdy", (dt.datetime(2024, 5, 3, 12), False)),
        ("5.3.24 09:15", "dmy", (dt.datetime(2024, 3, 5, 9, 15), True)),
        ("3/05/2024 02:30:15 PM", "mdy", (dt.datetime(2024, 3, 5, 14, 30, 15), True)),
        ("12/31/2023 12:00 AM", "mdy", (dt.datetime(2023, 12, 31, 0, 0), True)),
        ("5 March 2024", "mdy", (dt.datetime(2024, 3, 5, 12), False)),
        ("Tue, 5 Mar 2024 16:00", "mdy", (dt.datetime(2024, 3, 5, 16), True)),
        ("March 5, 2024", "dmy", (dt.datetime(2024, 3, 5, 12), False)),
        ("Sept 30 2024 8:05 am", "dmy", (dt.datetime(2024, 9, 30, 8, 5), True)),
    ],
)
def test_dates_in_several_formats(text, order, expected):
    assert parse_datetime(text, order) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "last Tuesday",
        "now",
        "31/02/2024",
        "2024-13-01",
        "13/25/2024",
        "2024-03-05 25:00",
        "2024-03-05 13:00 PM",
        "45356",
        "",
        "5 Smarch 2024",
    ],
)
def test_nonsense_is_no_date(text):
    assert parse_datetime(text, "dmy") is None


def test_excel_serials_only_when_asked():
    assert parse_datetime("45356", serials=True) == (dt.datetime(2024, 3, 5, 12), False)
    assert parse_datetime("45356.75", serials=True) == (dt.datetime(2024, 3, 5, 18), True)
    assert parse_datetime("1234", serials=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/03/2024", "dmy"),
        ("03/25/2024 10:00", "mdy"),
        ("05/03/2024", None),
        ("2024-03-25", None),
    ],
)
def test_order_evidence(text, expected):
    assert numeric_order_evidence(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", dt.time(14, 30)),
        ("14.30.05", dt.time(14, 30, 5)),
        ("2:30 PM", dt.time(14, 30)),
        ("12:15 a.m.", dt.time(0, 15)),
        ("2pm", dt.time(14)),
        ("0.5", dt.time(12)),
        ("25:00", None),
        ("noon", None),
    ],
)
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20", 20),
        ("0:20", 20),
        ("1:05", 65),
        ("0:20:00", 20),
        ("1h30", 90),
        ("1 h 30 min", 90),
        ("1 hour 30 minutes", 90),
        ("20 min", 20),
        ("20 mins.", 20),
        ("1.5 hours", 90),
        ("1,5 h", 90),
        ("2 hrs", 120),
        ("10-20 minutes", 15),
        ("5–10 min", 8),
        ("0-1 minutes", 1),
        ("1 to 2 hours", 90),
        ("60+ minutes", 60),
        ("20+", 20),
        ("more than 60", 60),
        ("Less than 5 minutes", 3),
        ("<5 min", 3),
        ("under 5 minutes", 3),
        ("5–15 min", 10),
        ("15-30 min", 23),
        ("over an hour", 60),
        ("half an hour", 30),
        ("1-2 hours", 90),
        ("30 min - 1 hour", 45),
        ("lots", None),
        ("20-10 minutes", None),
        ("0:75", None),
        ("", None),
        ("¹", None),  # a digit to Unicode, but no number to int()
        ("٣٠", 30),  # Arabic-Indic digits are decimal
    ],
)
def test_minutes(text, expected):
    assert parse_minutes(text) == expected


def test_ranges_of_minutes_are_told_apart_from_plain_durations():
    ranges = ["5–15 min", "under 5 minutes", "over an hour", "60+", "1-2 hours"]
    plain = ["20", "0:20", "1h30", "half an hour", "20 min", "lots"]
    assert [is_range(t) for t in ranges] == [True] * 5
    assert [is_range(t) for t in plain] == [False] * 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("READ 3", 3),
        ("read3", 3),
        ("READ scale: 5", 5),
        ("6 - In-depth research", 6),
        ("Level 2", 2),
        ("READ 7", None),
        ("0", None),
        ("32", None),
        ("hard", None),
    ],
)
def test_read_levels(text, expected):
    assert parse_read_level(text) == expected


def test_emails_and_orcids():
    assert parse_email(" <Ana.Ruiz@Uni.Example> ") == "ana.ruiz@uni.example"
    assert parse_email("mailto:ben@uni.example") == "ben@uni.example"
    assert parse_email("ben at uni") is None
    assert parse_orcid("https://orcid.org/0000-0002-1825-0097") == "0000-0002-1825-0097"
    assert parse_orcid("000000021825009x") is None
    assert parse_orcid("0000-0002-1694-233X") == "0000-0002-1694-233X"
    assert parse_orcid("0000-0002-1825-0098") is None


@given(
    st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.sampled_from(
        ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d %B %Y %H:%M:%S"]
    ),
)
def test_any_day_first_datetime_written_is_read_back(moment, fmt):
    assert parse_datetime(moment.strftime(fmt), "dmy") == (moment, True)


@given(st.integers(min_value=0, max_value=5000))
def test_any_number_of_minutes_written_is_read_back(minutes):
    assert parse_minutes(str(minutes)) == minutes
    assert parse_minutes(f"{minutes // 60}:{minutes % 60:02d}") == minutes
    assert parse_minutes(f"{minutes} min") == minutes
