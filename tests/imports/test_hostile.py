"""Hostile uploads on the pages: a workbook is never opened by the web request; the worker
refuses a bomb with a message on the job and changes nothing else; pages show what the job
kept of a file and never open it again. Every file is written by the test."""

import tracemalloc
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from benchmarks import hostile_files as hostile
from rapport.audit.models import AuditEntry
from rapport.imports import engine
from rapport.imports.models import ImportIssue, ImportJob
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES, upload

MB = 1024 * 1024


def bomb_message(path) -> str:
    packed = zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml").compress_size
    return (
        f"Part “xl/sharedStrings.xml” of this workbook unpacks to 24 MB from {packed / 1024:,.0f} "
        "KB, more than 100 to 1: spreadsheets are never compressed that far, so it was not "
        "opened (it looks like a zip bomb). If it is a real export, save it from the "
        "spreadsheet as CSV and import that."
    )


@pytest.fixture
def alice(client, staff):
    client.force_login(staff.alice)
    return client


def _post_file(client, path):
    with path.open("rb") as f:
        return client.post(reverse("imports:upload"), {"file": f, "target": "touchpoints"})


def _files(media):
    return [p for p in media.rglob("*") if p.is_file()]


def test_the_upload_request_never_opens_a_workbook(
    alice, staff, media, tmp_path, django_capture_on_commit_callbacks
):
    # A bomb: 24 MB of shared strings in 59 KB. Opening it in the request would hold them all.
    bomb = hostile.shared_strings_bomb(tmp_path / "stats.xlsx", mb=24)
    alice.get(reverse("imports:list"))  # the modules a request imports, imported before

    tracemalloc.start()
    with django_capture_on_commit_callbacks() as queued:
        response = _post_file(alice, bomb)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:job", args=[job.pk])
    # Kept for the worker, unread: no format, no sheets, no preview, no error yet.
    assert (job.status, job.error, job.format, job.sheets, job.preview) == (
        "reading", "", "", [], {}
    )  # fmt: skip
    assert len(queued) == 1  # the reading, queued for `rapport worker`
    assert peak < 2 * MB
    page = alice.get(response.url).content.decode()
    assert "Reading the file" in page
    assert "?was=reading" in page


def test_the_worker_refuses_a_bomb_with_a_message_and_nothing_else_changes(staff, media, tmp_path):
    bomb = hostile.shared_strings_bomb(tmp_path / "stats.xlsx", mb=24)
    job = upload(staff.alice, bomb)  # uploaded, then read as the worker reads it
    entries = AuditEntry.objects.count()

    again = engine.read_job(job.pk)  # a second delivery of the task: nothing more happens

    job.refresh_from_db()
    assert (job.status, job.error, job.worker) == ("failed", bomb_message(bomb), "")
    assert (again.status, again.error) == ("failed", bomb_message(bomb))
    assert (job.file.name, job.original_name, job.preview) == ("", "stats.xlsx", {})
    assert _files(media) == []  # the file is not kept
    assert AuditEntry.objects.count() == entries
    assert not ImportIssue.objects.exists()
    assert not Touchpoint.objects.filter(source_system="generic").exists()


def test_a_refused_workbook_offers_no_dry_run_and_says_why(alice, staff, tmp_path):
    job = upload(staff.alice, hostile.zip_not_workbook(tmp_path / "minutes.xlsx"))

    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()

    assert job.status == "failed"
    assert "This file looks like a workbook (XLSX) but could not be opened." in page
    assert "Check every row (dry run)" not in page
    response = alice.post(reverse("imports:dry_run", args=[job.pk]), follow=True)
    assert response.redirect_chain == [(reverse("imports:job", args=[job.pk]), 302)]
    assert "This file was refused or has been removed; upload it again." in (
        response.content.decode()
    )
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_a_workbook_is_read_by_the_worker_then_shown_from_what_was_kept(
    alice, staff, media, tmp_path, django_capture_on_commit_callbacks
):
    book = Workbook()
    book.active.title = "Desk"
    book.active.append(["Timestamp", "Staff", "Question", "How asked"])
    book.active.append(["2025-02-03 10:00", "AL", "Where is the map room?", "Walk-in"])
    path = tmp_path / "desk.xlsx"
    book.save(path)
    with django_capture_on_commit_callbacks():
        _post_file(alice, path)
    job = ImportJob.objects.get()

    job = engine.read_job(job.pk)  # what the queued task does

    assert (job.status, job.format, job.sheet, job.sheets) == (
        "uploaded", "generic", "Desk", ["Desk"]
    )  # fmt: skip
    assert job.preview["headers"] == ["Timestamp", "Staff", "Question", "How asked"]
    assert job.preview["rows"] == [
        [1, ["2025-02-03 10:00", "AL", "Where is the map room?", "Walk-in"]]
    ]
    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Where is the map room?" in page
    assert "“Walk-in” means" in page


def test_pages_never_open_the_file_again(alice, staff, media):
    job = upload(staff.alice, FIXTURES / "desk_log.csv")
    (media / job.file.name).unlink()  # were a page to open it, it would fail

    page = alice.get(reverse("imports:job", args=[job.pk])).content.decode()
    data = {f"col-{k}": v[0] for k, v in job.mapping["columns"].items()}
    response = alice.post(reverse("imports:mapping", args=[job.pk]), data)

    assert "Where are the chemistry handbooks?" in page  # the preview
    assert '<option value="How asked" selected>How asked</option>' in page  # the mapping
    assert "“Walk-in” means" in page  # the values found in the file
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["columns"]["channel"] == ["How asked"]


def test_the_preview_keeps_cells_short(staff, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("Timestamp,Question\n2025-02-03 10:00," + "x" * 500_000 + "\n")

    job = upload(staff.alice, path)

    assert job.preview["rows"] == [[1, ["2025-02-03 10:00", "x" * 199 + "…"]]]
    assert job.preview["distinct"]["Question"] == ["x" * 199 + "…"]


def test_the_kept_preview_holds_no_character_a_database_refuses(staff, tmp_path):
    # The first 256 KB (what decides the encoding) are clean; row 300 holds a NUL byte.
    rows = ["2025-02-03 10:00,Where is " + "x" * 1000 for _ in range(299)]
    path = tmp_path / "nul.csv"
    path.write_bytes(
        ("Timestamp,Question\n" + "\n".join(rows) + "\n").encode()
        + b"2025-02-03 10:00,Bad\x00byte\n"
    )

    job = upload(staff.alice, path)  # saved on PostgreSQL too, which refuses a NUL in JSON

    job.refresh_from_db()
    assert job.preview["distinct"]["Question"] == ["Bad\ufffdbyte", "Where is " + "x" * 190 + "…"]
