"""A reference desk's Google Form export through the whole import: the guessed columns on the
mapping screen with how sure each is, the dry run's notes, and the touchpoints written."""

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from rapport.imports.models import ImportJob, SavedMapping
from rapport.imports.report import summary_lines
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import dry_run, run, upload

FORM = Path(__file__).parent / "sources" / "fixtures" / "reference_form.csv"
LONDON = ZoneInfo("Europe/London")
RANGES = (
    "Time spent given as a range was read as the middle of the range, in minutes: "
    "“under 5 minutes” as 3, “5–15 min” as 10, “15-30 min” as 23, “over an hour” as 60, "
    "“1-2 hours” as 90. “Under” a time is read as half of it; “over” a time or “60+” as "
    "that time."
)


@pytest.fixture
def alice(client, staff):
    client.force_login(staff.alice)
    return client


def test_the_form_export_is_imported_right(staff):
    job = upload(staff.alice, FORM)
    assert job.format == "generic"
    job = dry_run(staff.alice, job)
    assert summary_lines(job, "check") == [
        "Touchpoints: 8 would be created, 0 would be updated, 0 skipped (already there), 0 failed.",
        "People would be created for rows that named someone new: 5 (at most: a name may "
        "repeat across chunks).",
        "Rows without a person (anonymous touchpoints, still counted in the figures): 1.",
        "Unknown staff: Ana Lopez (5), Ben Ode (3); logged as Alice Liddell.",
        "Unknown groups: Physics (2), History (1), Nursing (1), Chemistry (1), Library (1); "
        "rows kept without a group.",
        RANGES,
        "6 row errors and warnings listed in the report.",
    ]
    job = run(staff.alice, job)
    rows = Touchpoint.objects.filter(source_system="generic").order_by("occurred_at", "pk")
    got = [(t.occurred_at, t.channel, t.kind, t.minutes, t.question[:30]) for t in rows]
    at = dt.datetime
    assert got == [
        (at(2025, 3, 20, 12, tzinfo=LONDON), "email", "instruction", 60,
         "Set up a Zotero session for th"),
        (at(2025, 3, 24, 12, tzinfo=LONDON), "in_person", "consultation", 23,
         "Help building a search strateg"),
        (at(2025, 3, 25, 9, 14, 2, tzinfo=LONDON), "email", "question", 10,
         "Where can I find the 1851 cens"),
        (at(2025, 3, 26, 11, 2, 10, tzinfo=LONDON), "phone", "question", 3,
         "Can a book borrowed through in"),
        (at(2025, 3, 28, 14, 30, tzinfo=LONDON), "email", "question", 10,
         "Access to the Royal Society jo"),
        (at(2025, 3, 31, 9, 45, 12, tzinfo=LONDON), "email", "consultation", 90,
         "Which data repository should a"),
        (at(2025, 4, 1, 12, tzinfo=LONDON), "email", "question", 23,
         "Can former students still reac"),
        (at(2025, 4, 1, 13, 20, tzinfo=LONDON), "in_person", "question", 3,
         "Looking for a quiet room to bo"),
    ]  # fmt: skip
    assert sum(t.minutes for t in rows) == 222
    # Ana Ruiz and Ben Okafor were known already; the others are new, with their status.
    statuses = dict(Person.objects.filter(created_by=staff.alice).values_list("email", "status"))
    assert statuses == {
        "dana.new@uni.example": "student",
        "lee.park@uni.example": "staff",
        "nora.field@uni.example": "faculty",
        "omar.haddad@elsewhere.example": "external",
        "rita.gomes@mail.example": "external",
    }


def write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "log.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_a_weak_guess_says_what_it_left_unmapped(staff, tmp_path):
    path = write(
        tmp_path,
        [
            ["When", "Notes", "Sort"],
            ["2025-03-03 10:00", "Showed the catalogue", "Walk-in"],
            ["2025-03-04 11:00", "Printing", "Walk-in"],
            ["2025-03-05 12:00", "Renewals", "Walk-in"],
        ],
    )
    job = upload(staff.alice, path)
    assert job.mapping["columns"] == {
        "occurred_at": ["When"],
        "answer": ["Notes"],
        "channel": ["Sort"],
    }
    job = dry_run(staff.alice, job)
    assert summary_lines(job, "check")[2:] == [
        "Check the columns: no column is mapped to Kind, Minutes, Question and Staff.",
        "Every row has the same channel, In person (from “Sort”): check that this is right.",
    ]


