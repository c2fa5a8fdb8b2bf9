"""`rapport import`: progress, the report, saved mappings, dry runs, unreadable files."""

import io

import pytest
from django.core.management import CommandError, call_command

from rapport.imports.models import ImportJob, SavedMapping
from rapport.people.models import Person
from rapport.touchpoints.models import Touchpoint
from tests.imports.conftest import FIXTURES

DESK = FIXTURES / "desk_log.csv"


def _import(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_import_prints_progress_and_the_report(staff):
    out = _import(str(DESK), "--as", "alice")

    job = ImportJob.objects.get()
    assert out.splitlines() == [
        f"Import {job.pk}: desk_log.csv ({DESK.stat().st_size:,} bytes), format generic "
        "(detection score 0.10)",
        "  imported 5 rows",
        "Done: Touchpoints: 5 created, 0 updated, 0 skipped (already there), 0 failed. "
        "People created for rows that named someone new: 1. "
        "Rows without a person (anonymous touchpoints, still counted in the figures): 2. "
        "Unknown staff: ZZ (1); logged as Alice Liddell. "
        "Check the columns: no column is mapped to Kind.",
    ]
    assert Touchpoint.objects.filter(source_system="generic").count() == 5


def test_dry_run_prints_what_would_happen_and_writes_nothing(staff):
    out = _import(str(DESK), "--as", "alice", "--dry-run")

    assert "Dry run: Touchpoints: 5 would be created, 0 would be updated" in out
    assert Touchpoint.objects.filter(source_system="generic").count() == 0
    assert not Person.objects.filter(full_name="Dana New").exists()


def test_import_with_a_saved_mapping(staff, tmp_path):
    SavedMapping.objects.create(
        name="Desk form",
        target="touchpoints",
        mapping={
            "target": "touchpoints",
            "columns": {"occurred_at": ["When"], "question": ["What"], "channel": ["How"]},
            "values": {"channel": {"Counter": "in_person"}},
            "date_format": "dmy",
        },
    )
    path = tmp_path / "form.csv"
    path.write_text("When,What,How\n05/03/2025 10:00,Where is the scanner?,Counter\n")
    out = _import(str(path), "--as", "alice", "--mapping", "desk form")

    tp = Touchpoint.objects.get(question="Where is the scanner?")
    assert (tp.channel, tp.occurred_at.month, tp.occurred_at.day) == ("in_person", 3, 5)
    assert ", mapping Desk form" in out.splitlines()[0]


def test_people_import_from_the_command_line(world):
    out = _import(str(FIXTURES / "directory.csv"), "--as", "alice", "--people")

    assert "People: 2 created, 2 updated, 0 skipped" in out
    assert Person.objects.filter(directory_id="D-1004").count() == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "That file is empty."),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page (HTML)"),
        (b"\x00\x01\x02\x03" * 100, "binary data"),
    ],
)
def test_unreadable_files_exit_with_status_2(world, tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as err:
        _import(str(path), "--as", "alice")

    assert err.value.returncode == 2
    assert message in str(err.value)
    assert ImportJob.objects.count() == 0
    assert Touchpoint.objects.filter(source_system__in=["generic", "libanswers"]).count() == 0


def test_a_missing_file_exits_with_status_2(world):
    with pytest.raises(CommandError) as err:
        _import("/nonexistent/file.csv", "--as", "alice")
    assert err.value.returncode == 2


def test_resume_goes_on_from_the_checkpoint(staff):
    from rapport.imports import services

    with DESK.open("rb") as stream:
        job = services.upload(by=staff.alice, stream=stream, name="desk_log.csv")
    services.run(by=staff.alice, job=job, how="caller", checked=False)
    ImportJob.objects.filter(pk=job.pk).update(status="interrupted", started_at=job.created_at)
    out = _import("--resume", str(job.pk), "--as", "alice")

    assert "Done: Touchpoints: 5 created" in out


def test_a_file_damaged_partway_imports_nothing(staff, tmp_path):
    header = DESK.read_text().splitlines()[0]
    rows = [
        f"2025-03-{1 + n % 28:02d} 09:{n % 60:02d},AL,,,Student,Phone,Question number {n},"
        "Answered at the desk,5,Main desk,"
        for n in range(4_000)
    ]
    damaged = tmp_path / "damaged.csv"
    text = "\n".join([header, *rows]) + "\n"
    assert len(text) > 256 * 1024  # the part read to recognise the file is all good
    # Then a run of zero bytes, as a copy cut short by a full disk leaves.
    damaged.write_bytes(text.encode() + b"2025-03-09 10:00,AL,,,Student,Phone," + b"\0" * 1_100_000)

    with pytest.raises(CommandError) as err:
        _import(str(damaged), "--as", "alice")

    assert err.value.returncode == 2
    assert str(err.value) == (
        "Row 4001: the rest of the file could not be read (a line longer than 1 MB); no rows "
        "after this one. Nothing was imported: repair or export the file again."
    )
    assert Touchpoint.objects.filter(source_system="generic").count() == 0
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED
