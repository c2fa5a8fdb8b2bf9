"""Benchmark the vCard import against a bare parse + sqlite3 executemany of the same records.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/vcards-bench \\
        .venv/bin/python -m benchmarks.vcards [--sizes 10000 100000] [--seed 1] \\
        [--sqlite-cache-mb 4]

For each size a generated address book (vCard 3.0 and Outlook-style 2.1 quoted-printable cards,
one in twenty with a 6 KB photo, most with two e-mail addresses, a title, department, office and
some a note) is imported into a fresh SQLite database by a child process, as
`rapport import-vcards` does it: the file kept, read card by card, matched, written in bulk,
relationship rows made, one audit entry, all in one transaction. The same process then imports
the file again (nothing may change) and, as the baseline, parses it with a bare reader (split
cards, unfold, take the values) and inserts the same records with sqlite3's `executemany` into a
plain table of the same columns in its own database with the same PRAGMAs.

Memory: the child's peak resident size (which also counts the database file SQLite maps into
memory, up to Rapport's 256 MB mmap_size) and its resident anonymous memory (Python's heap and
SQLite's page cache, capped at 64 MB by Rapport's settings), sampled after every batch of 1,000
cards. The file is read card by card and written in batches, so neither grows with the file
beyond those caps, except for the ids of the people already touched (a set of integers, about
60 bytes a person). `--sqlite-cache-mb 4` shrinks the page cache to show that.

Target (issue 5): 100,000 vCards ≤ 30 s into SQLite.
"""

