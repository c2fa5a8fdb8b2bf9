"""`rapport backup`: the whole database and every uploaded file into one archive.

Rows are read in primary-key order, a chunk at a time, and written compressed as they come,
so memory stays flat however large the library. The tables are read inside one transaction
(SQLite: a read transaction, which in WAL mode does not hold up writers; PostgreSQL:
REPEATABLE READ), so the archive is one consistent moment even while people work.
"""

import contextlib
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

import rapport
from rapport.backup.archive import MANIFEST, File, Manifest, Table
from rapport.backup.tables import EXCLUDED, attnames, backed_up, columns, encoders
from rapport.errors import Invalid

Progress = Callable[[str], None]
CHUNK = 5_000
#: Rows between two progress lines on a large table.
REPORT_EVERY = 100_000
COPY_BLOCK = 1 << 20


def write_backup(
    path: Path, *, using: str = "default", progress: Progress | None = None
) -> Manifest:
    """Write the archive to `path` (replaced only once complete) and return its manifest."""
    say = progress or (lambda message: None)
    connection = connections[using]
    _require_migrated(connection)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with (
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
            _snapshot(using),
        ):
            manifest = Manifest(
                rapport_version=rapport.__version__,
                created_at=timezone.now().isoformat(),
                database=connection.vendor,
                migrations=_applied(connection),
                excluded=dict(EXCLUDED),
            )
            # A model without a table (its migration not written yet) has no rows to lose.
            existing = set(connection.introspection.table_names())
            for model in backed_up(apps.get_models(include_auto_created=True)):
                if model._meta.db_table in existing:
                    manifest.tables.append(_write_table(archive, model, using, say))
            manifest.files = list(_write_media(archive, say))
            archive.writestr(MANIFEST, manifest.to_json())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    say(
        f"Wrote {path}: {manifest.rows:,} rows in {len(manifest.tables)} tables, "
        f"{len(manifest.files)} files, {path.stat().st_size:,} bytes."
    )
    return manifest


def _require_migrated(connection: Any) -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise Invalid("The database is not fully migrated: run `rapport migrate` first.")


def _applied(connection: Any) -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        state.setdefault(app_label, []).append(name)
    return state


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """Read everything as of one moment."""
    connection = connections[using]
    if connection.in_atomic_block:  # already inside a transaction (a test, a caller's)
        yield
        return
    if connection.vendor == "sqlite":
        # A deferred (read) transaction: Django's atomic() would take the write lock.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic(using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write_table(archive: zipfile.ZipFile, model: Any, using: str, say: Progress) -> Table:
    table = Table(model=model._meta.label_lower, table=model._meta.db_table, columns=columns(model))
    codecs = list(enumerate(encoders(model)))
    special = [(i, c) for i, c in codecs if c is not None]
    digest = hashlib.sha256()
    rows = (
        model._base_manager.using(using)
        .order_by("pk")
        .values_list(*attnames(model))
        .iterator(chunk_size=CHUNK)
    )
    with archive.open(table.member, "w", force_zip64=True) as out:
        lines: list[str] = []
        for row in rows:
            if special:
                row = list(row)
                for i, encode in special:
                    row[i] = encode(row[i])
            lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            table.rows += 1
            if len(lines) == CHUNK:
                _flush(out, digest, lines)
                if table.rows % REPORT_EVERY == 0:
                    say(f"  {table.table}: {table.rows:,} rows …")
        _flush(out, digest, lines)
    table.sha256 = digest.hexdigest()
    say(f"{table.table}: {table.rows:,} rows")
    return table


def _flush(out: Any, digest: Any, lines: list[str]) -> None:
    if lines:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        digest.update(data)
        out.write(data)
        lines.clear()


def _write_media(archive: zipfile.ZipFile, say: Progress) -> Iterator[File]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    count = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        relative = path.relative_to(root).as_posix()
        digest = hashlib.sha256()
        size = 0
        with (
            path.open("rb") as source,
            archive.open(f"media/{relative}", "w", force_zip64=True) as out,
        ):
            while block := source.read(COPY_BLOCK):
                digest.update(block)
                size += len(block)
                out.write(block)
        count += 1
        yield File(path=relative, size=size, sha256=digest.hexdigest())
    say(f"uploaded files: {count:,}")
