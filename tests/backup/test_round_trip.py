"""Backup then restore into an empty database gives back every row of every table and every
uploaded file, primary keys included; new rows carry on after the restored ones."""

import json
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from rapport.accounts.models import User
from rapport.backup.archive import FORMAT, FORMAT_VERSION, MANIFEST
from rapport.backup.dump import write_backup
from rapport.backup.load import restore_backup
from rapport.people.models import Person
from rapport.requests.models import Deliverable
from rapport.search.queries import search
from tests.backup.conftest import empty_everything, every_file, every_row, rewrite
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_restore_gives_back_every_row_of_every_table_and_every_file(library, uploads, tmp_path):
    rows_before, files_before = every_row(), every_file(uploads)
    archive = tmp_path / "rapport.zip"
    write_backup(archive)
    empty_everything(uploads)
    assert Person.objects.count() == 0

    restore_backup(archive)

    assert every_row() == rows_before
    assert every_file(uploads) == files_before
    assert list(files_before) == [Deliverable.objects.get().file.name]


def test_new_rows_after_a_restore_get_fresh_primary_keys(library, uploads, tmp_path):
    archive = tmp_path / "rapport.zip"
    write_backup(archive)
    highest = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    empty_everything(uploads)
    restore_backup(archive)

    person = make_person("After Restore")

    assert person.pk == highest + 1
    assert ContentType.objects.get_for_model(Person).model_class() is Person
    admin = User.objects.get(username="ada")
    assert [h.object for h in search(admin, "restore", kinds=["person"])] == [person]
    assert [h.object.pk for h in search(admin, "PRISMA")] == [library.ana_question.pk]


def test_manifest_records_format_version_migrations_counts_and_checksums(library, tmp_path):
    archive = tmp_path / "rapport.zip"

    manifest = write_backup(archive)

    with zipfile.ZipFile(archive) as z:
        written = json.loads(z.read(MANIFEST))
        people = next(t for t in written["tables"] if t["table"] == "rapport_person")
        data = z.read("data/rapport_person.jsonl")
    assert (written["format"], written["format_version"]) == (FORMAT, FORMAT_VERSION)
    assert written["rapport_version"] == "0.1.0"
    assert "0001_initial" in written["migrations"]["people"]
    assert people["rows"] == 4 == data.count(b"\n")
    assert people["columns"][:2] == ["id", "full_name"]
    assert written["excluded"] == manifest.excluded
    assert set(manifest.excluded) == {"django_session", "rapport_failed_sign_in"}
    assert "rapport_person" in [t.table for t in manifest.tables]
    assert "django_session" not in [t["table"] for t in written["tables"]]
    first = json.loads(data.splitlines()[0])
    assert first[:3] == [library.ana.pk, "Ana Ruiz", "ana.ruiz@uni.example"]


def test_tables_are_written_parents_first(library, tmp_path):
    manifest = write_backup(tmp_path / "rapport.zip")

    order = [t.table for t in manifest.tables]
    assert order.index("rapport_user") < order.index("rapport_touchpoint")
    assert order.index("rapport_person") < order.index("rapport_participation")
    assert order.index("django_content_type") < order.index("auth_permission")


def test_an_archive_from_an_older_rapport_is_restored_then_brought_up_to_date(
    library, uploads, tmp_path
):
    applied = MigrationRecorder(connection).applied_migrations()
    newest = ("search", max(name for app, name in applied if app == "search"))

    def older(name, data):  # as if made before the search app's newest migration
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["search"].remove(newest[1])
        return json.dumps(manifest)

    rows_before = every_row()
    archive = rewrite(write_backup_to(tmp_path / "new.zip"), tmp_path / "older.zip", older)
    empty_everything(uploads)
    said = []

    restore_backup(archive, progress=said.append)

    assert every_row() == rows_before
    assert newest in MigrationRecorder(connection).applied_migrations()
    assert "Bringing the database to the backup's migration state …" in said
    assert "Applying the migrations newer than the backup …" in said


def write_backup_to(path):
    write_backup(path)
    return path