def test_the_mapping_screen_shows_each_guess_and_the_date_it_falls_back_to(alice, staff):
    job = upload(staff.alice, FORM)
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert (
        '<p class="help" id="id_col-minutes_helptext">Guessed from the heading and the values: '
        "sure (98%).</p>"
    ) in page
    assert (
        '<p class="help" id="id_col-group_helptext">Guessed from the heading: sure (85%).</p>'
    ) in page
    assert '<label for="id_col-occurred_at-else">When: if that column is empty, from</label>' in (
        page
    )
    assert (
        '<p class="help" id="id_col-occurred_at-else_helptext">Guessed used when the column '
        "before it is empty: sure (97%).</p>"
    ) in page
    # The affiliations are offered already read as statuses.
    assert "“Member of the public” means" in page
    html = page.split("“Member of the public” means", 1)[1].split("</select>", 1)[0]
    assert '<option value="external" selected>External</option>' in html

    data = {f"col-{k}": v[0] for k, v in job.mapping["columns"].items()}
    data.update({"date_format": "auto", "col-minutes": "Staff time spent"})
    data["col-occurred_at-else"] = "Timestamp"
    data["col-occurred_at-time"] = "Timestamp"
    response = alice.post(reverse("imports:mapping", args=[job.pk]), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["columns"]["occurred_at"] == ["Date (if not today)", "Timestamp"]
    assert job.mapping["fallbacks"] == {"occurred_at": ["Timestamp"]}
    assert job.mapping["guesses"]["minutes"]["score"] == 0.98
    alice.post(reverse("imports:save_mapping", args=[job.pk]), {"name": "Desk form"})
    saved = SavedMapping.objects.get(name="Desk form").mapping
    assert saved["fallbacks"] == {"occurred_at": ["Timestamp"]}
    # Kept as chosen: another file with the same headings shows no column as a guess.
    assert "guesses" not in saved
    assert saved["columns"]["occurred_at"] == ["Date (if not today)", "Timestamp"]

    # A column chosen by hand is no guess; no fallback chosen, none kept.
    data.update({"col-occurred_at-else": "", "col-occurred_at-time": "", "col-group": ""})
    data["col-minutes"] = "Their department"
    response = alice.post(reverse("imports:mapping", args=[job.pk]), data)
    job.refresh_from_db()
    assert "fallbacks" not in job.mapping
    assert "minutes" not in job.mapping["guesses"]
    assert "group" not in job.mapping["columns"]


def test_the_readme_shows_the_form_export_as_it_comes_in(staff, tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    shown = readme.split("$ rapport import desk-form.csv --dry-run --as ana\n", 1)[1]
    shown = shown.split("```", 1)[0].splitlines()
    path = tmp_path / "desk-form.csv"
    path.write_text(example, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), "--as", "alice", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        shown[0].replace("Import 1:", f"Import {ImportJob.objects.get().pk}:"),
        *shown[1:],
    ]
    job = ImportJob.objects.get()
    assert job.mapping["columns"] == {
        "occurred_at": ["Date (if not today)"],
        "channel": ["How did they contact you"],
        "kind": ["Type of contact"],
        "question": ["What did they need"],
        "minutes": ["Staff time spent"],
        "person_status": ["Affiliation"],
    }
    assert job.mapping["fallbacks"] == {"occurred_at": ["Timestamp"]}
    run(staff.alice, job)
    got = Touchpoint.objects.filter(source_system="generic").order_by("occurred_at")
    at = dt.datetime
    assert [(t.occurred_at, t.channel, t.kind, t.minutes, t.details) for t in got] == [
        (at(2025, 3, 24, 12, tzinfo=LONDON), "in_person", "consultation", 23,
         {"patron_status": "student"}),
        (at(2025, 3, 25, 9, 14, 2, tzinfo=LONDON), "email", "question", 10,
         {"patron_status": "faculty"}),
        (at(2025, 3, 26, 11, 2, 10, tzinfo=LONDON), "phone", "question", 3,
         {"patron_status": "external"}),
    ]  # fmt: skip


def test_guesses_made_without_much_certainty_are_named(staff, tmp_path):
    path = write(
        tmp_path,
        [
            ["Q1", "Q2", "Q3"],
            ["2025-03-03 10:00", "email", "Where are the theses from the seventies kept now?"],
            ["2025-03-04 11:00", "walk in", "Could you help me find a review of the novel?"],
            ["2025-03-05 12:00", "phone call", "Is there a way to get the article my tutor sent?"],
        ],
    )
    job = dry_run(staff.alice, upload(staff.alice, path))
    assert job.mapping["columns"] == {
        "channel": ["Q2"],
        "occurred_at": ["Q1"],
        "question": ["Q3"],
    }
    assert summary_lines(job, "check")[2:] == [
        "Check the columns: no column is mapped to Kind, Minutes and Staff.",
        "Check the columns: these were guessed without much certainty: When ← “Q1” (64%); "
        "Question ← “Q3” (56%).",
    ]


def test_one_value_on_every_row_and_a_kind_against_its_channel_are_told(staff, tmp_path):
    path = write(
        tmp_path,
        [
            ["When", "Kind", "Channel", "Affiliation", "Question", "Minutes", "Staff"],
            ["2025-03-03 10:00", "Email", "walk in", "Faculty", "Scanner?", "5", "AL"],
            ["2025-03-04 11:00", "Email", "walk in", "Faculty (our university)", "Maps?", "", "AL"],
            ["2025-03-05 12:00", "Email", "email", "Faculty", "Theses?", "", "AL"],
        ],
    )
    job = dry_run(staff.alice, upload(staff.alice, path))
    assert summary_lines(job, "check")[2:] == [
        "Every row has the same kind, Email (from “Kind”): check that this is right.",
        "Every row has the same person's status, Faculty (from “Affiliation”): check that this "
        "is right.",
        "2 rows are of kind Email but not by email: check the columns for kind and channel.",
    ]
