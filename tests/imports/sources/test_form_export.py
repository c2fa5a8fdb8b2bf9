"""A reference desk's Google Form export: its columns guessed by whole headings and by values,
ranges of minutes, a date that overrides the form's timestamp, affiliations read as statuses."""

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.imports.files import read_preview, samples
from rapport.imports.sources import Mapping, apply_mapping, detect, open_table, suggest_mapping
from rapport.imports.sources.guess import Sample, confidence

FORM = Path(__file__).parent / "fixtures" / "reference_form.csv"
LONDON = ZoneInfo("Europe/London")


def guessed(path: Path = FORM) -> Mapping:
    table = open_table(path)
    fmt, _ = detect(table)
    return fmt.default_mapping(table.headers, samples(read_preview(table)))


def test_the_form_export_is_guessed_column_by_column():
    mapping = guessed()
    assert mapping.columns == {
        "occurred_at": ["Date (if not today)"],
        "kind": ["Type of contact"],
        "channel": ["How did they contact you"],
        "staff": ["Staff name"],
        "person_name": ["Their name"],
        "person_email": ["Their email"],
        "person_status": ["Affiliation"],
        "minutes": ["Staff time spent"],
        "question": ["What did they need"],
        "group": ["Their department"],
    }
    assert mapping.fallbacks == {"occurred_at": ["Timestamp"]}
    how = {name: (g["score"], g["why"]) for name, g in mapping.guesses.items()}
    assert how == {
        "occurred_at": (0.97, "both"),
        "occurred_at-else": (0.97, "else"),
        "kind": (1.0, "both"),
        "channel": (1.0, "both"),
        "staff": (1.0, "heading"),
        "person_name": (1.0, "heading"),
        "person_email": (1.0, "both"),
        "person_status": (1.0, "both"),
        "minutes": (0.98, "both"),
        "question": (0.95, "both"),
        "group": (0.85, "heading"),
    }


def test_the_form_export_comes_in_right():
    table = open_table(FORM)
    rows = list(apply_mapping(table, guessed()))
    got = [
        (
            r.number,
            r.fields["occurred_at"],
            r.fields["channel"],
            r.fields["kind"],
            r.fields["minutes"],
            r.fields.get("person_status"),
            r.fields.get("group"),
            r.fields["staff"],
        )
        for r in rows
    ]
    at = dt.datetime
    assert got == [
        (1, at(2025, 3, 25, 9, 14, 2, tzinfo=LONDON), "email", "question", 10, "faculty",
         "History", "Ana Lopez"),
        (2, at(2025, 3, 24, 12, tzinfo=LONDON), "in_person", "consultation", 23, "student",
         "Nursing", "Ana Lopez"),
        (3, at(2025, 3, 26, 11, 2, 10, tzinfo=LONDON), "phone", "question", 3, "external",
         None, "Ben Ode"),
        (4, at(2025, 3, 20, 12, tzinfo=LONDON), "email", "instruction", 60, "faculty",
         "Chemistry", "Ana Lopez"),
        (5, at(2025, 3, 28, 14, 30, tzinfo=LONDON), "email", "question", 10, "external",
         "Physics", "Ben Ode"),
        (6, at(2025, 3, 31, 9, 45, 12, tzinfo=LONDON), "email", "consultation", 90, "student",
         "Physics", "Ana Lopez"),
        (7, at(2025, 4, 1, 13, 20, tzinfo=LONDON), "in_person", "question", 3, "staff",
         "Library", "Ben Ode"),
        (8, at(2025, 4, 1, 12, tzinfo=LONDON), "email", "question", 23, "external", None,
         "Ana Lopez"),
    ]  # fmt: skip
    assert [r.errors + r.warnings for r in rows] == [[]] * 8
    assert rows[0].fields["question"] == (
        "Where can I find the 1851 census returns for Yorkshire online?"
    )
    assert rows[5].fields["question"] == (
        "Which data repository should a thesis dataset go to, and how does it get a DOI?"
    )
    # The respondent's address is kept, never taken for the person helped.
    assert rows[0].fields["details"] == {"Email Address": "ana.lopez@lib.example"}
    assert (rows[0].fields["person_email"], rows[2].fields.get("person_email")) == (
        "nora.field@uni.example",
        None,
    )


def test_a_heading_sharing_one_word_with_a_field_is_not_that_field():
    headers = [
        "Timestamp", "How did they contact you", "Type of contact", "What did they need",
        "Staff time spent", "Their department", "Date (if not today)",
    ]  # fmt: skip
    mapping = suggest_mapping(headers, "touchpoints")
    assert mapping.columns == {
        "occurred_at": ["Date (if not today)"],
        "channel": ["How did they contact you"],
        "question": ["What did they need"],
        "minutes": ["Staff time spent"],
        "group": ["Their department"],
        "kind": ["Type of contact"],
    }
    assert mapping.fallbacks == {"occurred_at": ["Timestamp"]}
    assert "staff" not in mapping.columns


