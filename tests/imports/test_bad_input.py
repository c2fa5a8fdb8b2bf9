"""Bad files end to end: a clear message or report, no crash, nothing half imported."""

import pytest
from django.urls import reverse
from openpyxl import Workbook

from rapport.errors import Invalid
from rapport.imports import engine
from rapport.imports.models import ImportIssue, ImportJob
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES, dry_run, import_file, run, upload

HEADER = "Timestamp,Staff,Question,How asked"


def _imported():
    return list(
        Touchpoint.objects.filter(source_system="generic")
        .order_by("occurred_at")
        .values_list("question", "channel")
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "That file is empty."),
        (b"\n\n   \n", "The file is empty."),
        (b"<html><head><title>Login</title></head><body></body></html>", "web page (HTML)"),
    ],
)
def test_unreadable_files_are_refused_before_any_job(staff, tmp_path, media, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    with pytest.raises(Invalid) as err:
        upload(staff.alice, path)

    assert message in err.value.message
    assert ImportJob.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_semicolons_windows_1252_and_a_bom_are_read_right(staff, tmp_path):
    path = tmp_path / "excel.csv"
    text = "Timestamp;Staff;Question;How asked\r\n2025-02-01 10:00;AL;Café opening hours?;Phone\r\n"
    path.write_bytes(text.encode("cp1252"))
    job = import_file(staff.alice, path)

    assert job.created == 1
    assert _imported() == [("Café opening hours?", "phone")]


def test_utf16_with_a_bom_and_a_quoted_newline(staff, tmp_path):
    path = tmp_path / "utf16.csv"
    text = f'{HEADER}\n2025-02-01 10:00,AL,"Two lines:\nsecond",Chat\n'
    path.write_bytes(text.encode("utf-16"))
    job = import_file(staff.alice, path)

    assert job.created == 1
    assert _imported() == [("Two lines:\nsecond", "chat")]


def test_ragged_rows_are_imported_with_warnings_and_extra_cells_kept(staff, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        f"{HEADER}\n2025-02-01 10:00,AL,Short row\n2025-02-02 10:00,AL,Long row,Phone,extra\n"
    )
    job = import_file(staff.alice, path)

    assert (job.created, job.failed) == (2, 0)
    warnings = list(
        ImportIssue.objects.filter(job=job, phase="run", level="warning").values_list(
            "row", "message"
        )
    )
    assert [row for row, _ in warnings] == [1, 2]
    assert "has 3 cells, the headings have 4" in warnings[0][1]
    long = Touchpoint.objects.get(question="Long row")
    assert long.details == {"(column 5)": "extra"}


def test_repeated_headings_are_numbered_not_lost(staff, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Timestamp,Question,Question\n2025-02-01 10:00,First part,Second part\n")
    job = upload(staff.alice, path)

    assert job.mapping["columns"]["question"] == ["Question"]
    import_file(staff.alice, path)
    tp = Touchpoint.objects.get(question="First part")
    assert tp.details == {"Question (2)": "Second part"}


def test_dates_in_several_formats(staff, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "Timestamp,Question\n"
        "2025-02-01 10:00,ISO\n"
        "3 February 2025 11:30,Named month\n"
        "13/02/2025 09:00,Day first\n"
    )
    job = import_file(staff.alice, path)

    assert (job.created, job.failed) == (3, 0)
    days = [(t.occurred_at.month, t.occurred_at.day) for t in Touchpoint.objects.filter(
        source_system="generic").order_by("occurred_at")]  # fmt: skip
    assert days == [(2, 1), (2, 3), (2, 13)]


def test_a_wrong_delimiter_fails_every_row_and_writes_nothing(staff, tmp_path):
    # One column only: the file was split on the wrong character, so no row has a date.
    path = tmp_path / "pipes.csv"
    path.write_text("Timestamp / Question\n2025-02-01 10:00 / Where?\n2025-02-02 10:00 / Why?\n")
    job = import_file(staff.alice, path)

    assert (job.created, job.failed) == (0, 2)
    assert _imported() == []


def test_several_sheets_first_with_data_or_the_one_chosen(staff, tmp_path):
    book = Workbook()
    book.active.title = "Notes"
    book.create_sheet("2024").append(["Timestamp", "Question"])
    book["2024"].append(["2024-05-01 10:00", "From 2024"])
    book.create_sheet("2025").append(["Timestamp", "Question"])
    book["2025"].append(["2025-05-01 10:00", "From 2025"])
    path = tmp_path / "log.xlsx"
    book.save(path)

    first = upload(staff.alice, path)
    assert (first.sheet, first.sheets) == ("2024", ["Notes", "2024", "2025"])
    job = import_file(staff.alice, path, sheet="2025")

    assert (job.sheet, job.created) == ("2025", 1)
    assert _imported() == [("From 2025", "in_person")]


def test_an_upload_over_the_limit_is_refused_before_reading_it(client, staff, settings):
    settings.RAPPORT_IMPORT_MAX_MB = 0
    client.force_login(staff.alice)
    body = ("Timestamp,Question\n" + "2025-01-01 10:00,x\n" * 5000).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("big.csv", body), "target": "touchpoints"},
    )

    assert response.status_code == 422
    assert "That file is larger than the 0 KB allowed for imports (RAPPORT_IMPORT_MAX_MB)" in (
        response.content.decode()
    )
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(("status", "work"), [("checking", "check_job"), ("queued", "run_job")])
def test_a_job_whose_uploader_is_gone_fails_and_says_why(staff, status, work):
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    ImportJob.objects.filter(pk=job.pk).update(status=status, created_by=None)
    touchpoints = Touchpoint.objects.count()

    job = getattr(engine, work)(job.pk)

    job.refresh_from_db()
    assert (job.status, job.error) == (
        "failed",
        "The librarian who uploaded this file no longer exists; upload it again.",
    )
    assert job.finished_at is not None
    assert Touchpoint.objects.count() == touchpoints


