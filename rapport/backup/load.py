"""`rapport restore`: an archive back into an empty database, exactly.

In order, and nothing is changed until the archive has proved whole:
1. the manifest is read: format, version, and migrations this Rapport knows;
2. every member is read through and checked against the manifest's counts and SHA-256;
3. the database must be empty (what `migrate` itself puts there aside), and no uploaded
   file may be overwritten with different content;
4. the schema is brought to the archive's migration state (an empty, unmigrated database is
   migrated here), the rows go in with their primary keys in one transaction, with the files
   and PostgreSQL's sequences set past the ids restored;
5. migrations newer than the archive are applied.

Killed at any moment (SIGKILL, a crash), a restore leaves a database that is either empty, so
that the same restore can simply be run again, or restored (but for migrations newer than the
archive, which `rapport migrate` applies): the rows, the sequences and the files are written
in the one transaction, each file under a temporary name renamed once whole. Each migration is
its own transaction, so a restore (or `migrate`) killed while migrating carries on from the
last one applied (tests/backup/test_killed.py).
"""

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import IntegrityError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from rapport.backup.archive import Manifest, Table, open_archive, safe_media_path
from rapport.backup.tables import decoder
from rapport.errors import Invalid

Progress = Callable[[str], None]
BATCH = 2_000
REPORT_EVERY = 100_000
COPY_BLOCK = 1 << 20


def check_backup(path: Path, *, progress: Progress | None = None) -> Manifest:
    """Read the whole archive and check it against its manifest; change nothing."""
    archive, manifest = open_archive(path)
    with archive:
        _verify(archive, manifest, progress or (lambda m: None))
    return manifest


def restore_backup(
    path: Path, *, using: str = "default", progress: Progress | None = None
) -> Manifest:
    """Restore the archive at `path` into the (empty) database `using`."""
    say = progress or (lambda m: None)
    connection = connections[using]
    archive, manifest = open_archive(path)
    with archive:
        targets = _targets(manifest, connection)
        _verify(archive, manifest, say)
        _require_empty(connection)
        _require_no_clash(manifest)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(targets):
            say("Bringing the database to the backup's migration state …")
            executor.migrate(targets)
        seeded = _require_empty(connection)  # what migrate put there, to make way for the rows
        state = executor.loader.project_state(targets).apps
        models = {m._meta.db_table: m for m in state.get_models(include_auto_created=True)}
        _load(archive, manifest, models, seeded, using, say)
    if _migrate_forward(connection, say):  # they may add tables, and rows
        _reset_sequences(connection, _models_with_tables(connection))
    ContentType.objects.clear_cache()
    say(
        f"Restored {manifest.rows:,} rows in {len(manifest.tables)} tables and "
        f"{len(manifest.files)} files from a backup of {manifest.created_at}."
    )
    return manifest