import argparse
import base64
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 30.0
TARGET_CARDS = 100_000
PHOTO = base64.b64encode(random.Random(0).randbytes(4_500)).decode()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def anon_mb() -> float:
    """Resident anonymous memory (Python's heap, SQLite's page cache), without the database
    file SQLite maps into memory (RAPPORT's mmap_size), which RSS also counts."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _qp(text: str) -> str:
    return "".join(
        c if (c.isascii() and c.isalnum()) or c == " " else "".join(f"={b:02X}" for b in c.encode())
        for c in text
    )


def write_file(path: Path, n: int, seed: int) -> None:
    from rapport.demo.names import FIRST_NAMES, SURNAMES

    rng = random.Random(seed)
    depts = ["Chemistry", "History", "Physics", "Nursing", "Law", "Economics", "Marine Science"]
    titles = ["Professor", "Lecturer", "PhD candidate", "Postdoc", "Research Fellow", "Technician"]
    with path.open("w", encoding="utf-8", newline="") as out:
        for i in range(n):
            given, family = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            user = f"{given}.{family}.{i}".lower().replace(" ", "")
            user = user.encode("ascii", "ignore").decode()
            dept = rng.choice(depts)
            lines = ["BEGIN:VCARD"]
            if i % 4 == 3:  # Outlook/Android style
                lines += [
                    "VERSION:2.1",
                    f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(family)};{_qp(given)}",
                    f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp(given + ' ' + family)}",
                    f"EMAIL;PREF;INTERNET:{user}@uni.example",
                ]
            else:
                lines += [
                    "VERSION:3.0",
                    f"N:{family};{given};;;",
                    f"FN:{given} {family}",
                    f"item1.EMAIL;type=INTERNET;type=pref:{user}@uni.example",
                    "item1.X-ABLabel:_$!<Work>!$_",
                    f"UID:bench-{seed}-{i}",
                ]
            if rng.random() < 0.6:
                lines.append(f"EMAIL;TYPE=INTERNET;TYPE=HOME:{user}@mail.example")
            lines += [
                f"ORG:Northfield University;{dept}",
                f"TITLE:{rng.choice(titles)}",
                f"ADR;TYPE=WORK:;{dept} Building\\, Room {rng.randint(100, 499)};1 College Rd;"
                "Northfield;;55057;",
                "TEL;TYPE=WORK:+1 555 0100",
            ]
            if rng.random() < 0.3:
                lines.append(
                    "NOTE:Met at the library induction\\; asked about systematic reviews and "
                    "data management plans for the new grant."
                )
            if i % 20 == 0:
                lines.append("PHOTO;ENCODING=b;TYPE=JPEG:" + PHOTO[:50])
                lines += [" " + PHOTO[k : k + 74] for k in range(50, len(PHOTO), 74)]
            lines.append("END:VCARD")
            out.write("\r\n".join(lines) + "\r\n")


# -- the bare baseline -----------------------------------------------------------------------

BARE_COLUMNS = (
    "full_name", "email", "other_emails", "job_title", "department", "building", "room", "notes"
)  # fmt: skip


def bare_records(path: Path):
    """The least a reader must do: split cards, unfold, decode QP, take the values."""
    import quopri

    card: dict[str, list[str]] = {}
    last = ""
    with path.open("rb") as stream:
        for raw in stream:
            line = raw.rstrip(b"\r\n").decode("utf-8")
            if line[:1] == " ":
                if last:
                    card[last][-1] += line[1:]
                continue
            head, _, value = line.partition(":")
            name, *params = head.split(";")
            name = name.rsplit(".", 1)[-1].upper()
            last = "" if name == "PHOTO" else name
            if name == "BEGIN":
                card = {}
            elif name == "END":
                emails = card.get("EMAIL", [])
                org = card.get("ORG", [";"])[0].split(";")
                ext = card.get("ADR", [";;"])[0].split(";")[1]
                yield (
                    card.get("FN", [""])[0],
                    emails[0] if emails else "",
                    json.dumps(emails[1:]),
                    card.get("TITLE", [""])[0],
                    org[1] if len(org) > 1 else "",
                    ext.split("\\,")[0],
                    ext.rsplit(" ", 1)[-1],
                    card.get("NOTE", [""])[0],
                )
            elif last:
                if "ENCODING=QUOTED-PRINTABLE" in params:
                    value = quopri.decodestring(value.encode()).decode("utf-8")
                card.setdefault(name, []).append(value)


def bare(path: Path, db: Path) -> tuple[float, int]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    con.execute(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, "
        + ", ".join(f"{c} TEXT" for c in BARE_COLUMNS)
        + ")"
    )
    with con:
        con.executemany(
            f"INSERT INTO person ({', '.join(BARE_COLUMNS)}) VALUES "
            f"({', '.join('?' * len(BARE_COLUMNS))})",
            bare_records(path),
        )
    rows = con.execute("SELECT count(*) FROM person").fetchone()[0]
    con.close()
    return time.perf_counter() - start, rows


# -- one size, in a child process ------------------------------------------------------------


def child(n: int, seed: int, work: Path, cache_mb: int | None) -> dict:
    db = work / f"rapport-{n}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["RAPPORT_MEDIA_ROOT"] = str(work / "uploads")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if cache_mb is not None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{cache_mb * 1000}")
    from rapport.accounts.models import User
    from rapport.people.models import Person
    from rapport.relationships.models import Relationship
    from rapport.search.queries import search
    from rapport.uploads import lifecycle

    path = work / f"cards-{n}.vcf"
    if not path.exists():
        write_file(path, n, seed)
    librarian = User.objects.create_user("bench", role="librarian")
    before, anon_before = peak_mb(), anon_mb()
    cpu: list[float] = []
    anon = [anon_before]

    def sample(cards: int) -> None:
        anon.append(anon_mb())

    def once() -> tuple[float, object]:
        start, start_cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as stream:
            job = lifecycle.upload(
                "vcards", by=librarian, stream=stream, name=path.name, how="caller"
            )
        lifecycle.run(by=librarian, job=job, how="caller", checked=False)
        job = lifecycle.work("vcards", job.pk, progress=sample)
        cpu.append(time.process_time() - start_cpu)
        return time.perf_counter() - start, job

    first, job = once()
    first_run = anon[1:]
    people = Person.objects.count()
    consistent = (
        Relationship.objects.count() == people
        and Person.objects.filter(search_text="").count() == 0
        and len(search(librarian, Person.objects.order_by("-pk").first().full_name)) > 0  # type: ignore[union-attr]
    )
    again, job2 = once()
    peak = peak_mb()
    bare_seconds, rows = bare(path, work / f"bare-{n}.sqlite3")
    return {
        "n": n,
        "bytes": path.stat().st_size,
        "import": first,
        "import_cpu": cpu[0],
        "created": job.created,  # type: ignore[attr-defined]
        "failed": job.failed,  # type: ignore[attr-defined]
        "again": again,
        "again_created": job2.created,  # type: ignore[attr-defined]
        "again_unchanged": job2.unchanged,  # type: ignore[attr-defined]
        "consistent": consistent,
        "bare": bare_seconds,
        "bare_rows": rows,
        "rss_before": before,
        "rss_peak": peak,
        "anon_before": anon_before,
        "anon_peak": max(anon),
        # The first import's samples at each quarter: flat once SQLite's page cache is full.
        "anon_quarters": [first_run[max(0, len(first_run) * q // 4 - 1)] for q in (1, 2, 3, 4)],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.vcards", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--sqlite-cache-mb",
        type=int,
        help="SQLite page cache for the import (default: Rapport's 64 MB); a small one shows "
        "the import's own memory without the cache filling up",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    work = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve() / "vcards-bench"
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(child(args.child, args.seed, work, args.sqlite_cache_mb)))
        return

    results = []
    for n in args.sizes:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.vcards",
                *("--child", str(n), "--seed", str(args.seed)),
                *(("--sqlite-cache-mb", str(args.sqlite_cache_mb)) if args.sqlite_cache_mb else ()),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(
        f"{'cards':>8} {'file MB':>8} {'Rapport s':>10} {'CPU s':>6} {'bare s':>7} {'ratio':>6} "
        f"{'re-import s':>11} {'RSS before/peak MB':>18} {'anon before/peak MB':>19}"
    )
    for r in results:
        print(
            f"{r['n']:>8,} {r['bytes'] / 1e6:>8.1f} {r['import']:>10.1f} {r['import_cpu']:>6.1f} "
            f"{r['bare']:>7.2f} {r['import'] / r['bare']:>6.1f} {r['again']:>11.1f} "
            f"{r['rss_before']:>9.0f}/{r['rss_peak']:<8.0f} "
            f"{r['anon_before']:>9.0f}/{r['anon_peak']:<9.0f}"
        )
    for r in results:
        quarters = " / ".join(f"{mb:.0f}" for mb in r["anon_quarters"])
        print(f"{r['n']:,} cards: anonymous memory at 1/4, 1/2, 3/4, end of import: {quarters} MB")
    for r in results:
        state = "relationships, search text and index right" if r["consistent"] else "STATE WRONG"
        print(
            f"{r['n']:,} cards: {r['created']:,} people created, {r['failed']} unreadable; "
            f"re-import {r['again_unchanged']:,} unchanged; bare rows {r['bare_rows']:,}; {state}"
        )
        if r["n"] == TARGET_CARDS:
            verdict = "meets" if r["import"] <= TARGET_SECONDS else "MISSES"
            print(
                f"target: {TARGET_CARDS:,} vCards ≤ {TARGET_SECONDS:.0f} s: "
                f"{r['import']:.1f} s, {verdict} it"
            )


if __name__ == "__main__":
    main()
