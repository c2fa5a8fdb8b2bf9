"""`rapport migrate` killed outright (SIGKILL) part-way, from an empty database and in the
middle of a migration applied to a library's rows: a second `migrate` completes, and the
schema (tables, columns, indexes, constraints, triggers, the migrations recorded) and the rows
are those of a migration never interrupted. Each migration is one transaction on both
databases (Rapport has none that is not atomic), so a killed one is undone as a whole."""

import pytest

from tests.interrupted import Database, drop, killed, library, migrated, new_database, rapport

#: What `migrate` itself puts in an empty database.
SEEDED = ["django_content_type", "auth_permission", "rapport_cadence_rule"]

FROM_ZERO = {
    # early: the first of the project's own migrations
    "people.0001": {"on": r"Applying people\.0001_initial\.\.\."},
    # late: the fiftieth migration applied
    "fiftieth": {"at": "django.db.migrations.executor:MigrationExecutor.apply_migration:50"},
    # every migration applied, the content types and permissions half made
    "post_migrate": {
        "at": "django.core.management.sql:emit_post_migrate_signal,"
        "django.db.models.query:QuerySet.bulk_create:3"
    },
}


@pytest.fixture
def scratch(tmp_path):
    made: list[Database] = []

    def make(name: str, like: Database | None = None) -> Database:
        made.append(new_database(tmp_path, name, like=like))
        return made[-1]

    yield make
    for database in made:
        drop(database)


@pytest.mark.parametrize("moment", FROM_ZERO)
def test_a_migration_from_zero_killed_part_way_completes_as_a_clean_one(
    scratch, tmp_path_factory, moment
):
    clean = migrated(tmp_path_factory.getbasetemp() / "migrated")
    database = scratch("migrate")

    killed(database.env(), "migrate", **FROM_ZERO[moment])
    left = (database.schema(), database.counts(SEEDED))
    assert left != (clean.schema(), clean.counts(SEEDED))
    again = rapport(database.env(), "migrate")

    assert again.returncode == 0, again.output
    assert database.schema() == clean.schema()
    assert database.counts(SEEDED) == clean.counts(SEEDED)


@pytest.fixture(scope="module")
def before_cadence(tmp_path_factory):
    """The library migrated back before `relationships.0003_stored_cadence` (which on SQLite
    rebuilds the table of the people's relationships, copying its rows, then adds columns;
    on PostgreSQL adds columns), and the same migrated forward without interruption, to
    compare with."""
    source = library(tmp_path_factory.mktemp("library"))
    folder = tmp_path_factory.mktemp("before-details")
    start = new_database(folder, "before_cadence")
    if start.is_postgres:
        restored = rapport(start.env(source.media), "restore", str(source.archive), "-v0")
        assert restored.returncode == 0, restored.output
    else:
        start = new_database(folder, "before_cadence", like=source.database)
    back = rapport(start.env(), "migrate", "relationships", "0002", "-v0")
    assert back.returncode == 0, back.output
    reference = new_database(folder, "reference", like=start)
    forward = rapport(reference.env(), "migrate", "-v0")
    assert forward.returncode == 0, forward.output
    yield start, reference
    drop(start)
    drop(reference)


def test_a_migration_killed_part_way_through_a_library_completes(before_cadence, scratch):
    start, reference = before_cadence
    database = scratch("cadence", like=start)
    tables = reference.tables()

    output = killed(
        database.env(),
        "migrate",
        # its sixth statement: the table rebuilt and its rows copied, the old one about to be
        # dropped (SQLite); four of its five columns added (PostgreSQL)
        at="django.db.migrations.executor:MigrationExecutor.apply_migration,"
        "django.db.backends.utils:CursorWrapper.execute:6",
    )
    assert output.rstrip().endswith("Applying relationships.0003_stored_cadence...")
    assert database.schema() == start.schema()  # undone as a whole
    again = rapport(database.env(), "migrate")

    assert again.returncode == 0, again.output
    assert database.schema() == reference.schema()
    assert database.counts(tables) == reference.counts(tables)
    assert database.counts(["rapport_relationship"]) == {"rapport_relationship": 3_000}
