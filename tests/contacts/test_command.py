"""`rapport import-vcards FILE [--dry-run] [--as USERNAME]`."""

import io

import pytest
from django.core.management import CommandError, call_command

from rapport.audit.models import AuditEntry
from rapport.contacts.models import ContactImport
from rapport.people.models import Person
from tests.contacts.conftest import fixture


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import-vcards", *args, stdout=out)
    return out.getvalue()


def test_dry_run_reports_and_changes_nothing(world):
    output = run(str(fixture("google-3.0.vcf")), "--dry-run", "--as", "alice")
    assert output == (
        "Would import google-3.0.vcf: 2 cards; 2 created, 0 updated, 0 unchanged, 0 skipped, "
        "0 unreadable.\n"
        "  card 2 (lab.manager@northfield.example): No name on the card; named after the "
        "e-mail address.\n"
        "Nothing was changed (dry run).\n"
    )
    assert Person.objects.count() == 4
    assert not AuditEntry.objects.filter(action="import").exists()


def test_import_as_a_librarian_then_again(world):
    path = str(fixture("broken.vcf"))
    first = run(path, "--as", "alice")
    assert first.splitlines()[0] == (
        "Imported broken.vcf: 5 cards; 3 created, 0 updated, 0 unchanged, 0 skipped, 2 unreadable."
    )
    assert (
        "  card 4: No name and no e-mail address on the card; there is nobody to import." in first
    )
    assert Person.objects.filter(created_by=world.alice).count() == 3
    second = run(path, "--as", "alice")
    assert second.splitlines()[0] == (
        "Imported broken.vcf: 5 cards; 0 created, 0 updated, 3 unchanged, 0 skipped, 2 unreadable."
    )
    assert ContactImport.objects.filter(status="done").count() == 2


def test_default_importer_is_the_first_administrator(world):
    run(str(fixture("apple-3.0.vcf")))
    assert Person.objects.get(full_name="Dr. Keiko Nakamura").created_by == world.ada


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "nobody"], "There is no active user “nobody”."),
        (["--as", "mia"], "Managers see aggregate figures only and cannot import people."),
    ],
)
def test_bad_user_is_refused(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(fixture("apple-3.0.vcf")), *args)
    assert Person.objects.count() == 4


def test_missing_file_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run(str(tmp_path / "nope.vcf"), "--as", "alice")


def test_file_without_cards_fails_and_changes_nothing(world, tmp_path):
    path = tmp_path / "notes.vcf"
    path.write_text("just some notes\n")
    with pytest.raises(CommandError, match="No vCards found in that file"):
        run(str(path), "--as", "alice")
    assert Person.objects.count() == 4
