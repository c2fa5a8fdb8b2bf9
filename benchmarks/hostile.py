"""Hostile files through every importer: what each answers, and the peak memory it costs.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/hostile \\
        .venv/bin/python -m benchmarks.hostile [--only NAME …] [--keep]

Each file is written on the spot (benchmarks/hostile_files.py) and taken through its import
in two fresh processes on a database of their own, as in production: the web process's part
(the upload service the page calls, with the file as Django spools it to disk) and then the
worker's (reading a workbook, the dry run or check, and, if the file was accepted, the run).
Each process reports its peak resident memory (getrusage) and its Python heap peak
(tracemalloc is not used: it would slow openpyxl tenfold); a process that dies or raises is a
crash. The table goes to docs/reliability.md.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import hostile_files as hostile


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    kind: str  # "imports", "contacts" or "calendars"
    filename: str
    build: Callable[[Path], Path]


CASES = [
    Case("xlsx-shared-strings", "shared strings bomb (the issue's: 2.5 MB → 1 GB)", "imports",
         "stats.xlsx", lambda p: hostile.shared_strings_bomb(p, 1024)),
    Case("xlsx-sheet-bomb", "zip bomb: one sheet of 1 GB of the same row", "imports",
         "sheet.xlsx", lambda p: hostile.sheet_bomb(p, 1024)),
    Case("xlsx-lying-sizes", "bomb whose directory says each part is under 1 KB (64 MB)",
         "imports", "liar.xlsx", lambda p: hostile.lying_sizes(p, 64)),
    Case("xlsx-wide-row", "one row of a million cells (17 MB, compressed 4:1)", "imports",
         "wide.xlsx", lambda p: hostile.wide_row(p, 1_000_000)),
    Case("xlsx-many-strings", "1,000,001 different shared strings", "imports",
         "strings.xlsx", lambda p: hostile.many_strings(p, 1_000_001)),
    Case("xlsx-not-a-workbook", "a zip archive named .xlsx that holds no workbook", "imports",
         "minutes.xlsx", hostile.zip_not_workbook),
    Case("csv-png", "a PNG image named .csv", "imports", "export.csv", hostile.png),
    Case("csv-empty", "an empty file", "imports", "empty.csv", lambda p: _write(p, b"")),
    Case("csv-random", "20 MB of random bytes named .csv", "imports", "random.csv",
         lambda p: hostile.random_bytes(p, 20)),
    Case("csv-zeros", "50 MB of zero bytes named .csv", "imports", "zeros.csv",
         lambda p: hostile.zero_bytes(p, 50)),
    Case("csv-huge", "201 MB, over the 200 MB limit", "imports", "huge.csv",
         lambda p: hostile.zero_bytes(p, 201)),
    Case("csv-utf16-no-bom", "UTF-16 without a byte order mark", "imports", "utf16.csv",
         hostile.csv_utf16_without_bom),
    Case("csv-bad-bytes-late", "UTF-8, then Windows-1252 and stray bytes after 1.5 MB",
         "imports", "mixed.csv", hostile.csv_bad_bytes_late),
    Case("csv-long-line", "one line of 100 MB", "imports", "line.csv",
         lambda p: hostile.csv_long_line(p, 100)),
    Case("csv-long-lines", "150 lines of 1 MB, each a third of a million cells", "imports",
         "lines.csv", lambda p: hostile.csv_long_lines(p, 150)),
    Case("csv-wide", "a heading of 300,000 columns", "imports", "wide.csv",
         lambda p: hostile.csv_wide(p, 300_000)),
    Case("csv-quoted-newlines", "a quote left open over 50 MB of short lines", "imports",
         "quoted.csv", lambda p: hostile.csv_quoted_newlines(p, 50)),
    Case("csv-endless-record", "one record of 8 million fields over 50 MB of short lines",
         "imports", "record.csv", lambda p: hostile.csv_endless_record(p, 50)),
    Case("vcf-long-property", "one card with a 100 MB line", "contacts", "long.vcf",
         lambda p: hostile.vcard_long_property(p, 100)),
    Case("vcf-folded", "one property folded over 33 million lines (100 MB)", "contacts",
         "folded.vcf", lambda p: hostile.vcard_folded_forever(p, 100)),
    Case("vcf-many", "200,000 cards", "contacts", "many.vcf", hostile.vcard_many),
    Case("vcf-png", "a PNG image named .vcf", "contacts", "card.vcf", hostile.png),
    Case("ics-rrule-bomb", "one meeting repeated every second by its rule", "calendars",
         "bomb.ics", hostile.ics_rrule_bomb),
    Case("ics-many-daily", "20,000 meetings, each daily since 1960", "calendars",
         "daily.ics", hostile.ics_many_daily),
    Case("ics-long-line", "a 19 MB description", "calendars", "long.ics", hostile.ics_long_line),
    Case("ics-many-events", "80,000 meetings this week (the 20 MB a calendar may weigh)",
         "calendars", "week.ics", lambda p: hostile.ics_many_daily(p, 80_000, "20261130T090000Z")),
    Case("ics-png", "a PNG image named .ics", "calendars", "cal.ics", hostile.png),
]  # fmt: skip


# The kind of upload job each case goes through (rapport.uploads.kinds).
KINDS = {"imports": "imports", "contacts": "vcards", "calendars": "ics"}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(workdir: Path) -> None:
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{workdir / 'rapport.sqlite3'}"
    os.environ["RAPPORT_MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("RAPPORT_SECRET_KEY", "hostile-files")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()


def web(case: Case, path: Path) -> dict:
    """What the page's upload does with the file (the upload service, as the view calls it)."""
    from rapport.accounts.models import User
    from rapport.errors import Invalid

    user = User.objects.get(username="ana")
    with path.open("rb") as stream:
        try:
            from rapport.uploads import lifecycle

            # The page's ways: a table is queued, cards are checked by the worker, a small
            # calendar is checked in the request (its start day: 90 days back).
            how = {"imports": "queue", "contacts": "caller"}.get(case.kind, "auto")
            job = lifecycle.upload(
                KINDS[case.kind], by=user, stream=stream, name=path.name, how=how
            )
        except Invalid as err:
            return {"answer": f"refused on the form: {err.message}"}
    return {"answer": f"job {job.pk}: {job.status}", "job": job.pk}


