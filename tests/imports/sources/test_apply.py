"""Mappings applied to tables: typed fields, value mapping, defaults, dates decided from the
column, unknown values kept and reported, keys."""

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from rapport.imports.sources import FORMATS, Mapping, apply_mapping, open_table, suggest_mapping

LONDON = ZoneInfo("Europe/London")


def csv_file(tmp_path: Path, rows: list[list[str]], name: str = "log.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def read(path: Path, mapping: Mapping):
    table = open_table(path)
    return table, list(apply_mapping(table, mapping))


def test_generic_mapping_with_values_defaults_and_tags(tmp_path):
    path = csv_file(
        tmp_path,
        [
            ["When", "Who", "How", "Effort", "Time", "Labels", "Room"],
            ["2024-03-05 10:00", "Ana Ruiz", "Walk-in", "READ 2", "0:20", "hplc; methods", "B12"],
            ["2024-03-06", "", "", "", "", "", ""],
        ],
    )
    mapping = Mapping(
        target="touchpoints",
        columns={
            "occurred_at": ["When"],
            "person_name": ["Who"],
            "channel": ["How"],
            "read_level": ["Effort"],
            "minutes": ["Time"],
            "tags": ["Labels"],
        },
        values={"channel": {"walk-in": "in_person"}},
        defaults={"channel": "email", "kind": "consultation", "origin": "Referral"},
        tag_separator=";",
    )
    _, rows = read(path, mapping)
    assert [(r.number, r.fields, r.errors, r.warnings) for r in rows] == [
        (
            1,
            {
                "occurred_at": dt.datetime(2024, 3, 5, 10, tzinfo=LONDON),
                "person_name": "Ana Ruiz",
                "channel": "in_person",
                "read_level": 2,
                "minutes": 20,
                "tags": ["hplc", "methods"],
                "kind": "consultation",
                "origin": "referral",
                "details": {"Room": "B12"},
            },
            [],
            [],
        ),
        (
            2,
            {
                "occurred_at": dt.datetime(2024, 3, 6, 12, tzinfo=LONDON),
                "channel": "email",
                "kind": "consultation",
                "origin": "referral",
            },
            [],
            [],
        ),
    ]


def test_unknown_values_are_kept_and_named(tmp_path):
    path = csv_file(
        tmp_path,
        [
            ["Date", "Channel", "Kind", "Status", "READ", "Minutes", "Email"],
            ["2024-03-05", "Carrier pigeon", "Gossip", "Emeritus", "9", "ages", "ana at uni"],
        ],
    )
    mapping = Mapping(
        target="touchpoints",
        columns={
            "occurred_at": ["Date"],
            "channel": ["Channel"],
            "kind": ["Kind"],
            "person_status": ["Status"],
            "read_level": ["READ"],
            "minutes": ["Minutes"],
            "person_email": ["Email"],
        },
        values={"channel": {"carrier pigeon": "bird"}},
    )
    (row,) = read(path, mapping)[1]
    assert row.errors == []
    assert row.fields == {
        "occurred_at": dt.datetime(2024, 3, 5, 12, tzinfo=LONDON),
        "channel": "other",
        "kind": "question",
        "person_status": "other",
        "details": {
            "Channel": "Carrier pigeon",
            "Kind": "Gossip",
            "Status": "Emeritus",
            "READ": "9",
            "Minutes": "ages",
            "Email": "ana at uni",
        },
    }
    assert row.warnings == [
        "Row 1: 'Carrier pigeon' is mapped to 'bird', which is not a channel; kept as other",
        "Row 1: unknown value 'Gossip' for kind kept as question",
        "Row 1: unknown value 'Emeritus' for person's status kept as other",
        "Row 1: READ level '9' is not a READ level from 1 to 6; kept in details",
        "Row 1: Minutes 'ages' is not a number of minutes; kept in details",
        "Row 1: Person's email 'ana at uni' is not an email address; kept in details",
    ]


def test_bad_dates_are_row_errors_and_other_rows_stand(tmp_path):
    path = csv_file(
        tmp_path,
        [
            ["Date", "Time", "Note"],
            ["2024-03-05", "10:00", "fine"],
            ["yesterday", "10:00", "nonsense"],
            ["31/02/2024", "", "no such day"],
            ["2024-03-06", "25:61", "no such time"],
            ["", "10:00", "missing"],
        ],
    )
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date", "Time"]})
    _, rows = read(path, mapping)
    assert [(r.number, r.errors) for r in rows] == [
        (1, []),
        (2, ["Row 2: date 'yesterday 10:00' is not a date"]),
        (3, ["Row 3: date '31/02/2024' is not a date"]),
        (4, ["Row 4: time '25:61' is not a time of day"]),
        (5, ["Row 5: has no date ('Date' is empty)"]),
    ]
    assert rows[0].fields["occurred_at"] == dt.datetime(2024, 3, 5, 10, tzinfo=LONDON)
    assert rows[0].fields["details"] == {"Note": "fine"}


def test_no_date_column_mapped_is_an_error_on_every_row(tmp_path):
    path = csv_file(tmp_path, [["Note"], ["a"], ["b"]])
    _, rows = read(path, Mapping(target="touchpoints", columns={"question": ["Note"]}))
    assert [r.errors for r in rows] == [
        ["Row 1: has no date (no column is mapped to When)"],
        ["Row 2: has no date (no column is mapped to When)"],
    ]


@pytest.mark.parametrize(
    ("dates", "expected_days", "note"),
    [
        (
            ["05/03/2024", "25/03/2024"],
            [(2024, 3, 5), (2024, 3, 25)],
            "Dates in 'Date' read day first (05/03/2024 is 5 March), as values such as "
            "'25/03/2024' show.",
        ),
        (
            ["05/03/2024", "03/25/2024"],
            [(2024, 5, 3), (2024, 3, 25)],
            "Dates in 'Date' read month first (05/03/2024 is May 3), as values such as "
            "'03/25/2024' show.",
        ),
        (
            ["05/03/2024", "01/02/2024"],
            [(2024, 3, 5), (2024, 2, 1)],
            "Dates in 'Date' could be day first or month first; read day first (05/03/2024 is "
            "5 March). Choose the date format if that is wrong.",
        ),
    ],
)
def test_day_or_month_first_is_decided_from_the_column_and_reported(
    tmp_path, dates, expected_days, note
):
    path = csv_file(tmp_path, [["Date"], *[[d] for d in dates]])
    table, rows = read(path, Mapping(target="touchpoints", columns={"occurred_at": ["Date"]}))
    assert [r.fields["occurred_at"].timetuple()[:3] for r in rows] == expected_days
    assert table.warnings == [note]


def test_mixed_date_orders_read_by_the_majority_and_the_rest_are_errors(tmp_path):
    path = csv_file(tmp_path, [["Date"], ["25/03/2024"], ["26/03/2024"], ["03/27/2024"]])
    table, rows = read(path, Mapping(target="touchpoints", columns={"occurred_at": ["Date"]}))
    assert [r.errors for r in rows] == [[], [], ["Row 3: date '03/27/2024' is not a date"]]
    assert table.warnings == [
        "Dates in 'Date' are mixed: 2 can only be day first (such as '25/03/2024') and 1 only "
        "month first (such as '03/27/2024'). Read as day first (05/03/2024 is 5 March); the 1 "
        "others are reported as errors."
    ]


def test_iso_and_numeric_dates_mix_in_one_column(tmp_path):
    path = csv_file(tmp_path, [["Date"], ["2024-03-05 09:00"], ["25/03/2024 10:30"]])
    _, rows = read(path, Mapping(target="touchpoints", columns={"occurred_at": ["Date"]}))
    assert [r.fields["occurred_at"] for r in rows] == [
        dt.datetime(2024, 3, 5, 9, tzinfo=LONDON),
        dt.datetime(2024, 3, 25, 10, 30, tzinfo=LONDON),
    ]


def test_explicit_strptime_format_and_timezone_conversion(tmp_path):
    path = csv_file(tmp_path, [["When", "UTC"], ["05-03-2024 @ 14h30", "2024-07-01T08:00:00Z"]])
    mapping = Mapping(
        target="touchpoints", columns={"occurred_at": ["When"]}, date_format="%d-%m-%Y @ %Hh%M"
    )
    (row,) = read(path, mapping)[1]
    assert row.fields["occurred_at"] == dt.datetime(2024, 3, 5, 14, 30, tzinfo=LONDON)
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["UTC"]})
    (row,) = read(path, mapping)[1]
    assert row.fields["occurred_at"] == dt.datetime(2024, 7, 1, 9, tzinfo=LONDON)  # BST