def test_values_decide_when_the_headings_say_nothing():
    headers = ["Q1", "Q2", "Q3", "Q4"]
    found = {
        "Q1": Sample(("2025-03-01 10:00", "2025-03-02 11:30", "2025-03-04 09:05"), 3, 3),
        "Q2": Sample(("email", "walk in", "phone call"), 3, 3),
        "Q3": Sample(("10-30 min", "under 5 minutes", "over an hour"), 3, 3),
        "Q4": Sample(
            (
                "Where are the theses from the nineteen seventies kept now?",
                "Could you help me find a review of the novel for my essay?",
                "Is there a way to get the journal article my supervisor sent?",
            ),
            3,
            3,
        ),
    }
    mapping = suggest_mapping(headers, "touchpoints", found)
    assert mapping.columns == {
        "occurred_at": ["Q1"],
        "channel": ["Q2"],
        "minutes": ["Q3"],
        "question": ["Q4"],
    }
    assert {n: (g["score"], g["why"]) for n, g in mapping.guesses.items()} == {
        "occurred_at": (0.64, "values"),
        "channel": (0.8, "values"),
        "minutes": (0.72, "values"),
        "question": (0.56, "values"),
    }
    assert {n: confidence(g["score"]) for n, g in mapping.guesses.items()} == {
        "occurred_at": "unsure",
        "channel": "likely",
        "minutes": "likely",
        "question": "unsure",
    }


def test_a_date_heading_whose_values_are_no_dates_is_doubted():
    not_dates = Sample(("soon", "later", "n/a"), 3, 3)
    mapping = suggest_mapping(["Date"], "touchpoints", {"Date": not_dates})
    assert mapping.guesses["occurred_at"] == {"column": "Date", "score": 0.6, "why": "doubt"}
    dates = Sample(("2025-03-01", "2025-03-02"), 2, 2)
    mapping = suggest_mapping(
        ["Date", "Logged"], "touchpoints", {"Date": not_dates, "Logged": dates}
    )
    assert mapping.columns == {"occurred_at": ["Logged"]}
    assert mapping.guesses["occurred_at"] == {"column": "Logged", "score": 0.64, "why": "values"}


HEADINGS = st.lists(
    st.sampled_from(
        [
            "Timestamp", "Email Address", "Staff name", "Date (if not today)", "Staff time spent",
            "How did they contact you", "Type of contact", "What did they need", "Staff",
            "Their department", "Affiliation", "Their name", "Their email", "Minutes", "Time",
            "Date", "Channel", "Type", "Notes", "Question", "Status", "Department", "Name",
        ]
    ),
    min_size=1,
    max_size=12,
    unique=True,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(HEADINGS)
def test_no_column_is_ever_mapped_to_two_fields(headers):
    mapping = suggest_mapping(headers, "touchpoints")
    used = [c for cols in (*mapping.columns.values(), *mapping.fallbacks.values()) for c in cols]
    assert len(used) == len(set(used))
    assert set(used) <= set(headers)


def form_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "form.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["Timestamp", "Date (if not today)", "Question"], *rows])
    return path


def test_a_date_column_else_the_timestamp_and_its_time_of_day(tmp_path):
    path = form_file(
        tmp_path,
        [
            ["2025-03-25 09:14:02", "", "Census returns?"],
            ["2025-03-25 16:40:55", "2025-03-24", "Search strategy?"],
            ["", "", "Nothing at all"],
        ],
    )
    table = open_table(path)
    alone = Mapping(
        target="touchpoints",
        columns={"occurred_at": ["Date (if not today)"], "question": ["Question"]},
        fallbacks={"occurred_at": ["Timestamp"]},
    )
    rows = list(apply_mapping(table, alone))
    assert [(r.fields.get("occurred_at"), r.errors) for r in rows] == [
        (dt.datetime(2025, 3, 25, 9, 14, 2, tzinfo=LONDON), []),
        (dt.datetime(2025, 3, 24, 12, tzinfo=LONDON), []),
        (None, ["Row 3: has no date ('Date (if not today)' is empty)"]),
    ]
    # The same, with the time of day taken from the timestamp.
    paired = Mapping.from_json(
        {**alone.to_json(), "columns": {"occurred_at": ["Date (if not today)", "Timestamp"]}}
    )
    rows = list(apply_mapping(open_table(path), paired))
    assert [r.fields.get("occurred_at") for r in rows[:2]] == [
        dt.datetime(2025, 3, 25, 9, 14, 2, tzinfo=LONDON),
        dt.datetime(2025, 3, 24, 16, 40, 55, tzinfo=LONDON),
    ]
    assert paired.to_json()["fallbacks"] == {"occurred_at": ["Timestamp"]}


def test_a_fallback_column_must_be_in_the_file_and_follow_a_column():
    mapping = Mapping(target="touchpoints", fallbacks={"occurred_at": ["Submitted"]})
    assert mapping.problems(["Timestamp"]) == [
        "When: choose its own column before the one used when it is empty.",
        "The column 'Submitted' (for When, when empty) is not in the file.",
        "Choose the column that says when each touchpoint happened.",
    ]


def test_affiliations_are_read_as_statuses(tmp_path):
    path = tmp_path / "people.csv"
    statuses = [
        "Faculty (our university)", "Visiting academic", "Member of the public", "grad student",
        "PhD student", "alumna", "Undergraduate", "Library staff", "Emeritus",
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["Date", "Affiliation"], *[["2025-03-01", s] for s in statuses]])
    mapping = Mapping(
        target="touchpoints",
        columns={"occurred_at": ["Date"], "person_status": ["Affiliation"]},
        values={"person_status": {"Emeritus": "faculty"}},
    )
    rows = list(apply_mapping(open_table(path), mapping))
    assert [r.fields["person_status"] for r in rows] == [
        "faculty", "external", "external", "student", "student", "external", "student",
        "staff", "faculty",
    ]  # fmt: skip
    assert [r.warnings for r in rows] == [[]] * 9


