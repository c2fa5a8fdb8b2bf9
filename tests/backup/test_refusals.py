"""What restore refuses, with a clear message and nothing changed: a database holding data,
a newer archive format or migrations this Rapport lacks, a damaged or truncated archive, a
file that is not a backup, and an uploaded file that would be overwritten."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from rapport.backup.archive import MANIFEST
from rapport.backup.dump import write_backup
from rapport.backup.load import _seeded_tables, check_backup, restore_backup
from rapport.errors import Invalid
from rapport.people.models import Person
from rapport.requests.models import Deliverable
from tests.backup.conftest import empty_everything, every_file, every_row, rewrite

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def archive(library, tmp_path):
    path = tmp_path / "rapport.zip"
    write_backup(path)
    return path


def manifest_with(path, target, **changes):
    def change(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return json.dumps(manifest)

    return rewrite(path, target, change)


def test_restore_into_a_database_holding_data_is_refused(archive):
    before = every_row()

    with pytest.raises(Invalid) as caught:
        restore_backup(archive)

    assert caught.value.message.startswith("The database already holds data (in awareness_item")
    assert caught.value.message.endswith("Nothing was changed.")
    assert every_row() == before


def test_a_newer_archive_format_is_refused_before_anything(archive, uploads, tmp_path):
    newer = manifest_with(archive, tmp_path / "newer.zip", format_version=2)
    empty_everything(uploads)
    before = every_row()

    with pytest.raises(Invalid) as caught:
        restore_backup(newer)

    assert caught.value.message == (
        "This backup was made by a newer Rapport (0.1.0, archive format 2); this Rapport "
        "reads formats up to 1. Upgrade Rapport, then restore."
    )
    assert every_row() == before
    assert every_file(uploads) == {}


def test_migrations_this_rapport_lacks_are_refused(archive, uploads, tmp_path):
    def add_migration(migrations):
        migrations["people"].append("0099_from_the_future")
        return migrations

    newer = manifest_with(archive, tmp_path / "newer.zip", migrations=add_migration)
    empty_everything(uploads)

    with pytest.raises(Invalid) as caught:
        restore_backup(newer)

    assert caught.value.message == (
        "This backup comes from a newer Rapport (0.1.0): it has migrations this one does not "
        "know (people.0099_from_the_future). Upgrade Rapport, then restore."
    )
    assert Person.objects.count() == 0


def test_a_changed_byte_fails_the_checksum_and_restores_nothing(archive, uploads, tmp_path):
    def flip(name, data):
        return data.replace(b"Ana Ruiz", b"Ana Ruis") if name.endswith("person.jsonl") else data

    damaged = rewrite(archive, tmp_path / "damaged.zip", flip)
    empty_everything(uploads)
    content_types = ContentType.objects.count()

    with pytest.raises(Invalid) as caught:
        restore_backup(damaged)

    assert caught.value.message == (
        "The backup is damaged: data/rapport_person.jsonl does not match its checksum "
        "(4 rows read, 4 expected). Nothing was restored."
    )
    assert (Person.objects.count(), ContentType.objects.count()) == (0, content_types)


def test_a_missing_file_is_reported(archive, uploads, tmp_path):
    def drop_media(name, data):
        return None if name.startswith("media/") else data

    incomplete = rewrite(archive, tmp_path / "incomplete.zip", drop_media)

    with pytest.raises(Invalid) as caught:
        check_backup(incomplete)

    assert caught.value.message.startswith("The backup is incomplete: media/deliverables/")


def test_a_truncated_archive_is_refused(archive, tmp_path):
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    with pytest.raises(Invalid) as caught:
        restore_backup(truncated)

    assert caught.value.message.startswith(
        f"{truncated} is not a readable backup: it is damaged or incomplete"
    )
    assert Person.objects.count() == 4


def test_a_file_that_is_not_a_backup_is_refused(db, tmp_path):
    html = tmp_path / "export.zip"
    html.write_text("<html>Not a zip</html>")

    with pytest.raises(Invalid) as caught:
        check_backup(html)

    assert caught.value.message == (
        f"{html} is not a readable backup: it is damaged or incomplete (File is not a zip file)."
    )


def test_a_file_that_would_be_overwritten_is_refused(archive, uploads):
    name = Deliverable.objects.get().file.name
    empty_everything(uploads)
    clash = uploads / name
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"someone else's file")

    with pytest.raises(Invalid) as caught:
        restore_backup(archive)

    assert caught.value.message == (
        f"{clash} already exists with other content; restore into an empty uploads folder "
        "(RAPPORT_MEDIA_ROOT). Nothing was changed."
    )
    assert Person.objects.count() == 0
    assert every_file(uploads) == {name: b"someone else's file"}


def test_a_file_path_leaving_the_uploads_folder_is_refused(archive, tmp_path):
    def escape(files):
        return [{**files[0], "path": "../../etc/passwd"}]

    evil = manifest_with(archive, tmp_path / "evil.zip", files=escape)

    with pytest.raises(Invalid) as caught:
        check_backup(evil)

    assert caught.value.message == (
        "The backup names a file outside the uploads folder: '../../etc/passwd'."
    )


def test_only_tables_migrate_fills_may_be_cleared_before_a_restore():
    """Migrations whose code makes indexes or rewrites rows (touchpoints' indexes, hashed alert
    links, encrypted webhook secrets) fill nothing: a database holding those rows is refused."""
    seeded = _seeded_tables(connection)

    assert sorted(seeded) == [
        "auth_group",
        "auth_group_permissions",
        "auth_permission",
        "django_content_type",
        "django_tasks_database_dbtaskresult",
        # The default cadence rules; the app's other tables follow people, who are refused.
        "rapport_cadence_rule",
        "rapport_person_cadence",
        "rapport_relationship",
        "rapport_snooze",
    ]
