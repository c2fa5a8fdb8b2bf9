"""`rapport` commands run in processes of their own and killed outright (SIGKILL) part-way,
for the tests of what an interrupted backup, restore or migration leaves behind.

A command is killed either when its output shows a line (it is then in the middle of the work
that line announces) or, for the moments no line marks, when it reaches a given function:
`KILL_AT=module:Qualified.name[:n]` makes the process SIGKILL itself as it enters the n-th
call (the function is wrapped before the command starts; the wrapper calls it unchanged until
then). Several steps, comma-separated, are met in order:
`rapport.backup.load:_write_files,zipfile:ZipExtFile.read:6` dies on the sixth block read from
the archive once the uploaded files are being written.

The databases: SQLite files in a temporary folder, or, when the test run is on PostgreSQL,
scratch databases on the same server named after the test database.
"""

import atexit
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

KILLABLE = """
import functools, importlib, os, signal, sys

steps = [step.split(":") for step in os.environ.get("KILL_AT", "").split(",") if step]


def arm(i):
    module, name, *n = steps[i]
    owner = importlib.import_module(module)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, attribute)
    calls = [0]

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        if armed[0] == i:
            calls[0] += 1
            if calls[0] >= int(n[0] if n else 1):
                if i == len(steps) - 1:
                    sys.stdout.flush()
                    os.kill(os.getpid(), signal.SIGKILL)
                armed[0] = i + 1
        return original(*args, **kwargs)

    setattr(owner, attribute, wrapper)


armed = [0]
if steps:
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    django.setup()
    for i in range(len(steps)):
        arm(i)
from rapport.__main__ import main
sys.argv = ["rapport", *sys.argv[1:]]
main()
"""


@dataclass
class Database:
    """One database for the commands to work on, and what the checks read from it."""

    url: str
    data_dir: Path

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgres")

    def env(self, media: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        return env | {
            "RAPPORT_DATABASE_URL": self.url,
            "RAPPORT_DATA_DIR": str(self.data_dir),
            "RAPPORT_MEDIA_ROOT": str(media or self.data_dir / "uploads"),
            "PYTHONUNBUFFERED": "1",
        }

    def query(self, sql: str) -> list[tuple]:
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self.url) as server:
                return [tuple(row) for row in server.execute(sql).fetchall()]
        con = sqlite3.connect(self.url.removeprefix("sqlite:///"))
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def counts(self, tables: list[str]) -> dict[str, int | None]:
        """Rows in each of `tables` (None for a table that is not there)."""
        existing = set(self.tables())
        return {
            t: (self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] if t in existing else None)
            for t in tables
        }

    def tables(self) -> list[str]:
        if self.is_postgres:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
        return [name for (name,) in self.query(sql)]

    def schema(self) -> dict[str, list[tuple]]:
        """Everything that makes the schema, in an order that does not depend on history,
        and the migrations recorded as applied."""
        applied = self.query("SELECT app, name FROM django_migrations ORDER BY app, name")
        if not self.is_postgres:
            return {
                "objects": self.query(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master "
                    "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
                ),
                "migrations": applied,
            }
        return {
            "columns": self.query(
                "SELECT table_name, column_name, data_type, is_nullable, column_default, "
                "generation_expression FROM information_schema.columns "
                "WHERE table_schema = 'public' ORDER BY 1, 2"
            ),
            "indexes": self.query(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = 'public' ORDER BY 1, 2"
            ),
            "constraints": self.query(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
            ),
            "triggers": self.query(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY 1, 2"
            ),
            "migrations": applied,
        }


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def new_database(folder: Path, name: str, like: "Database | None" = None) -> Database:
    """An empty database: a file not yet made, or a PostgreSQL database made afresh; or a
    copy of `like`."""
    folder.mkdir(parents=True, exist_ok=True)
    if not on_postgres():
        database = Database(f"sqlite:///{folder / name}.sqlite3", folder)
        if like is not None:
            shutil.copy(
                like.url.removeprefix("sqlite:///"), database.url.removeprefix("sqlite:///")
            )
        return database
    import psycopg

    db = settings.DATABASES["default"]
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"] or "postgres"
    server = f"postgres://{user}@{host}:{port}"
    # NAME is the run's database (the tests' own is test_NAME); scratch ones sit beside it.
    scratch = f"{db['NAME']}_{name}"
    template = f' TEMPLATE "{like.url.rpartition("/")[2]}"' if like is not None else ""
    with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{scratch}"{template}')
    return Database(f"{server}/{scratch}", folder)