def test_a_directory_is_guessed_with_the_fields_of_people():
    headers = ["Name", "Email", "Department", "Their group", "Affiliation"]
    found = {"Affiliation": Sample(("Faculty (our university)", "grad student", "alumna"), 3, 3)}
    mapping = suggest_mapping(headers, "people", found)
    assert mapping.columns == {
        "full_name": ["Name"],
        "email": ["Email"],
        "department": ["Department"],
        "status": ["Affiliation"],
        "group": ["Their group"],
    }
    assert mapping.guesses["status"] == {"column": "Affiliation", "score": 1.0, "why": "both"}


def test_the_date_order_is_learnt_from_the_timestamp_when_the_date_says_nothing(tmp_path):
    path = tmp_path / "form.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["Timestamp", "Date (if not today)", "Question"],
                ["25/03/2025 09:14:02", "03/04/2025", "Census returns?"],
                ["26/03/2025 10:00:00", "", "Search strategy?"],
            ]
        )
    table = open_table(path)
    mapping = Mapping(
        target="touchpoints",
        columns={"occurred_at": ["Date (if not today)"], "question": ["Question"]},
        fallbacks={"occurred_at": ["Timestamp"]},
    )
    rows = list(apply_mapping(table, mapping))
    assert [r.fields["occurred_at"] for r in rows] == [
        dt.datetime(2025, 4, 3, 12, tzinfo=LONDON),
        dt.datetime(2025, 3, 26, 10, tzinfo=LONDON),
    ]
    assert table.warnings == [
        "Dates in 'Timestamp' read day first (05/03/2024 is 5 March), as values such as "
        "'25/03/2025 09:14:02' show."
    ]


def test_a_column_chosen_for_two_fields_is_refused():
    mapping = Mapping(
        target="touchpoints",
        columns={
            "occurred_at": ["Date (if not today)", "Timestamp"],
            "channel": ["How did they contact you"],
            "kind": ["How did they contact you"],
            "question": ["What did they need"],
        },
        fallbacks={"occurred_at": ["Timestamp"]},
    )
    headers = ["Timestamp", "Date (if not today)", "How did they contact you", "What did they need"]
    assert mapping.problems(headers) == [
        "The column 'How did they contact you' is chosen for both Channel and Kind: choose it "
        "for one."
    ]


def test_a_mapping_read_back_keeps_fallbacks_and_guesses_and_mends_odd_ones():
    data = {
        "target": "touchpoints",
        "columns": {"occurred_at": ["Date"]},
        "fallbacks": {"occurred_at": "Timestamp", "channel": []},
        "guesses": {"occurred_at": {"column": "Date", "score": "lots", "why": "heading"}, "x": 3},
    }
    mapping = Mapping.from_json(data)
    assert (mapping.fallbacks, mapping.guesses) == (
        {"occurred_at": ["Timestamp"]},
        {"occurred_at": {"column": "Date", "score": 0.0, "why": "heading"}},
    )
    assert Mapping.from_json(mapping.to_json()) == mapping
    assert "fallbacks" not in Mapping(target="touchpoints").to_json()