NUL_IN_QUESTION = "The text contains a character that cannot be stored (a NUL byte) in “Question”."


def test_a_cell_that_cannot_be_stored_fails_its_row_only(staff, tmp_path):
    """A NUL byte in a cell (a damaged export) is an error on its row, in the check and in the
    run; the other rows are imported and the NUL is stored nowhere, on either database."""
    path = tmp_path / "nul.csv"
    path.write_bytes(
        f"{HEADER}\n"
        "2025-02-01 10:00,AL,Bad\x00cell,Phone\n"
        "2025-02-02 10:00,AL,Good,Phone,extra \x00 cell\n"
        "2025-02-03 10:00,AL,Fine,Phone\n".encode()
    )
    job = upload(staff.alice, path)
    dry_run(staff.alice, job)
    before = Touchpoint.objects.count()

    job = run(staff.alice, job)

    assert (job.status, job.created, job.failed) == ("done", 1, 2)
    assert job.dry_run == {"created": 1, "updated": 0, "skipped": 0, "failed": 2, "rows": 3}
    assert _imported() == [("Fine", "phone")]
    assert Touchpoint.objects.count() == before + 1
    issues = list(
        ImportIssue.objects.filter(job=job)
        .order_by("phase", "row")
        .values_list("phase", "row", "level", "message")
    )
    extra = "The text contains a character that cannot be stored (a NUL byte) in “column 5”."
    assert issues == [
        ("check", 1, "error", NUL_IN_QUESTION),
        ("check", 2, "error", extra),
        ("run", 1, "error", NUL_IN_QUESTION),
        ("run", 2, "error", extra),
    ]


def test_a_people_cell_that_cannot_be_stored_fails_its_row_only(staff, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"Name,Email\nZoe Quinn,zoe@uni.example\nYann\x00Ruiz,yann@uni.example\n")
    people = set(Person.objects.values_list("full_name", flat=True))

    job = import_file(staff.alice, path, target="people")

    assert (job.created, job.failed) == (1, 1)
    assert set(Person.objects.values_list("full_name", flat=True)) == people | {"Zoe Quinn"}
    assert list(ImportIssue.objects.filter(job=job, phase="run").values_list("row", "message")) == [
        (2, "The text contains a character that cannot be stored (a NUL byte) in “Name”.")
    ]


def test_a_heading_that_cannot_be_stored_refuses_the_file(staff, tmp_path, media):
    path = tmp_path / "heading.csv"
    path.write_bytes(b"Timestamp,Ques\x00tion\n2025-02-01 10:00,Hours?\n")

    with pytest.raises(Invalid) as err:
        upload(staff.alice, path)

    assert err.value.message == (
        "The heading of column 2 (“Ques\ufffdtion”) contains a character that cannot be stored "
        "(a NUL byte). Correct it in the file and upload it again."
    )
    assert ImportJob.objects.count() == 0
    assert [p for p in media.rglob("*") if p.is_file()] == []
