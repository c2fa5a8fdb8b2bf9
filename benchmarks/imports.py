"""Benchmark importing LibAnswers transactions into SQLite, against a bare baseline.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/imports-bench \\
        .venv/bin/python -m benchmarks.imports [--rows 1000000] [--small 100000] [--seed 1]

For each size (--small, then --rows) a child process builds an empty database, writes a
LibAnswers "Export Transactions" CSV with this module's own generator, and imports it the way
`rapport import` does: upload (copy and hash), dry run (every row read and checked), run
(chunks written and committed). Timed separately and together, against the baseline: Python's
`csv` reading the same file and a bare `sqlite3` `executemany` of its rows into a plain table
with the same columns, in one transaction. Peak memory is the child's maximum resident size,
so the two sizes show whether memory grows with the file (it must not).

The generated rows: ids, date and time apart, staff initials (a few unknown), patron status,
channel, question type, READ scale, duration, location, question and answer text, and a patron
email on one row in five (from a pool of 20,000 people), the rest anonymous.
"""

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 60.0
TARGET_ROWS = 1_000_000
HEADERS = [
    "Transaction ID", "Ticket ID", "Chat ID", "Date", "Time", "Entered By", "Patron Status",
    "Communication Channel", "Question Type", "READ Scale", "Duration", "Location",
    "Patron Email", "Question", "Answer", "Dataset",
]  # fmt: skip
STAFF = ["AR", "BK", "CM", "DL", "EP", "FQ", "XX"]  # XX is nobody in Rapport
STATUSES = ["Undergraduate", "Graduate Student", "Faculty", "Staff", "Community", "Alumni"]
CHANNELS = ["Walk-up", "Email", "Chat", "Phone", "SMS"]
TYPES = ["Directional", "Reference", "Research", "Technology", "Policy", "Citation"]
LOCATIONS = ["Main Desk", "Science Library", "Virtual", "Special Collections"]
SUBJECTS = [
    "peer-reviewed articles on climate policy", "the citation style for a thesis",
    "datasets about urban migration", "access to a paywalled journal", "printing from a laptop",
    "a systematic review search strategy", "interlibrary loan for a rare book",
    "patents on battery chemistry", "census microdata", "EndNote and Zotero differences",
]  # fmt: skip
ANSWERS = [
    "Showed the advanced search and subject headings.", "Sent the guide link and a follow-up.",
    "Walked to the shelves together.", "Placed an interlibrary loan request.",
    "Explained the proxy login and checked access.", "Booked a consultation for next week.",
]  # fmt: skip


def generate(path: Path, rows: int, seed: int) -> None:
    """Write a LibAnswers-shaped CSV of `rows` transactions, streaming."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for n in range(1, rows + 1):
            ordinal = 737_060 + rng.randrange(2_190)  # 2019-01-01 + up to six years
            date = time.strftime("%Y-%m-%d", time.gmtime((ordinal - 719_163) * 86_400))
            chat = rng.random() < 0.3
            email = f"patron{rng.randrange(20_000)}@uni.example" if rng.random() < 0.2 else ""
            out.writerow([
                1_000_000 + n, "" if chat else 50_000 + n // 3, 9_000 + n if chat else "", date,
                f"{8 + rng.randrange(12):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
                rng.choice(STAFF), rng.choice(STATUSES), "Chat" if chat else rng.choice(CHANNELS),
                rng.choice(TYPES), 1 + rng.randrange(5), rng.choice((2, 5, 10, 15, 30, 45)),
                rng.choice(LOCATIONS), email, f"Looking for {rng.choice(SUBJECTS)}",
                rng.choice(ANSWERS), "Reference Transactions",
            ])  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def anon_mb() -> float:
    """Resident memory that is not a mapped file: the process's own, without the pages of the
    database file SQLite maps (up to its mmap_size, 256 MB in Rapport's settings)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def baseline(path: Path, db: Path) -> float:
    """csv reading + bare sqlite3 executemany into a plain table, one transaction."""
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    cols = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    conn.execute(f"CREATE TABLE plain (id INTEGER PRIMARY KEY, {cols})")
    marks = ", ".join("?" * len(HEADERS))
    with path.open(newline="", encoding="utf-8") as f, conn:
        reader = csv.reader(f)
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) == 10_000:
                conn.executemany(f"INSERT INTO plain VALUES (NULL, {marks})", batch)
                batch = []
        conn.executemany(f"INSERT INTO plain VALUES (NULL, {marks})", batch)
    conn.close()
    return time.perf_counter() - started


