"""Each known format: detected from its headers, read into the canonical rows expected."""

import csv
import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from rapport.imports.sources import FORMATS, Mapping, detect, open_table
from rapport.imports.sources.formats.pivot import PivotTable

FIXTURES = Path(__file__).parent / "fixtures"
LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def read(name: str, path: Path | None = None):
    table = open_table(path or FIXTURES / name)
    fmt, score = detect(table)
    return table, fmt, score, list(fmt.rows(table, fmt.default_mapping(table.headers)))


@pytest.mark.parametrize(
    ("name", "fmt", "score"),
    [
        ("libanswers.csv", "libanswers", 1.0),
        ("gimlet.csv", "gimlet", 0.889),
        ("libstats.csv", "libstats", 1.0),
        ("libinsight.csv", "libinsight", 0.958),
        ("desktracker_wide.csv", "desktracker", 1.0),
        ("desktracker_long.csv", "desktracker_long", 1.0),
        ("google_forms.csv", "generic", 0.1),
        ("directory.csv", "generic", 0.1),
    ],
)
def test_formats_are_detected(name, fmt, score):
    found, sure = detect(open_table(FIXTURES / name))
    assert (found.name, sure) == (fmt, score)


def test_every_format_is_listed_with_its_target():
    assert {name: (f.label, f.target) for name, f in FORMATS.items()} == {
        "libanswers": ("Springshare LibAnswers transactions", "touchpoints"),
        "gimlet": ("Gimlet data download", "touchpoints"),
        "libstats": ("LibStats data dump", "touchpoints"),
        "libinsight": ("Springshare LibInsight dataset export", "touchpoints"),
        "desktracker": ("Desk Tracker transactions (one row each)", "touchpoints"),
        "desktracker_long": ("Desk Tracker transactions (one row per answer)", "touchpoints"),
        "generic": ("Any spreadsheet (touchpoints)", "touchpoints"),
        "people": ("Any spreadsheet (people)", "people"),
    }


def test_libanswers_rows():
    _, _, _, rows = read("libanswers.csv")
    assert [(r.key, r.errors, r.warnings) for r in rows] == [
        ("880101", [], []),
        ("880102", [], []),
        ("880103", [], []),
    ]
    assert rows[0].fields == {
        "external_id": "880101",
        "occurred_at": at(2024, 3, 5, 14, 30),
        "staff": "AB",
        "question": "Where are the bound theses kept?\nThe ones from before 1990.",
        "answer": "Second floor, west stacks; walked the patron there.",
        "topic": "Directional",
        "person_status": "faculty",
        "channel": "in_person",
        "minutes": 5,
        "read_level": 1,
        "location": "Main Library",
        "details": {"Dataset": "Reference Desk"},
    }
    assert rows[1].fields["details"] == {"Dataset": "Reference Desk", "Chat ID": "51234"}
    assert (rows[1].fields["minutes"], rows[1].fields["channel"]) == (15, "chat")
    assert rows[2].fields["details"] == {"Dataset": "Email Queue", "Ticket ID": "7731204"}
    assert (rows[2].fields["staff"], rows[2].fields["occurred_at"]) == (
        "cd@uni.example",
        at(2024, 3, 6, 9, 12, 41),
    )


def test_gimlet_rows():
    _, _, _, rows = read("gimlet.csv")
    assert rows[1].fields == {
        "occurred_at": at(2024, 3, 5, 15, 2, 10),
        "staff": "CD",
        "location": "Reference Desk",
        "channel": "chat",
        "person_status": "student",
        "topic": "Research",
        "tags": ["databases", "pubmed", "mesh"],
        "question": "How do I search MeSH terms in PubMed?",
        "answer": "Showed the MeSH database, built a search with two headings.",
    }
    assert [r.fields.get("tags") for r in rows] == [
        ["printing", "directions"],
        ["databases", "pubmed", "mesh"],
        None,
        ["directions"],
    ]
    assert rows[3].warnings == ["Row 4: unknown value 'Carrier pigeon' for channel kept as other"]
    assert rows[3].fields["details"] == {"Format": "Carrier pigeon"}
    assert len({r.key for r in rows}) == 4  # no ids: hashes of the rows


def test_libstats_rows_are_month_first():
    _, _, _, rows = read("libstats.csv")
    assert [r.fields["occurred_at"] for r in rows] == [
        at(2024, 3, 5, 14, 30, 15),
        at(2024, 3, 13, 9, 50),
        at(2024, 3, 14, 16, 0),
    ]
    assert [r.fields["minutes"] for r in rows] == [1, 15, 20]
    assert rows[1].fields == {
        "external_id": "20418",
        "occurred_at": at(2024, 3, 13, 9, 50),
        "person_status": "faculty",
        "topic": "Reference",
        "minutes": 15,
        "channel": "phone",
        "location": "Reference Desk",
        "staff": "cd",
        "question": "Looking for soil survey maps of Dane County",
        "answer": "Pointed to the USDA web soil survey and the map collection.",
        "details": {"library_name": "Steenbock", "added_stamp": "3/13/2024 10:05:00 AM"},
    }
    assert "question" not in rows[2].fields