def _targets(manifest: Manifest, connection: Any) -> list[tuple[str, str]]:
    """The archive's migration state as one target per app (its latest migration there);
    refuses migrations this Rapport does not have."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = {(app, name) for app, names in manifest.migrations.items() for name in names}
    unknown = sorted(applied - set(loader.disk_migrations))
    if unknown:
        listed = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise Invalid(
            f"This backup comes from a newer Rapport ({manifest.rapport_version}): it has "
            f"migrations this one does not know ({listed}{more}). Upgrade Rapport, then restore."
        )
    graph = loader.graph
    return sorted(
        node
        for node in applied
        if not any(
            child.key in applied
            for child in graph.node_map[node].children
            if child.key[0] == node[0]
        )
    )


def _verify(archive: zipfile.ZipFile, manifest: Manifest, say: Progress) -> None:
    say("Checking the archive …")
    for table in manifest.tables:
        digest, rows = hashlib.sha256(), 0
        for block in _blocks(archive, table.member):
            digest.update(block)
            rows += block.count(b"\n")
        if (rows, digest.hexdigest()) != (table.rows, table.sha256):
            raise Invalid(
                f"The backup is damaged: {table.member} does not match its checksum "
                f"({rows:,} rows read, {table.rows:,} expected). Nothing was restored."
            )
        if rows >= REPORT_EVERY:
            say(f"  {table.table}: {rows:,} rows whole")
    for item in manifest.files:
        digest, size = hashlib.sha256(), 0
        for block in _blocks(archive, item.member):
            digest.update(block)
            size += len(block)
        if (size, digest.hexdigest()) != (item.size, item.sha256):
            raise Invalid(
                f"The backup is damaged: the file {item.path} does not match its checksum. "
                "Nothing was restored."
            )


def _blocks(archive: zipfile.ZipFile, member: str) -> Any:
    try:
        with archive.open(member) as source:
            while block := source.read(COPY_BLOCK):
                yield block
    except KeyError:
        raise Invalid(f"The backup is incomplete: {member} is missing.") from None
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise Invalid(f"The backup is damaged or truncated at {member} ({err}).") from None


def _seeded_tables(connection: Any) -> set[str]:
    """Tables `migrate` itself fills: content types and permissions, and the tables of apps
    whose migrations add rows (such as the default cadence rules). Never the accounts. A
    migration whose code only rewrites rows already there (hashing or encrypting a column)
    adds none to a new database, and says so with `seeds_rows = False`."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    seeding = {
        app
        for (app, _), migration in loader.disk_migrations.items()
        if getattr(migration, "seeds_rows", True)
        and any(isinstance(op, RunPython) for op in migration.operations)
    }
    tables = {"django_content_type", "auth_permission"}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in seeding:
            tables.add(model._meta.db_table)
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    return tables - {user_table}


def _require_empty(connection: Any) -> set[str]:
    """Refuses a database holding data; returns the seeded tables that have rows."""
    existing = set(connection.introspection.table_names())
    seeded = _seeded_tables(connection)
    held, to_clear = [], set()
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in existing:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is None:
                continue
            if table in seeded:
                to_clear.add(table)
            else:
                held.append(table)
    if held:
        raise Invalid(
            "The database already holds data (in "
            + ", ".join(sorted(held)[:5])
            + ("…" if len(held) > 5 else "")
            + "). Restore only into an empty database: create a new one, point "
            "RAPPORT_DATABASE_URL at it, and run `rapport restore` again. Nothing was changed."
        )
    return to_clear


def _require_no_clash(manifest: Manifest) -> None:
    root = Path(settings.MEDIA_ROOT)
    for item in manifest.files:
        target = root / safe_media_path(item.path)
        if target.exists() and _sha256(target) != item.sha256:
            raise Invalid(
                f"{target} already exists with other content; restore into an empty uploads "
                "folder (RAPPORT_MEDIA_ROOT). Nothing was changed."
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(COPY_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _load(
    archive: zipfile.ZipFile,
    manifest: Manifest,
    models: dict[str, Any],
    seeded: set[str],
    using: str,
    say: Progress,
) -> None:
    connection = connections[using]
    written: list[Path] = []
    try:
        with transaction.atomic(using):
            with connection.cursor() as cursor:
                for table in reversed(manifest.tables):
                    if table.table in seeded:
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table.table)}")
                triggers = _drop_sqlite_triggers(cursor, connection)
                for table in manifest.tables:
                    _load_table(archive, table, models, cursor, connection, say)
                _restore_sqlite_triggers(cursor, triggers, say)
            # In the transaction, so the rows are never committed without them: new rows
            # would otherwise take the ids of restored ones. (Sequences ignore a rollback,
            # which only leaves gaps before the ids of a database left empty.)
            _reset_sequences(connection, [models[t.table] for t in manifest.tables])
            _write_files(archive, manifest, written, say)
    except IntegrityError as err:
        _remove(written)
        raise Invalid(
            f"The backup's rows do not fit together ({err}). Nothing was restored."
        ) from None
    except BaseException:
        _remove(written)
        raise


