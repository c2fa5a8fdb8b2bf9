"""`rapport backup` and `rapport restore` killed outright (SIGKILL) part-way, on a library big
enough that each runs for a second or more, in processes of their own (tests/interrupted.py):
what they leave must be refused, or be empty and restorable again, or be whole.

On a PostgreSQL test run the databases restored into (and backed up from) are PostgreSQL
ones; the library itself is built on SQLite and restored from its archive."""

import hashlib
import shutil

import pytest

from tests.interrupted import Database, drop, killed, library, new_database, rapport
from tests.interrupted import migrated as migrated_template

SEEDED = {"django_content_type", "auth_permission", "rapport_cadence_rule"}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return library(tmp_path_factory.mktemp("library"))


@pytest.fixture
def empty_database(tmp_path, tmp_path_factory):
    """An empty database to restore into: `empty_database(migrated=False)` not even
    migrated, as an operator makes one; otherwise migrated (which saves the tests time)."""
    made = []

    def make(*, migrated: bool = True) -> Database:
        like = migrated_template(tmp_path_factory.getbasetemp() / "migrated") if migrated else None
        made.append(new_database(tmp_path, "restore", like=like))
        return made[-1]

    yield make
    for database in made:
        drop(database)


@pytest.fixture(scope="module")
def filled(source, tmp_path_factory):
    """A database holding the library, to back up: the library's own SQLite file, or on
    PostgreSQL the library restored into one."""
    database = new_database(tmp_path_factory.mktemp("filled"), "backup")
    if not database.is_postgres:
        yield source.database
        return
    restored = rapport(database.env(source.media), "restore", str(source.archive), "-v0")
    assert restored.returncode == 0, restored.output
    yield database
    drop(database)


def whole(database: Database, source, media) -> None:
    """The database holds every row the archive's manifest counts, the uploads every file."""
    tables = [t["table"] for t in source.manifest["tables"]]
    assert database.counts(tables) == {t["table"]: t["rows"] for t in source.manifest["tables"]}
    for item in source.manifest["files"]:
        data = (media / item["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"], item["path"]
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) == (
        sorted(item["path"] for item in source.manifest["files"])
    )


def no_half_files(media, source) -> None:
    """Every file under its own name is the archive's, whole (a file being written is not)."""
    sums = {item["path"]: item["sha256"] for item in source.manifest["files"]}
    present = [p for p in media.rglob("*") if p.is_file() and p.suffix != ".restoring"]
    for path in present:
        name = path.relative_to(media).as_posix()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[name], name


def empty(database: Database, source) -> None:
    """No table holds a row of the archive's, only what `migrate` itself puts there."""
    tables = [t["table"] for t in source.manifest["tables"] if t["table"] not in SEEDED]
    held = {t: n for t, n in database.counts(tables).items() if n}
    assert held == {}


# Backup


def test_a_backup_killed_part_way_leaves_no_archive_that_restore_accepts(filled, tmp_path):
    archive = tmp_path / "nightly.zip"

    output = killed(filled.env(), "backup", str(archive), on=r"rapport_person: [\d,]+ rows\n")

    partial = tmp_path / "nightly.zip.partial"
    assert "rapport_person" in output and "Wrote" not in output
    assert not archive.exists()
    assert partial.stat().st_size > 0
    missing = rapport(filled.env(), "restore", "--check", str(archive))
    assert (missing.returncode, missing.output) == (
        1,
        f"CommandError: There is no file {archive}.\n",
    )
    refused = rapport(filled.env(), "restore", "--check", str(partial))
    assert refused.returncode == 1
    assert refused.output.startswith(
        f"CommandError: {partial} is not a readable backup: it is damaged or incomplete ("
    )
    # The next backup is not hindered by what the killed one left.
    again = rapport(filled.env(), "backup", str(archive), "-v0")
    assert again.returncode == 0, again.output
    assert not partial.exists()
    checked = rapport(filled.env(), "restore", "--check", str(archive))
    assert checked.output.splitlines()[-1].startswith(f"{archive} is whole: ")