def drop(database: Database) -> None:
    if database.is_postgres:
        import psycopg

        server, _, name = database.url.rpartition("/")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Ran:
    returncode: int
    output: str


def rapport(env: dict[str, str], *args: str, timeout: float = 600) -> Ran:
    """Run `rapport ARGS` to its end."""
    done = subprocess.run(
        [sys.executable, "-m", "rapport", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    return Ran(done.returncode, done.stdout)


def killed(
    env: dict[str, str],
    *args: str,
    at: str = "",
    on: str = "",
    timeout: float = 600,
) -> str:
    """Run `rapport ARGS` and kill it with SIGKILL when it calls `at` (see KILL_AT above) or
    when its output matches the pattern `on`; its output until then. Fails if the command
    ended by itself first: then it was not interrupted, and the test would prove nothing."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILLABLE, *args],
        cwd=ROOT,
        env={**env, "KILL_AT": at},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output, pattern, deadline = b"", re.compile(on) if on else None, time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.05)
        if ready:
            output += os.read(process.stdout.fileno(), 65536)
        if pattern and pattern.search(output.decode(errors="replace")):
            process.send_signal(signal.SIGKILL)
            break
    timed_out = process.poll() is None and time.monotonic() >= deadline
    if timed_out:
        process.kill()
    process.wait()
    output += process.stdout.read()
    process.stdout.close()
    text = output.decode(errors="replace")
    assert not timed_out, f"neither the line nor the call came in {timeout} s:\n{text[-3000:]}"
    assert process.returncode == -signal.SIGKILL, f"not killed part-way:\n{text[-3000:]}"
    return text


# A library big enough that backup, restore and a table rebuild each take a second or more.

LIBRARY = """
import django
django.setup()
from django.core.management import call_command
from rapport.demo.base import Tier
from rapport.demo.loader import load
call_command("migrate", verbosity=0)
load(Tier("interrupted", 3_000, 30_000, 2, (50, 400), 0.8), seed=1)
"""
#: Uploaded files: a few small ones and one of several megabytes, written a block at a time.
FILES = {
    "deliverables/2026/03/search-report.pdf": b"%PDF-1.4 not really\x00\xff",
    "deliverables/2026/04/strings.txt": "PRISMA — search strings\n".encode() * 40,
    "imports/2026/05/big-export.csv": bytes(range(256)) * (16 * 1024),  # 4 MB
}


@dataclass
class Library:
    database: Database  # SQLite, migrated and loaded
    media: Path
    archive: Path  # its backup
    manifest: dict


_built: dict[str, Any] = {}


def library(folder: Path) -> Library:
    """The library, built once per test run (the first caller's folder keeps it)."""
    if "library" not in _built:
        database = Database(f"sqlite:///{folder / 'library.sqlite3'}", folder)
        media = folder / "uploads"
        env = database.env(media)
        subprocess.run([sys.executable, "-c", LIBRARY], cwd=ROOT, env=env, check=True)
        for name, data in FILES.items():
            (media / name).parent.mkdir(parents=True, exist_ok=True)
            (media / name).write_bytes(data)
        archive = folder / "library.zip"
        made = rapport(env, "backup", str(archive), "-v0")
        assert made.returncode == 0, made.output
        with zipfile.ZipFile(archive) as z:
            manifest = json.loads(z.read("manifest.json"))
        _built["library"] = Library(database, media, archive, manifest)
    return _built["library"]


def migrated(folder: Path) -> Database:
    """An empty, migrated database to copy, made once per test run."""
    if "migrated" not in _built:
        database = new_database(folder, "migrated")
        done = rapport(database.env(), "migrate", "-v0")
        assert done.returncode == 0, done.output
        atexit.register(drop, database)
        _built["migrated"] = database
    return _built["migrated"]