def _drop_sqlite_triggers(cursor: Any, connection: Any) -> list[str]:
    """SQLite: take the triggers off while the rows go in (they would index each row's text
    one at a time); returns their statements to put them back."""
    if connection.vendor != "sqlite":
        return []
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP TRIGGER "{name}"')
    return [sql for _, sql in found]


def _restore_sqlite_triggers(cursor: Any, statements: list[str], say: Progress) -> None:
    """Put the triggers back and rebuild the full-text tables from the restored rows in one
    pass each: what the triggers would have written, made at once."""
    if not statements:
        return
    for sql in statements:
        cursor.execute(sql)
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%' ORDER BY name"
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
        say(f"{name}: rebuilt")


def _load_table(
    archive: zipfile.ZipFile,
    table: Table,
    models: dict[str, Any],
    cursor: Any,
    connection: Any,
    say: Progress,
) -> None:
    model = models.get(table.table)
    if model is None:
        raise Invalid(f"The backup holds a table this Rapport does not have: {table.table}.")
    fields = {f.column: f for f in model._meta.concrete_fields}
    if set(table.columns) != set(fields):
        raise Invalid(
            f"The backup's table {table.table} has columns that do not match this Rapport's "
            "schema at the backup's migration state. Nothing was restored."
        )
    codecs = [
        (i, c)
        for i, c in enumerate(decoder(fields[c], connection) for c in table.columns)
        if c is not None
    ]
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in table.columns)
    rows = _rows(archive, table, codecs, say)
    if connection.vendor == "postgresql":
        # COPY: one stream per table instead of a statement per row.
        with cursor.cursor.copy(f"COPY {qn(table.table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(table.columns))
        sql = f"INSERT INTO {qn(table.table)} ({names}) VALUES ({marks})"
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
    say(f"{table.table}: {table.rows:,} rows")


def _rows(
    archive: zipfile.ZipFile, table: Table, codecs: list[tuple[int, Any]], say: Progress
) -> Iterator[list[Any]]:
    """The table's rows, decoded for this database, with a progress line now and then."""
    done = 0
    with archive.open(table.member) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            row = json.loads(line)
            for i, adapt in codecs:
                row[i] = adapt(row[i])
            yield row
            done += 1
            if done % REPORT_EVERY == 0:
                say(f"  {table.table}: {done:,} of {table.rows:,} rows …")


def _write_files(
    archive: zipfile.ZipFile, manifest: Manifest, written: list[Path], say: Progress
) -> None:
    """Write the uploaded files, noting each in `written` so a failure can take them back."""
    root = Path(settings.MEDIA_ROOT)
    for item in manifest.files:
        target = root / safe_media_path(item.path)
        if target.exists():  # the same content is there already (checked before)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it, then renamed once whole: a restore killed part-way must not
        # leave half a file under the real name, which the next restore would take for
        # someone else's file and refuse to overwrite.
        partial = target.with_name(f"{target.name}.restoring")
        written.extend((partial, target))
        with archive.open(item.member) as source, partial.open("wb") as out:
            while block := source.read(COPY_BLOCK):
                out.write(block)
        os.replace(partial, target)
    if manifest.files:
        say(f"uploaded files: {len(manifest.files):,}")


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _migrate_forward(connection: Any, say: Progress) -> bool:
    """Apply the migrations newer than the archive; whether there were any."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    if not executor.migration_plan(leaves):
        return False
    say("Applying the migrations newer than the backup …")
    executor.migrate(leaves)
    return True


def _models_with_tables(connection: Any) -> list[Any]:
    existing = set(connection.introspection.table_names())
    return [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in existing]


def _reset_sequences(connection: Any, models: list[Any]) -> None:
    """PostgreSQL: each table's id sequence past its largest id (SQLite keeps no sequence
    apart from its rows)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
