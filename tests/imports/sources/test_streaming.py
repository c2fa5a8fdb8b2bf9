"""Reading streams: peak memory stays flat while the file grows tenfold (a 2 GB file is not
made here; this shows that its size would not matter)."""

import csv
import gc
import random
import tracemalloc
from pathlib import Path

from rapport.imports.sources import FORMATS, detect, open_table

HEADERS = [
    "Transaction ID", "Date", "Time", "Entered By", "Question", "Answer", "Patron Status",
    "Communication Channel", "Duration", "READ Scale", "Chat ID",
]  # fmt: skip


def libanswers_export(path: Path, rows: int) -> Path:
    rng = random.Random(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for i in range(rows):
            out.writerow(
                [
                    str(100_000 + i),
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"{8 + i % 10:02d}:{rng.randrange(60):02d}:00",
                    rng.choice(["AB", "CD", "EF"]),
                    "Where do I find " + " ".join(rng.choices("abcdefgh", k=30)),
                    "Pointed to the catalogue\nand the subject guide.",
                    rng.choice(["Faculty", "Undergraduate", "Graduate Student"]),
                    rng.choice(["Chat", "Email", "Walk-up"]),
                    rng.choice(["5 min", "0:10", "10-20 minutes"]),
                    f"READ {rng.randint(1, 6)}",
                    str(rng.randrange(10**6)),
                ]
            )
    return path


def peak_while_reading(path: Path) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    try:
        table = open_table(path)
        fmt, _ = detect(table)
        count = sum(1 for _ in fmt.rows(table, fmt.default_mapping(table.headers)))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_is_flat_as_the_file_grows_tenfold(tmp_path):
    small = libanswers_export(tmp_path / "small.csv", 2_000)
    large = libanswers_export(tmp_path / "large.csv", 20_000)
    small_count, small_peak = peak_while_reading(small)
    large_count, large_peak = peak_while_reading(large)
    assert (small_count, large_count) == (2_000, 20_000)
    assert large.stat().st_size > 9 * small.stat().st_size
    # Ten times the rows; the caches are bounded, so the peak barely moves.
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)
    assert large_peak < 2_000_000


def test_pivoting_rows_apart_keeps_memory_flat(tmp_path):
    def long_export(path: Path, transactions: int) -> Path:
        rng = random.Random(transactions)
        lines = [
            [f"T{t}", "03/18/2024", "10:05 AM", "Main", "amy", field, rng.choice("abc")]
            for t in range(transactions)
            for field in ("Patron Type", "Question Type", "Contact Method")
        ]
        rng.shuffle(lines)
        with path.open("w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["Transaction ID", "Date", "Time", "Desk", "User", "Question", "Response"])
            out.writerows(lines)
        return path

    fmt = FORMATS["desktracker_long"]
    peaks = []
    for transactions in (300, 3_000):
        path = long_export(tmp_path / f"long-{transactions}.csv", transactions)
        table = open_table(path)  # reads a bounded head (256 KiB) to sniff, then streams
        gc.collect()
        tracemalloc.start()
        try:
            count = sum(1 for _ in fmt.rows(table, fmt.default_mapping(table.headers)))
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert count == transactions
    assert peaks[1] < 1.5 * peaks[0], peaks
