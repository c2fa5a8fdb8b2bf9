"""Benchmark the .ics import of a daily meeting held for years against a bare expansion and
`executemany` of the same touchpoints.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/calendars-bench \\
        .venv/bin/python -m benchmarks.calendars [--days 3714] [--attendees 3]

A child process with a fresh SQLite database makes the attendees as people and imports a
calendar holding one daily meeting (in Europe/London, so its times cross the clock changes)
that began `--days` ago, as `rapport import-ics` does: the file kept, read, each occurrence
planned (matched by e-mail, checked against what was logged before), then logged as a
touchpoint with its people, contacts, audit entry and each person's relationship state, in
one transaction. Then the same file again (nothing may change). As the baseline, the same
process expands the rule with dateutil alone and inserts the same touchpoints and
participations with sqlite3's `executemany` into plain tables of the same columns in a
database of its own with the same PRAGMAs.

Target (issue 18): 3,714 occurrences in seconds (it took 109 s when each was logged through
`create_touchpoint`, whose relationship refresh re-read all of a person's touchpoints).
"""

import argparse
import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 10.0
TZ = "Europe/London"


def calendar(first: dt.date, attendees: int) -> bytes:
    people = "".join(
        f"ATTENDEE;CN=Attendee {n}:mailto:a{n}@uni.example\r\n" for n in range(attendees)
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\nBEGIN:VEVENT\r\n"
        "UID:standup@bench\r\nSUMMARY:Lab stand-up\r\n"
        f"DTSTART;TZID={TZ}:{first:%Y%m%d}T093000\r\nDTEND;TZID={TZ}:{first:%Y%m%d}T094500\r\n"
        "RRULE:FREQ=DAILY\r\nORGANIZER:mailto:bench@library.example\r\n"
        f"{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def bare(first: dt.date, until: dt.datetime, attendees: int, db: Path) -> tuple[float, int]:
    """The least the same work needs: the occurrences from dateutil, rows by executemany."""
    from zoneinfo import ZoneInfo

    from dateutil.rrule import DAILY, rrule

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE touchpoint (id INTEGER PRIMARY KEY, occurred_at TEXT, minutes INTEGER,"
        " topic TEXT, kind TEXT, external_id TEXT UNIQUE);"
        "CREATE TABLE participation (touchpoint_id INTEGER, person_id INTEGER, occurred_at TEXT);"
    )
    begin = dt.datetime.combine(first, dt.time(9, 30), tzinfo=ZoneInfo(TZ))
    starts = [s.astimezone(dt.UTC).isoformat() for s in rrule(DAILY, dtstart=begin, until=until)]
    with con:
        con.executemany(
            "INSERT INTO touchpoint (occurred_at, minutes, topic, kind, external_id) "
            "VALUES (?, 15, 'Lab stand-up', 'meeting', ?)",
            [(s, f"standup@bench/{s}") for s in starts],
        )
        ids = con.execute("SELECT id, occurred_at FROM touchpoint ORDER BY id").fetchall()
        con.executemany(
            "INSERT INTO participation VALUES (?, ?, ?)",
            [(pk, n, at) for pk, at in ids for n in range(attendees)],
        )
    rows = con.execute("SELECT count(*) FROM touchpoint").fetchone()[0]
    con.close()
    return time.perf_counter() - start, rows


def child(days: int, attendees: int, work: Path) -> dict:
    db = work / "rapport.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["RAPPORT_MEDIA_ROOT"] = str(work / "uploads")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from rapport.accounts.models import User
    from rapport.people.models import Person
    from rapport.relationships.models import Relationship
    from rapport.touchpoints.models import Participation, Touchpoint
    from rapport.uploads import lifecycle

    librarian = User.objects.create_user("bench", role="librarian", email="bench@library.example")
    for n in range(attendees):
        Person.objects.create(full_name=f"Attendee {n}", email=f"a{n}@uni.example")
    now = timezone.now()
    first = timezone.localdate(now) - dt.timedelta(days=days - 1)
    data = calendar(first, attendees)

    def once() -> tuple[float, float, object]:
        start = time.perf_counter()
        job = lifecycle.upload(
            "ics", by=librarian, stream=io.BytesIO(data), name="standup.ics", since=first, now=now
        )
        checked = time.perf_counter() - start
        lifecycle.run(by=librarian, job=job, how="caller")
        job = lifecycle.work("ics", job.pk)
        return time.perf_counter() - start, checked, job

    total, checked, job = once()
    logged = Touchpoint.objects.filter(source_system="ics").count()
    consistent = (
        Participation.objects.count() == logged * attendees
        and Relationship.objects.filter(minutes=15 * logged).count() == attendees
    )
    again, _, job2 = once()
    bare_seconds, rows = bare(first, now, attendees, work / "bare.sqlite3")
    return {
        "days": days,
        "bytes": len(data),
        "import": total,
        "preview": checked,
        "logged": job.meetings,  # type: ignore[attr-defined]
        "again": again,
        "again_logged": job2.meetings,  # type: ignore[attr-defined]
        "again_already": job2.already,  # type: ignore[attr-defined]
        "consistent": consistent,
        "bare": bare_seconds,
        "bare_rows": rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calendars", description=__doc__)
    parser.add_argument("--days", type=int, default=3_714)
    parser.add_argument("--attendees", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    work = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve() / "calendars-bench"
    work.mkdir(parents=True, exist_ok=True)
    if args.child:
        print(json.dumps(child(args.days, args.attendees, work)))
        return
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.calendars", "--child", "--days", str(args.days),
         "--attendees", str(args.attendees)],
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{'occurrences':>11} {'Rapport s':>10} {'of which preview s':>18} {'bare s':>7} "
        f"{'ratio':>6} {'re-import s':>11}"
    )
    print(
        f"{r['logged']:>11,} {r['import']:>10.2f} {r['preview']:>18.2f} {r['bare']:>7.3f} "
        f"{r['import'] / r['bare']:>6.1f} {r['again']:>11.2f}"
    )
    state = "participations and relationship state right" if r["consistent"] else "STATE WRONG"
    print(
        f"{r['logged']:,} meetings logged; re-import {r['again_logged']} logged, "
        f"{r['again_already']:,} logged before; bare rows {r['bare_rows']:,}; {state}"
    )
    verdict = "meets" if r["import"] <= TARGET_SECONDS else "MISSES"
    print(f"target: a daily meeting of {args.days:,} days ≤ {TARGET_SECONDS:.0f} s: {verdict} it")


if __name__ == "__main__":
    main()