def child(rows: int, seed: int, workdir: Path) -> dict:
    """One size in a fresh process and database: generate, baseline, import."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "rapport.sqlite3"
    for leftover in workdir.glob("rapport.sqlite3*"):
        leftover.unlink()
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["RAPPORT_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["RAPPORT_IMPORT_MAX_MB"] = "4096"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.RAPPORT_IMPORT_MAX_MB = 4096
    call_command("migrate", verbosity=0)
    from rapport.accounts.models import Role, User
    from rapport.imports import engine, services

    admin = User.objects.create_user("admin", role=Role.ADMIN, initials="AD")
    for initials in STAFF[:-1]:
        User.objects.create_user(initials.lower(), role=Role.LIBRARIAN, initials=initials)
    csv_path = workdir / f"libanswers-{rows}.csv"
    if not csv_path.exists():
        generate(csv_path, rows, seed)
    base = baseline(csv_path, workdir / "baseline.sqlite3")
    (workdir / "baseline.sqlite3").unlink()
    started = time.perf_counter()
    with csv_path.open("rb") as stream:
        job = services.upload(by=admin, stream=stream, name=csv_path.name)
    uploaded = time.perf_counter()
    services.run(by=admin, job=job, how="caller", checked=False)
    anon = [anon_mb()]
    job = engine.run_job(job.pk, progress=lambda _: anon.append(anon_mb()))
    done = time.perf_counter()
    # The page's dry run, of the same file uploaded again (every row found: all skipped).
    with csv_path.open("rb") as stream:
        again = services.upload(by=admin, stream=stream, name=csv_path.name)
    dry_started = time.perf_counter()
    services.check(by=admin, job=again, how="caller")
    again = engine.check_job(again.pk)
    checked = time.perf_counter()
    return {
        "rows": rows,
        "format": job.format,
        "created": job.created,
        "dry_run_skipped": again.dry_run.get("skipped", 0),
        "failed": job.failed,
        "upload": uploaded - started,
        "dry_run": checked - dry_started,
        "run": done - uploaded,
        "total": done - started,
        "baseline": base,
        "peak_mb": peak_mb(),
        "anon_mb": max(anon),
        "size_mb": csv_path.stat().st_size / 1024 / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__)
    parser.add_argument("--rows", type=int, default=TARGET_ROWS)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve() / "imports-bench"
    if args.child:
        print(json.dumps(child(args.child, args.seed, data_dir / str(args.child))))
        return
    results = []
    for rows in (args.small, args.rows):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.imports", "--child", str(rows), "--seed",
             str(args.seed)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for r in results:
        rate = r["rows"] / r["total"]
        print(
            f"{r['rows']:>9,} LibAnswers rows ({r['size_mb']:.0f} MB, format {r['format']}): "
            f"{r['created']:,} created, {r['failed']:,} failed"
        )
        print(
            f"  upload {r['upload']:.1f} s · dry run {r['dry_run']:.1f} s · run {r['run']:.1f} s"
            f" · total {r['total']:.1f} s ({rate:,.0f} rows/s)"
        )
        print(
            f"  baseline (csv + bare sqlite3 executemany) {r['baseline']:.1f} s · ratio "
            f"{r['total'] / r['baseline']:.1f}× (run alone {r['run'] / r['baseline']:.1f}×)"
        )
        print(
            f"  peak memory {r['peak_mb']:.0f} MB resident, {r['anon_mb']:.0f} MB without the "
            "database file SQLite maps"
        )
    big = results[-1]
    if big["rows"] == TARGET_ROWS:
        verdict = "within" if big["total"] <= TARGET_SECONDS else "OVER"
        seconds = big["total"]
        print(f"target: {TARGET_ROWS:,} rows ≤ {TARGET_SECONDS:.0f} s: {seconds:.1f} s, {verdict}")
    small, big = results[0], results[-1]
    print(
        f"memory: {small['anon_mb']:.0f} MB at {small['rows']:,} rows, {big['anon_mb']:.0f} MB "
        f"at {big['rows']:,} ({big['anon_mb'] / small['anon_mb']:.2f}×; resident with the "
        f"mapped database {small['peak_mb']:.0f} → {big['peak_mb']:.0f} MB)"
    )


if __name__ == "__main__":
    main()