def test_a_backup_killed_as_it_writes_its_manifest_leaves_no_archive(filled, tmp_path):
    archive = tmp_path / "nightly.zip"

    killed(filled.env(), "backup", str(archive), at="rapport.backup.archive:Manifest.to_json")

    assert not archive.exists()
    refused = rapport(filled.env(), "restore", "--check", f"{archive}.partial")
    assert refused.returncode == 1
    assert "is not a readable backup: it is damaged or incomplete" in refused.output


def test_a_backup_killed_over_an_older_one_leaves_the_older_one_whole(source, filled, tmp_path):
    archive = tmp_path / "nightly.zip"
    shutil.copy(source.archive, archive)

    killed(filled.env(), "backup", str(archive), on=r"rapport_person: [\d,]+ rows\n")

    assert archive.read_bytes() == source.archive.read_bytes()
    checked = rapport(filled.env(), "restore", "--check", str(archive))
    assert checked.returncode == 0
    assert checked.output.splitlines()[-1].startswith(f"{archive} is whole: ")


# Restore

#: Where a restore is killed, and whether into a database not migrated yet.
BEFORE_COMMIT = {
    # reading the archive through, before anything is changed
    "checking": {"on": r"Checking the archive …\n"},
    # bringing an empty database to the archive's migration state, one migration at a time
    "migrating": {
        "at": "django.db.migrations.executor:MigrationExecutor.apply_migration:20",
        "migrated": False,
    },
    # the rows going in, in one transaction
    "loading rows": {"on": r"rapport_person: [\d,]+ rows\n"},
    # the search triggers back and the full-text tables rebuilt (SQLite), still inside it
    "indexing": {"at": "rapport.backup.load:_restore_sqlite_triggers"},
    # the uploaded files: the second block of the large one (two small ones are in)
    "writing files": {"at": "rapport.backup.load:_write_files,zipfile:ZipExtFile.read:6"},
}


@pytest.mark.parametrize("moment", BEFORE_COMMIT)
def test_a_restore_killed_before_it_commits_can_be_run_again(
    source, empty_database, tmp_path, moment
):
    where = dict(BEFORE_COMMIT[moment])
    target = empty_database(migrated=where.pop("migrated", True))
    media = tmp_path / "uploads"
    env = target.env(media)

    killed(env, "restore", str(source.archive), **where)
    if "django_migrations" in target.tables():
        empty(target, source)
    no_half_files(media, source)
    again = rapport(env, "restore", str(source.archive))

    assert again.returncode == 0, again.output
    assert again.output.splitlines()[-1].startswith(
        f"Restored {sum(t['rows'] for t in source.manifest['tables']):,} rows in "
    )
    whole(target, source, media)


def test_a_restore_killed_once_its_rows_are_in_leaves_a_working_database(
    source, empty_database, tmp_path
):
    """Killed as the rows are committed and the rest is left: the restore is done, new rows
    get new ids (PostgreSQL's sequences were set with the rows), and a second restore is
    refused with a message that says what is there."""
    target = empty_database()
    media = tmp_path / "uploads"
    env = target.env(media)

    killed(env, "restore", str(source.archive), at="rapport.backup.load:_migrate_forward")

    whole(target, source, media)
    added = rapport(
        env,
        "shell",
        "-c",
        "from rapport.accounts.models import User; from rapport.people.services import "
        "create_person; by = User.objects.filter(role='librarian').first(); "
        "print(create_person(by=by, full_name='After the restore').pk)",
    )
    assert added.returncode == 0, added.output
    people = next(t["rows"] for t in source.manifest["tables"] if t["table"] == "rapport_person")
    assert int(added.output.split()[-1]) > people
    again = rapport(env, "restore", str(source.archive))
    assert again.returncode == 1
    assert "The database already holds data" in again.output
