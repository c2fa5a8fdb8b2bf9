"""`rapport import-ics FILE [--as USERNAME] [--since DATE] [--dry-run]`."""

import pytest
from django.core.management import CommandError, call_command

from rapport.calendars.models import CalendarImport
from rapport.touchpoints.models import Touchpoint
from tests.calendars.conftest import fixture


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import-ics", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_and_logs_nothing(world):
    out = run(str(fixture("google.ics")), "--as", "alice", "--since", "2025-01-01", "--dry-run")

    lines = out.splitlines()
    assert lines[0] == (
        "Would log 5 meetings from google.ics (since 2025-01-01): 8 events read, "
        "0 logged before, 5 left out."
    )
    assert "  left out: 2 cancelled" in lines
    assert "  Tue 04 Mar 2025 10:00 Systematic review planning (video, 60 min) with Ana Ruiz" in (
        lines
    )
    assert "  no one has the address of Vera Visitor <vera@elsewhere.example> (3 meetings)" in (
        lines
    )
    assert lines[-1] == "Nothing was logged (dry run)."
    assert Touchpoint.objects.filter(source_system="ics").count() == 0
    # The checked job stays, to be run from its page; nothing is logged.
    assert CalendarImport.objects.get().status == CalendarImport.Status.CHECKED


def test_import_logs_then_logs_nothing_twice(world):
    out = run(str(fixture("google.ics")), "--as", "alice", "--since", "2025-01-01")
    assert out.splitlines()[0].startswith("Logged 5 meetings from google.ics")
    again = run(str(fixture("google.ics")), "--as", "alice", "--since", "2025-01-01")
    assert again.splitlines()[0] == (
        "Logged 0 meetings from google.ics (since 2025-01-01): 8 events read, "
        "5 logged before, 5 left out."
    )
    assert Touchpoint.objects.filter(source_system="ics", author=world.alice).count() == 5


def test_broken_file_lists_its_problems(world):
    out = run(str(fixture("thunderbird-broken.ics")), "--as", "alice", "--since", "2025-01-01")
    assert "  problem in Broken start: No readable start; skipped." in out.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2025-01-01"], "Say whose meetings these are with --as USERNAME."),
        (["--as", "mia"], "There is no active librarian “mia”."),
        (["--as", "nobody"], "There is no active librarian “nobody”."),
        (["--as", "alice", "--since", "01/02/2025"], "“01/02/2025” is not a date"),
    ],
)
def test_bad_arguments_are_refused(world, args, message):
    with pytest.raises(CommandError) as err:
        run(str(fixture("google.ics")), *args)
    assert message in str(err.value)
    assert Touchpoint.objects.filter(source_system="ics").count() == 0


def test_missing_and_empty_files_are_refused(world, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run(str(tmp_path / "none.ics"), "--as", "alice")
    empty = tmp_path / "empty.ics"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match=r"That file is empty\."):
        run(str(empty), "--as", "alice")
    assert CalendarImport.objects.count() == 0