def test_excel_serial_dates_in_a_workbook(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Time", "Note"])
    sheet.append([45356, 0.625, "serial day and fraction"])
    sheet.append([dt.datetime(2024, 3, 6, 9, 30), None, "a real date cell"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    table = open_table(path)
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date", "Time"]})
    assert [r.fields["occurred_at"] for r in apply_mapping(table, mapping)] == [
        dt.datetime(2024, 3, 5, 15, tzinfo=LONDON),
        dt.datetime(2024, 3, 6, 9, 30, tzinfo=LONDON),
    ]


def test_keys_are_external_ids_or_stable_hashes_with_repeats_numbered(tmp_path):
    tally = [["2024-03-05", "Directional"], ["2024-03-05", "Directional"]]
    path = csv_file(tmp_path, [["Date", "Type"], *tally, ["2024-03-06", "Directional"], tally[0]])
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date"], "topic": ["Type"]})
    keys = [r.key for r in read(path, mapping)[1]]
    again = [r.key for r in read(path, mapping)[1]]
    assert keys == again
    assert keys[1] == keys[0] + "-2"
    assert keys[3] == keys[0] + "-3"
    assert len(set(keys)) == 4
    long_id = "x" * 150
    path = csv_file(tmp_path, [["ID", "Date"], ["T-1", "2024-03-05"], [long_id, "2024-03-05"]])
    mapping = Mapping(
        target="touchpoints", columns={"occurred_at": ["Date"], "external_id": ["ID"]}
    )
    rows = read(path, mapping)[1]
    assert rows[0].key == "T-1"
    assert rows[1].key == rows[1].fields["external_id"]
    assert rows[1].key.startswith("sha-") and len(rows[1].key) == 52
    assert rows[1].warnings == ["Row 2: external id longer than 100 characters, hashed"]


def test_long_topic_is_cut_with_a_warning(tmp_path):
    path = csv_file(tmp_path, [["Date", "Topic"], ["2024-03-05", "t" * 400]])
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date"], "topic": ["Topic"]})
    (row,) = read(path, mapping)[1]
    assert row.fields["topic"] == "t" * 299 + "…"
    assert row.warnings == ["Row 1: topic cut to 300 characters"]


def test_ragged_row_problems_become_warnings_and_extra_cells_details(tmp_path):
    (tmp_path / "r.csv").write_text("Date,Note\n2024-03-05,a,stray\n2024-03-06\n")
    mapping = Mapping(target="touchpoints", columns={"occurred_at": ["Date"]})
    rows = read(tmp_path / "r.csv", mapping)[1]
    assert [(r.fields.get("details"), r.warnings) for r in rows] == [
        (
            {"Note": "a", "(column 3)": "stray"},
            ["Row 1: has 3 cells, the headings have 2: the extra cell 'stray' kept in details"],
        ),
        (None, ["Row 2: has 1 cells, the headings have 2"]),
    ]


def test_people_rows_from_a_directory(tmp_path):
    table = open_table(Path(__file__).parent / "fixtures" / "directory.csv")
    fmt = FORMATS["people"]
    rows = list(fmt.rows(table, fmt.default_mapping(table.headers)))
    assert rows[0].fields == {
        "directory_id": "E1001",
        "first_name": "Ana",
        "last_name": "Ruiz",
        "full_name": "Ana Ruiz",
        "email": "ana.ruiz@uni.example",
        "job_title": "Associate Professor",
        "department": "Chemistry",
        "building": "Science Hall",
        "room": "214",
        "orcid": "0000-0002-1825-0097",
        "status": "faculty",
    }
    assert (rows[0].key, rows[1].fields["status"], rows[1].errors) == ("E1001", "student", [])
    assert rows[2].errors == ["Row 3: has neither a name nor an email"]
    assert rows[2].warnings == [
        "Row 3: unknown value 'Emeritus' for status kept as other",
        "Row 3: ORCID iD '0000-0002-1825-0098' is not a valid ORCID iD; kept in details",
    ]


def test_suggested_mapping_from_header_names():
    headers = ["Timestamp", "Email Address", "Patron name", "Their email", "Duration (mins)"]
    assert suggest_mapping(headers, "touchpoints").columns == {
        "staff": ["Email Address"],
        "occurred_at": ["Timestamp"],
        "person_name": ["Patron name"],
        "person_email": ["Their email"],
        "minutes": ["Duration (mins)"],
    }
    assert suggest_mapping(["Date", "Time", "Question", "Answer"], "touchpoints").columns == {
        "occurred_at": ["Date", "Time"],
        "question": ["Question"],
        "answer": ["Answer"],
    }
    assert suggest_mapping(["Surname", "Given name", "E-mail", "Dept"], "people").columns == {
        "last_name": ["Surname"],
        "first_name": ["Given name"],
        "email": ["E-mail"],
        "department": ["Dept"],
    }


def test_mapping_problems_are_plain():
    mapping = Mapping(
        target="touchpoints",
        columns={"channel": ["Mode"], "colour": ["Colour"]},
        defaults={"mood": "happy"},
    )
    assert mapping.problems(["Date", "Colour"]) == [
        "The column 'Mode' (for Channel) is not in the file.",
        "'colour' is not a field of touchpoints.",
        "'mood' is not a field of touchpoints.",
        "Choose the column that says when each touchpoint happened.",
    ]
    assert Mapping(target="people").problems(["Name"]) == [
        "Choose the column with each person's name or email."
    ]
    assert Mapping(target="cats").problems([]) == [
        "'cats' is not something Rapport imports (touchpoints or people)."
    ]


def test_headers_with_quotes_braces_and_line_breaks_are_only_names(tmp_path):
    odd = ["When {x}", 'It\'s "odd"', "Two\nlines", "{number}", "Tags'"]
    path = csv_file(
        tmp_path, [odd, ["2024-03-05", "Walk-in", "5 min", "kept", "a b"], ["", "Zoom", "", "", ""]]
    )
    mapping = Mapping(
        target="touchpoints",
        columns={
            "occurred_at": [odd[0]],
            "channel": [odd[1]],
            "minutes": [odd[2]],
            "tags": [odd[4]],
        },
    )
    table, rows = read(path, mapping)
    assert table.headers == ["When {x}", 'It\'s "odd"', "Two lines", "{number}", "Tags'"]
    mapping.columns["minutes"] = ["Two lines"]
    rows = list(apply_mapping(table, mapping))
    assert [(r.fields, r.errors) for r in rows] == [
        (
            {
                "occurred_at": dt.datetime(2024, 3, 5, 12, tzinfo=LONDON),
                "channel": "in_person",
                "minutes": 5,
                "tags": ["a", "b"],
                "details": {"{number}": "kept"},
            },
            [],
        ),
        ({"channel": "video"}, ["Row 2: has no date ('When {x}' is empty)"]),
    ]