def libinsight_workbook(path: Path) -> Path:
    """The LibInsight fixture saved as a workbook, dates as real date cells."""
    with (FIXTURES / "libinsight.csv").open(newline="") as f:
        lines = list(csv.reader(f))
    book = Workbook()
    sheet = book.active
    sheet.title = "Records"
    sheet.append(lines[0])
    for line in lines[1:]:
        cells: list[object] = list(line)
        for i in (1, 2, 4):
            cells[i] = dt.datetime.fromisoformat(line[i]) if line[i] else None
        cells[0], cells[8], cells[9] = int(line[0]), int(line[8]), int(line[9])
        sheet.append(cells)
    book.save(path)
    return path


def test_libinsight_csv_and_xlsx_give_the_same_rows(tmp_path):
    _, _, _, from_csv = read("libinsight.csv")
    table, fmt, score, from_xlsx = read("", libinsight_workbook(tmp_path / "libinsight.xlsx"))
    assert (fmt.name, score, table.sheet) == ("libinsight", 0.958, "Records")
    assert [(r.number, r.fields, r.key) for r in from_xlsx] == [
        (r.number, r.fields, r.key) for r in from_csv
    ]
    assert from_csv[0].fields == {
        "external_id": "5001",
        "occurred_at": at(2024, 4, 2, 11, 0),
        "staff": "alice",
        "channel": "video",
        "person_status": "faculty",
        "topic": "Research Assistance",
        "minutes": 30,
        "read_level": 4,
        "location": "Data Science Center",
        "question": "Help cleaning survey data in R",
        "answer": "Walked through tidyr pivots, shared the workshop notes.",
        "details": {
            "End Date": "2024-04-02 11:30:00",
            "Created At": "2024-04-02 11:35:12",
            "Follow-up Needed": "Yes",
        },
    }


def test_desk_tracker_wide_and_long_agree():
    _, _, _, wide = read("desktracker_wide.csv")
    table, _, _, long = read("desktracker_long.csv")
    assert wide[0].fields == {
        "external_id": "DT-9001",
        "occurred_at": at(2024, 3, 18, 10, 5),
        "location": "Science Desk",
        "staff": "jsmith",
        "person_status": "faculty",
        "topic": "Research",
        "channel": "in_person",
        "minutes": 8,
        "read_level": 3,
        "answer": "Found lab safety standards in the ASTM database",
    }
    assert [(r.number, r.key, r.errors, r.warnings) for r in long] == [
        (1, "DT-9001", [], []),
        (7, "DT-9002", [], []),
    ]
    assert long[0].fields == {
        "external_id": "DT-9001",
        "occurred_at": at(2024, 3, 18, 10, 5),
        "location": "Science Desk",
        "staff": "jsmith",
        "person_status": "faculty",
        "topic": "Research",
        "channel": "in_person",
        "minutes": 8,
        "details": {"Resources Used": "ASTM Compass; Knovel"},
    }
    assert long[1].fields == {
        k: v for k, v in wide[1].fields.items() if k not in ("read_level", "minutes")
    }
    assert table.warnings == [
        "Dates in 'Date' read month first (05/03/2024 is May 3), as values such as "
        "'03/18/2024' show."
    ]


def test_desk_tracker_long_default_mapping_leaves_the_question_pair_alone():
    table = open_table(FIXTURES / "desktracker_long.csv")
    mapping = FORMATS["desktracker_long"].default_mapping(table.headers)
    assert mapping.columns == {
        "external_id": ["Transaction ID"],
        "occurred_at": ["Date", "Time"],
        "location": ["Desk"],
        "staff": ["User"],
    }