def worker(case: Case, job_id: int) -> dict:
    """What the worker does with the job: read it, check it, and run it if it was accepted."""
    from rapport.uploads import lifecycle

    kind = KINDS[case.kind]
    job = lifecycle.work(kind, job_id)  # a workbook read, or a file checked
    if job.status == "uploaded":  # a table waits for its dry run
        lifecycle.check(by=job.created_by, job=job, how="caller")
        job = lifecycle.work(kind, job_id)
    if job.status == "checked":
        lifecycle.run(by=job.created_by, job=job, how="caller")
        job = lifecycle.work(kind, job_id)
    if case.kind == "imports":
        counts = f" ({job.created} created, {job.failed} failed)" if job.started_at else ""
        return {"answer": f"{job.status}{counts}: {job.error}".rstrip(": ")}
    if case.kind == "contacts":
        return {
            "answer": f"{job.status} ({job.cards} cards, {job.created} created, "
            f"{job.problem_count} problems): {job.error}".rstrip(": ")
        }
    return {
        "answer": f"{job.status} ({job.events} events, {job.meetings} logged, "
        f"{job.problem_count} problems): {job.error}".rstrip(": ")
    }


def child(step: str, name: str, path: Path, workdir: Path, job: int) -> None:
    _setup(workdir)
    case = next(c for c in CASES if c.name == name)
    base = peak_mb()
    started = time.perf_counter()
    try:
        result = web(case, path) if step == "web" else worker(case, job)
        result["crash"] = ""
    except BaseException as err:
        result = {"answer": "", "crash": f"{type(err).__name__}: {err}"[:300]}
        traceback.print_exc()
    result.update(seconds=time.perf_counter() - started, peak_mb=peak_mb(), base_mb=base)
    print(json.dumps(result))


def _template(root: Path) -> Path:
    """A migrated database with one librarian, made once and copied for each case."""
    template = root / "template"
    if not (template / "rapport.sqlite3").exists():
        template.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "RAPPORT_DATABASE_URL": f"sqlite:///{template / 'rapport.sqlite3'}",
            "RAPPORT_SECRET_KEY": "hostile-files",
        }
        subprocess.run([sys.executable, "-m", "rapport", "migrate", "-v0"], env=env, check=True)
        subprocess.run(
            [sys.executable, "-m", "rapport", "createuser", "ana", "--role", "librarian",
             "--password-stdin"],
            env=env, check=True, input="a long enough passphrase\n", text=True,
            capture_output=True,
        )  # fmt: skip
    return template


def _run_child(step: str, case: Case, path: Path, workdir: Path, job: int = 0) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.hostile", "--child", step, case.name, str(path),
         str(workdir), str(job)],
        capture_output=True, text=True,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        return {"answer": "", "crash": tail[0], "peak_mb": 0.0, "base_mb": 0.0, "seconds": 0}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile", description=__doc__)
    parser.add_argument("--only", nargs="*", help="case names (default: every case)")
    parser.add_argument("--keep", action="store_true", help="keep the files and databases")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.child:
        step, name, path, workdir, job = args.child
        child(step, name, Path(path), Path(workdir), int(job))
        return
    root = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve() / "hostile"
    template = _template(root)
    cases = [c for c in CASES if not args.only or c.name in args.only]
    crashes = 0
    print("| file | web process | worker | peak MB web / worker | answer |")
    print("|---|---|---|---|---|")
    for case in cases:
        workdir = root / case.name
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        shutil.copy(template / "rapport.sqlite3", workdir / "rapport.sqlite3")
        path = case.build(workdir / case.filename)
        size = path.stat().st_size
        first = _run_child("web", case, path, workdir)
        second = (
            _run_child("worker", case, path, workdir, first["job"]) if first.get("job") else None
        )
        crashes += bool(first["crash"]) + bool(second and second["crash"])
        answer = (second or first)["answer"] or (second or first)["crash"]
        worker_cell = f"{second['seconds']:.1f} s" if second else "–"
        worker_mb = f"{second['peak_mb']:.0f}" if second else "–"
        print(
            f"| {case.what} ({size / 1024 / 1024:,.1f} MB) | {first['seconds']:.1f} s | "
            f"{worker_cell} | {first['peak_mb']:.0f} / {worker_mb} | {answer[:160]} |",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"\n{len(cases)} files, {crashes} crashes; an idle process (Django loaded) peaks at "
        f"{first['base_mb']:.0f} MB."
    )


if __name__ == "__main__":
    main()
