"""`rapport backup` and `rapport restore`: what they print and what they leave."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rapport.people.models import Person
from tests.backup.conftest import empty_everything, every_row

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_backup_then_restore_from_the_command_line(library, uploads, tmp_path):
    archive = tmp_path / "nightly.zip"
    before = every_row()

    written = run("backup", str(archive))
    empty_everything(uploads)
    restored = run("restore", str(archive))

    assert "rapport_person: 4 rows\n" in written
    assert "uploaded files: 1\n" in written
    assert f"Wrote {archive}: " in written
    assert restored.startswith("Checking the archive …\n")
    assert "rapport_person: 4 rows\n" in restored
    assert restored.splitlines()[-1].startswith("Restored ")
    assert every_row() == before


def test_backup_without_a_file_writes_into_the_data_folder(library, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"

    written = run("backup", "-v0")

    (archive,) = (tmp_path / "data" / "backups").glob("rapport-*.zip")
    assert written == ""
    assert archive.stat().st_size > 0


def test_restore_check_reads_the_archive_and_changes_nothing(library, tmp_path):
    archive = tmp_path / "rapport.zip"
    run("backup", str(archive), "-v0")

    checked = run("restore", "--check", str(archive))

    assert checked.splitlines()[0] == "Checking the archive …"
    assert checked.splitlines()[-1].startswith(f"{archive} is whole: ")
    assert Person.objects.count() == 4


def test_restore_into_a_database_with_data_fails_with_the_message(library, tmp_path):
    archive = tmp_path / "rapport.zip"
    run("backup", str(archive), "-v0")

    with pytest.raises(CommandError) as caught:
        run("restore", str(archive))

    assert "Restore only into an empty database" in str(caught.value)


def test_restore_of_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("restore", str(tmp_path / "nowhere.zip"))

    assert str(caught.value) == f"There is no file {Path(tmp_path / 'nowhere.zip')}."
