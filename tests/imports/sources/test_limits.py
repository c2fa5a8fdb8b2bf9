"""Text files with absurd lines, rows and widths: each is refused or cut with a message, and
reading it holds a row's worth of memory, not the file's. Every file is written here."""

import tracemalloc

import pytest

from benchmarks import hostile_files as hostile
from rapport.imports.engine import CHUNK_CELLS, _chunks
from rapport.imports.sources import Row, Unreadable, open_table
from rapport.imports.sources.table import MAX_COLUMNS

MB = 1024 * 1024


def test_a_row_quoted_over_endless_short_lines_stops_at_four_mb(tmp_path):
    # `"a<newline>",` again and again: no line is long, the one record never ends.
    path = hostile.csv_endless_record(tmp_path / "record.csv", mb=6)

    tracemalloc.start()
    records = list(open_table(path).records())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert records == [
        (1, ["", "", "", ""], [
            "the rest of the file could not be read (a row longer than 4 MB); no rows after "
            "this one"
        ])
    ]  # fmt: skip
    assert peak < 100 * MB


def test_a_row_of_more_cells_than_are_read_is_cut_and_says_so(tmp_path):
    path = tmp_path / "wide-row.csv"
    path.write_text("Timestamp,Question\n2025-01-02 10:00,Hello," + ",".join(["x"] * 5000) + "\n")

    [(number, cells, problems)] = list(open_table(path).records())

    assert (number, len(cells)) == (1, MAX_COLUMNS)
    assert cells[:3] == ["2025-01-02 10:00", "Hello", "x"]
    assert problems[0] == "has more than 1,000 cells; only the first 1,000 were read"


def test_a_heading_wider_than_a_table_read_here_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{n}" for n in range(1_001)) + "\n" + "x\n")

    with pytest.raises(Unreadable) as err:
        open_table(path)

    assert str(err.value) == (
        "The file has 1,001 columns; up to 1,000 are read. It is not an export of touchpoints "
        "or people: choose the file again, or remove the columns nobody needs."
    )


def test_a_first_line_too_long_for_headings_says_so(tmp_path):
    path = hostile.csv_wide(tmp_path / "wide.csv", columns=300_000, rows=1)

    with pytest.raises(Unreadable) as err:
        open_table(path)

    assert str(err.value) == (
        "The file starts with a line longer than 1 MB: it is not a table with a row of headings."
    )


def test_lines_of_a_third_of_a_million_cells_cost_a_line_at_a_time(tmp_path):
    path = hostile.csv_long_lines(tmp_path / "lines.csv", lines=8)

    tracemalloc.start()
    widths = [len(cells) for _, cells, _ in open_table(path).records()]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert widths == [MAX_COLUMNS] * 8
    assert peak < 60 * MB


def test_a_chunk_of_wide_rows_is_cut_short_by_the_cells_it_carries():
    wide = {f"(column {n})": "v" for n in range(400_000)}
    rows = [Row(n, {"details": wide}) for n in range(1, 8)] + [Row(8, {"topic": "x"})]

    sizes = [len(batch) for batch in _chunks(rows, 25_000)]

    assert CHUNK_CELLS == 1_000_000
    assert sizes == [3, 3, 2]
    assert [len(b) for b in _chunks([Row(n, {}) for n in range(5)], 2)] == [2, 2, 1]
