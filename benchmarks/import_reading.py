"""Benchmark reading an import file: a LibAnswers export through `open_table(...).rows()` and
the LibAnswers format's `rows()` (typed canonical rows), against a bare `csv.reader` pass over
the same file in the same run; then peak memory (tracemalloc) at a tenth of the rows and at
all of them, to show that reading streams.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/import-reading-bench \\
        .venv/bin/python -m benchmarks.import_reading [--rows 1000000] [--seed 1]

The target: 150,000 rows/s through both layers, so that the import of 1,000,000 rows (reading,
checking and writing) fits in 60 s. No database is used.
"""

import argparse
import csv
import gc
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

TARGET_ROWS_PER_S = 150_000

HEADERS = [
    "Transaction ID", "Dataset", "Date", "Time", "Entered By", "Question", "Answer",
    "Patron Status", "Communication Channel", "Question Type", "Duration", "READ Scale",
    "Location", "Ticket ID", "Chat ID",
]  # fmt: skip
STAFF = ["AB", "CD", "EF", "GH", "jsmith", "mlopez", "kwong", "rpatel"]
STATUS = ["Faculty", "Graduate Student", "Undergraduate", "Staff", "Alumni", "Community"]
CHANNEL = ["Walk-up", "Chat", "Email", "Phone", "SMS", "Zoom"]
QTYPE = ["Directional", "Research", "Policies", "Technology", "Circulation", "Ready Reference"]
DURATION = ["0:05", "5 min", "10-20 minutes", "1h30", "15", "0:45", "30 min"]
WORDS = [
    "where",
    "how",
    "find",
    "article",
    "journal",
    "database",
    "thesis",
    "print",
    "scan",
    "borrow",
    "renew",
    "citation",
    "zotero",
    "endnote",
    "pubmed",
    "scopus",
    "search",
    "strategy",
    "review",
    "dataset",
    "access",
    "proxy",
    "login",
    "password",
    "room",
    "booking",
    "interlibrary",
    "loan",
    "request",
    "book",
    "chapter",
    "standard",
    "patent",
    "map",
    "archive",
    "census",
]


def write_export(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for i in range(rows):
            day = 1 + i * 1000 // max(rows, 1) % 28
            question = " ".join(rng.choices(WORDS, k=rng.randint(6, 18))).capitalize() + "?"
            if rng.random() < 0.05:
                question += "\nFollow-up: " + " ".join(rng.choices(WORDS, k=5))
            chat = rng.random() < 0.3
            out.writerow(
                [
                    str(1_000_000 + i),
                    "Reference Desk",
                    f"2024-{1 + i % 12:02d}-{day:02d}",
                    f"{8 + rng.randrange(12):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
                    rng.choice(STAFF),
                    question,
                    " ".join(rng.choices(WORDS, k=rng.randint(4, 30))).capitalize() + ".",
                    rng.choice(STATUS),
                    rng.choice(CHANNEL),
                    rng.choice(QTYPE),
                    rng.choice(DURATION),
                    f"READ {rng.randint(1, 6)}" if rng.random() < 0.5 else str(rng.randint(1, 6)),
                    rng.choice(["Main Library", "Science Library", ""]),
                    "" if chat else str(7_000_000 + i),
                    str(50_000 + i) if chat else "",
                ]
            )


def bare_pass(path: Path) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for _ in reader:
            count += 1
    return count, time.perf_counter() - start


def table_pass(path: Path) -> tuple[int, float]:
    from rapport.imports.sources import open_table

    start = time.perf_counter()
    count = sum(1 for _ in open_table(path).rows())
    return count, time.perf_counter() - start


def format_pass(path: Path) -> tuple[int, int, float]:
    from rapport.imports.sources import detect, open_table

    start = time.perf_counter()
    table = open_table(path)
    fmt, _ = detect(table)
    assert fmt.name == "libanswers", fmt.name
    count = errors = 0
    for row in fmt.rows(table, fmt.default_mapping(table.headers)):
        count += 1
        errors += bool(row.errors)
    return count, errors, time.perf_counter() - start


def peak_memory(path: Path) -> int:
    from rapport.imports.sources import detect, open_table

    gc.collect()
    tracemalloc.start()
    table = open_table(path)
    fmt, _ = detect(table)
    for _ in fmt.rows(table, fmt.default_mapping(table.headers)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_reading")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    work = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve() / "import-reading"
    work.mkdir(parents=True, exist_ok=True)
    big, small = work / f"libanswers-{args.rows}.csv", work / f"libanswers-{args.rows // 10}.csv"
    for path, rows in ((big, args.rows), (small, args.rows // 10)):
        if not path.exists():
            write_export(path, rows, args.seed)
    size_mb = big.stat().st_size / 1e6
    print(f"LibAnswers export: {args.rows:,} rows, {size_mb:,.0f} MB, {sys.version.split()[0]}")

    bare_n, bare_s = bare_pass(big)
    table_n, table_s = table_pass(big)
    rows_n, errors, rows_s = format_pass(big)
    assert bare_n == table_n == rows_n, (bare_n, table_n, rows_n)
    bare_rate, table_rate, rows_rate = bare_n / bare_s, table_n / table_s, rows_n / rows_s
    print(f"{'pass':<44}{'seconds':>9}{'rows/s':>12}{'vs bare':>9}")
    print(f"{'bare csv.reader':<44}{bare_s:>9.2f}{bare_rate:>12,.0f}{1:>9.2f}")
    print(
        f"{'open_table().rows() (RawRow)':<44}{table_s:>9.2f}{table_rate:>12,.0f}"
        f"{bare_s / table_s:>9.2f}"
    )
    print(
        f"{'+ LibAnswers rows() (typed Row)':<44}{rows_s:>9.2f}{rows_rate:>12,.0f}"
        f"{bare_s / rows_s:>9.2f}"
    )
    verdict = "meets" if rows_rate >= TARGET_ROWS_PER_S else "MISSES"
    print(
        f"target {TARGET_ROWS_PER_S:,} rows/s through both layers: {verdict} ({errors} row errors)"
    )

    small_peak, big_peak = peak_memory(small), peak_memory(big)
    print(
        f"peak traced memory: {small_peak / 1e6:.1f} MB at {args.rows // 10:,} rows, "
        f"{big_peak / 1e6:.1f} MB at {args.rows:,} rows (x{big_peak / small_peak:.2f} for 10x rows)"
    )


if __name__ == "__main__":
    main()
