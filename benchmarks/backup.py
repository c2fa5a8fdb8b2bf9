"""Benchmark `rapport backup` and `rapport restore` on a data tier, against bare sqlite3.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/backup-bench \\
        .venv/bin/python -m benchmarks.backup [--tier S|M] [--seed 1] [--rebuild] \\
        [--postgres postgres://postgres@127.0.0.1:5432/rapport_bench_restore]

The tier is built once by benchmarks/build.py (and reused while the generator is unchanged).
Then, each as its own process so time and peak memory are its own:
- `rapport backup` of the tier's database into a zip;
- `rapport restore` of that zip into a new, unmigrated SQLite file (it migrates first);
- with --postgres, the same restore into that PostgreSQL database (dropped and created
  afresh: give a name that holds nothing you want), then a backup of it, whose rows are
  compared with the first archive's, value by value.
Baselines, in the same run on the same database: sqlite3's `iterdump()` written through the
same compression (zlib level 1) — the bare "dump"; `executescript` of that dump into an empty
file — the bare "restore"; and sqlite3's page-by-page `.backup` for scale.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.backup",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tier", choices=["demo", "S", "M", "L"], default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="the bench database (SQLite file)")
    parser.add_argument("--rebuild", action="store_true", help="build the tier even if present")
    parser.add_argument("--postgres", help="also restore into this PostgreSQL database (URL)")
    return parser.parse_args(argv)


# Runs `rapport` and reports the process's own peak resident memory (VmHWM, which starts
# afresh at exec; getrusage's maxrss would include this benchmark's memory at fork time).
PEAK = """
import atexit, sys
def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"PEAK_KB {line.split()[1]}\\n")
atexit.register(peak)
from rapport.__main__ import main
sys.argv = ["rapport", *sys.argv[1:]]
main()
"""


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `rapport` with `args`: its wall time (s), peak memory (MB) and output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"rapport {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    peaks = [
        int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB")
    ]
    return seconds, peaks[-1] / 1024, done.stdout


def fresh_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fts_objects(con: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """The full-text tables and the statements that make them (tables, triggers)."""
    tables = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    ).fetchall()
    names = [name for name, _ in tables]
    triggers = [
        sql
        for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
        if any(name in sql for name in names)
    ]
    return names, [sql for _, sql in tables] + triggers


def bare_dump(db: Path, target: Path) -> float:
    """iterdump through zlib, without the full-text tables: iterdump writes those through
    writable_schema, which executescript cannot load back; the bare restore rebuilds them
    as our restore does (ours fills them by trigger)."""
    started = time.perf_counter()
    source = sqlite3.connect(db)
    names, _ = fts_objects(source)
    fts = re.compile(
        r"(CREATE TABLE|INSERT INTO|CREATE TRIGGER) [\"']?("
        + "|".join(names)
        + r")(_\w+)?[\"']?[ (]"
    )
    squeeze = zlib.compressobj(1)
    with target.open("wb") as out:
        for statement in source.iterdump():
            if any(w in statement for w in ("sqlite_master", "writable_schema", "sqlite_stat")):
                continue
            if names and fts.match(statement):
                continue
            out.write(squeeze.compress((statement + "\n").encode()))
        out.write(squeeze.flush())
    source.close()
    return time.perf_counter() - started


def bare_restore(db: Path, dump: Path, target: Path) -> float:
    """executescript of the dump, then the full-text tables and triggers made and rebuilt."""
    source = sqlite3.connect(db)
    names, statements = fts_objects(source)
    source.close()
    fresh_sqlite(target)
    started = time.perf_counter()
    script = zlib.decompress(dump.read_bytes()).decode()
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.executescript(script)  # the dump is one BEGIN … COMMIT
    con.execute("BEGIN")
    for statement in statements:
        con.execute(statement)
    for name in names:
        con.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")
    con.execute("COMMIT")
    con.close()
    return time.perf_counter() - started


def page_copy(db: Path, target: Path) -> float:
    fresh_sqlite(target)
    started = time.perf_counter()
    source, copy = sqlite3.connect(db), sqlite3.connect(target)
    source.backup(copy)
    copy.close()
    source.close()
    return time.perf_counter() - started


def rows_of(archive: Path) -> dict[str, list]:
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        return {
            t["table"]: [
                json.loads(line) for line in z.read(f"data/{t['table']}.jsonl").splitlines()
            ]
            for t in manifest["tables"]
        }


def recreate_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", Path.cwd() / "var")).resolve()
    bench_dir = data_dir / "bench"
    db = (args.db or bench_dir / f"{args.tier}-seed{args.seed}.sqlite3").resolve()
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import connections

    from benchmarks.build import build_or_reuse

    info = build_or_reuse(db, args.tier, args.seed, args.rebuild, print)
    connections.close_all()
    work = bench_dir / f"backup-{args.tier}"
    work.mkdir(parents=True, exist_ok=True)
    archive, restored, dump = work / "rapport.zip", work / "restored.sqlite3", work / "dump.z"
    env = {**os.environ, "RAPPORT_MEDIA_ROOT": str(work / "uploads-empty")}
    archive.unlink(missing_ok=True)

    print(f"Backing up {db} …", flush=True)
    backup_s, backup_mb, _ = run_measured(["backup", str(archive), "-v0", "--skip-checks"], env)
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    rows = sum(t["rows"] for t in manifest["tables"])
    print("Restoring into a new SQLite file …", flush=True)
    fresh_sqlite(restored)
    restore_env = {
        **env,
        "RAPPORT_DATABASE_URL": f"sqlite:///{restored}",
        "RAPPORT_MEDIA_ROOT": str(work / "uploads-restored"),
    }
    restore_s, restore_mb, _ = run_measured(
        ["restore", str(archive), "-v0", "--skip-checks"], restore_env
    )
    check = sqlite3.connect(restored)
    restored_rows = {
        t["table"]: check.execute(f'SELECT count(*) FROM "{t["table"]}"').fetchone()[0]
        for t in manifest["tables"]
    }
    check.close()
    assert restored_rows == {t["table"]: t["rows"] for t in manifest["tables"]}, "row counts"
    print("Bare baselines …", flush=True)
    dump_s = bare_dump(db, dump)
    bare_restore_s = bare_restore(db, dump, work / "bare.sqlite3")
    copy_s = page_copy(db, work / "copy.sqlite3")

    pg = None
    if args.postgres:
        print("Restoring into PostgreSQL, and backing it up again …", flush=True)
        recreate_postgres(args.postgres)
        pg_env = {
            **env,
            "RAPPORT_DATABASE_URL": args.postgres,
            "RAPPORT_MEDIA_ROOT": str(work / "uploads-pg"),
        }
        pg_restore = run_measured(["restore", str(archive), "-v0", "--skip-checks"], pg_env)
        again = work / "from-postgres.zip"
        pg_backup = run_measured(["backup", str(again), "-v0", "--skip-checks"], pg_env)
        same = rows_of(archive) == rows_of(again)
        pg = (pg_restore, pg_backup, again.stat().st_size, same)

    size = archive.stat().st_size
    print()
    print(f"Rapport backup and restore · tier {args.tier} · seed {args.seed} · {db}")
    print(
        f"data: {rows:,} rows in {len(manifest['tables'])} tables "
        f"({info['tables'].get('rapport_touchpoint', 0):,} touchpoints) · database file "
        f"{db.stat().st_size / 1e6:,.0f} MB · archive {size / 1e6:,.1f} MB"
    )
    head = f"{'measure':<40} {'time':>8} {'rows/s':>10} {'peak MB':>8}  {'bare':>8} {'ratio':>6}"
    print(head + "  baseline")
    print(
        f"{'rapport backup (SQLite → zip)':<40} {backup_s:>7.1f}s {rows / backup_s:>10,.0f} "
        f"{backup_mb:>8.0f}  {dump_s:>7.1f}s {backup_s / dump_s:>6.2f}  sqlite3 iterdump + zlib 1"
    )
    print(
        f"{'rapport restore (zip → new SQLite)':<40} {restore_s:>7.1f}s {rows / restore_s:>10,.0f} "
        f"{restore_mb:>8.0f}  {bare_restore_s:>7.1f}s {restore_s / bare_restore_s:>6.2f}  "
        "executescript of that dump + FTS rebuild"
    )
    print(f"{'sqlite3 .backup (page copy, for scale)':<40} {copy_s:>7.1f}s")
    print(f"bare dump size (zlib 1): {dump.stat().st_size / 1e6:,.1f} MB")
    if pg:
        (r_s, r_mb, _), (b_s, b_mb, _), again_size, same = pg
        print(
            f"{'rapport restore (zip → PostgreSQL)':<40} {r_s:>7.1f}s {rows / r_s:>10,.0f} "
            f"{r_mb:>8.0f}"
        )
        print(
            f"{'rapport backup (PostgreSQL → zip)':<40} {b_s:>7.1f}s {rows / b_s:>10,.0f} "
            f"{b_mb:>8.0f}  archive {again_size / 1e6:,.1f} MB"
        )
        print(f"SQLite → PostgreSQL → zip: every row equal to the first archive's: {same}")


if __name__ == "__main__":
    main()