def long_rows(transactions: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    lines = []
    for t in range(transactions):
        for field, choices in (
            ("Patron Type", ["Faculty", "Undergraduate", "Staff"]),
            ("Question Type", ["Directional", "Research"]),
            ("Contact Method", ["In Person", "Phone", "Email"]),
            ("Duration", ["0-5 minutes", "5-10 minutes"]),
        ):
            day = 1 + t % 28
            lines.append(
                [
                    f"T{t}",
                    f"03/{day:02d}/2024",
                    "10:05 AM",
                    "Main",
                    "amy",
                    field,
                    rng.choice(choices),
                ]
            )
    return lines


def write_long(path: Path, lines: list[list[str]]) -> Path:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Transaction ID", "Date", "Time", "Desk", "User", "Question", "Response"])
        out.writerows(lines)
    return path


def test_desk_tracker_long_rows_apart_are_gathered_through_the_spill(tmp_path):
    lines = long_rows(300, seed=3)
    adjacent = write_long(tmp_path / "adjacent.csv", lines)
    shuffled = lines[:]
    random.Random(4).shuffle(shuffled)
    apart = write_long(tmp_path / "apart.csv", shuffled)
    fmt = FORMATS["desktracker_long"]
    table = open_table(apart)
    pivot = fmt.pivoted(table)  # type: ignore[attr-defined]
    assert isinstance(pivot, PivotTable)
    assert pivot.adjacent is False
    assert table.warnings == [
        "Some transactions' rows are not next to each other in the file; they were gathered by "
        "Transaction ID (300 transactions)."
    ]
    rows_apart = list(fmt.rows(table, fmt.default_mapping(table.headers)))
    adjacent_table = open_table(adjacent)
    assert fmt.pivoted(adjacent_table).adjacent is True  # type: ignore[attr-defined]
    rows_adjacent = list(fmt.rows(adjacent_table, fmt.default_mapping(adjacent_table.headers)))
    numbers = [r.number for r in rows_apart]
    assert numbers == sorted(numbers)  # in the order of each transaction's first row
    assert len(rows_apart) == len(rows_adjacent) == 300
    by_key = {r.key: r.fields for r in rows_adjacent}
    assert {r.key: r.fields for r in rows_apart} == by_key
    assert by_key["T7"]["staff"] == "amy"
    assert all(r.errors == [] and r.warnings == [] for r in rows_apart)


def test_desk_tracker_long_disagreeing_rows_are_reported(tmp_path):
    path = write_long(
        tmp_path / "odd.csv",
        [
            ["T1", "03/18/2024", "10:05 AM", "Main", "amy", "Patron Type", "Faculty"],
            ["T1", "03/19/2024", "10:05 AM", "Main", "amy", "Duration", "5-10 minutes"],
            ["", "03/19/2024", "11:00 AM", "Main", "amy", "Patron Type", "Staff"],
        ],
    )
    _, _, _, rows = read("", path)
    assert [(r.number, r.warnings) for r in rows] == [
        (
            1,
            [
                "Row 1: rows 1 and 2 of Transaction ID T1 differ in 'Date' ('03/18/2024', "
                "'03/19/2024'): kept the first"
            ],
        ),
        (3, ["Row 3: has no Transaction ID, so it stands alone"]),
    ]
    assert rows[0].fields["minutes"] == 8
    assert rows[1].fields["person_status"] == "staff"


def test_a_librarians_mapping_wins_over_a_formats_guess():
    table = open_table(FIXTURES / "libanswers.csv")
    fmt = FORMATS["libanswers"]
    mapping = fmt.default_mapping(table.headers)
    mapping.columns["topic"] = ["Dataset"]
    mapping.values["person_status"] = {"graduate student": "researcher"}
    rows = list(fmt.rows(table, Mapping.from_json(mapping.to_json())))
    assert [r.fields["topic"] for r in rows] == ["Reference Desk", "Reference Desk", "Email Queue"]
    assert [r.fields["person_status"] for r in rows] == ["faculty", "researcher", "student"]
    assert rows[0].fields["details"] == {"Question Type": "Directional"}


def test_desk_tracker_long_forced_on_another_file_is_unreadable():
    from rapport.imports.sources import Unreadable

    table = open_table(FIXTURES / "libanswers.csv")
    fmt = FORMATS["desktracker_long"]
    with pytest.raises(Unreadable) as caught:
        fmt.rows(table, fmt.default_mapping(table.headers))
    assert str(caught.value) == (
        "This is not a Desk Tracker export with one row per answer: it needs a Transaction ID, "
        "a Question and a Response column."
    )


def test_columns_a_mapping_may_name():
    long = open_table(FIXTURES / "desktracker_long.csv")
    assert FORMATS["desktracker_long"].columns_of(long) == [
        "Transaction ID", "Date", "Time", "Desk", "User",
        "Patron Type", "Question Type", "Contact Method", "Duration", "Resources Used",
    ]  # fmt: skip
    wide = open_table(FIXTURES / "libanswers.csv")
    assert FORMATS["libanswers"].columns_of(wide) == wide.headers


def test_a_mapping_naming_a_question_of_the_long_export_is_used():
    table = open_table(FIXTURES / "desktracker_long.csv")
    fmt = FORMATS["desktracker_long"]
    mapping = fmt.default_mapping(table.headers)
    mapping.columns["topic"] = ["Resources Used"]
    assert mapping.problems(fmt.columns_of(table)) == []
    rows = list(fmt.rows(table, mapping))
    assert [r.fields.get("topic") for r in rows] == ["ASTM Compass; Knovel", None]
    assert rows[0].fields["details"] == {"Question Type": "Research"}


def test_gimletr_prepared_layout_reads_as_gimlet():
    _, fmt, score, rows = read("gimletr_excerpt.csv")
    assert (fmt.name, score) == ("gimlet", 0.611)
    assert [(r.fields["staff"], r.fields["channel"], r.fields["tags"]) for r in rows] == [
        ("zzz", "chat", ["software"]),
        ("zzz", "in_person", ["software", "proquest"]),
        ("xyz", "email", ["distance_ed"]),
    ]
    assert rows[0].fields["occurred_at"] == at(2010, 1, 13, 17, 0)
    assert rows[0].fields["location"] == "Special collections"
