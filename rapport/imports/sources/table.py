"""A file from another system as a table: headers and streamed rows, whatever its encoding,
delimiter or container (CSV, TSV, semicolon-separated, XLSX).

Nothing here loads the whole file: the first 256 KiB are read to decide the encoding and the
delimiter, then rows are read one at a time. Every call to `Table.rows()` opens the file again,
so a table can be read more than once (a check, then a run). Only a file that cannot be read at
all raises `Unreadable`; a bad row is yielded with its problems.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TextIO

from rapport.imports.sources.errors import Unreadable
from rapport.imports.sources.sniff import (
    DELIMITER_NAMES,
    DELIMITERS,
    SNIFF_BYTES,
    check_encoding,
    decode_head,
    detect_encoding,
    refuse_non_tables,
    sniff_delimiter,
)

MAX_CELL = 1024 * 1024  # a cell larger than this is damage (a run of zero bytes), not data
MAX_ROW = 4 * MAX_CELL  # a row's text, over all its lines (quoted line breaks)
MAX_COLUMNS = 1_000  # headings, and cells read of a row: wider is not an export
STOPPED = "the rest of the file could not be read"

# The limit is the csv module's, for the whole process: only ever raised (from 128 KiB), so
# other readers keep working, and bounded, so a damaged file cannot fill the memory.
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))


Record = tuple[int, list[str], list[str]]  # number, cells by heading (then extras), problems


@dataclass(slots=True)
class RawRow:
    number: int  # 1-based data row: the first row under the headings is 1
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)


@dataclass
class Table:
    path: Path
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    skip: int = 0  # rows before the headings (blank lines, a title)

    @property
    def is_xlsx(self) -> bool:
        return self.sheet is not None

    def rows(self) -> Iterator[RawRow]:
        """Every data row, streamed from the file (opened again on each call)."""
        headers = self.headers
        return (_raw_row(headers, record) for record in self.records())

    def records(self) -> Iterator[Record]:
        """The rows as (number, cells in heading order, problems): what `rows()` is made of,
        for readers that go by position (converter.py)."""
        if self.is_xlsx:
            from rapport.imports.sources.xlsx import xlsx_cells

            cells = xlsx_cells(self.path, self.sheet or "")
            return _records(len(self.headers), islice(cells, self.skip + 1, None), xlsx=True)
        return _csv_records(self)

    def sample(self, n: int = 20) -> list[RawRow]:
        return list(islice(self.rows(), n))


def open_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Open a CSV/TSV/semicolon file (encoding and delimiter sniffed unless given) or an XLSX
    workbook (`sheet`, else the first sheet with data). Raises Unreadable."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as err:
        raise Unreadable(f"The file could not be opened ({err.strerror or err}).") from err
    if not head.strip():
        raise Unreadable("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        from rapport.imports.sources.xlsx import open_xlsx

        return open_xlsx(path, sheet)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            "This is an old Excel file (.xls). Open it in a spreadsheet and save it as .xlsx "
            "or CSV, then import that."
        )
    warnings: list[str] = []
    encoding = check_encoding(encoding) if encoding else detect_encoding(head, warnings)
    text = decode_head(head, encoding)
    refuse_non_tables(text)
    if delimiter:
        if len(delimiter) != 1:
            raise Unreadable("The delimiter must be a single character.")
    else:
        delimiter = sniff_delimiter(text)
    table = Table(path=path, headers=[], encoding=encoding, delimiter=delimiter, warnings=warnings)
    first: list[str] | None = None
    for index, cells in enumerate(_heading_cells(path, encoding, delimiter)):
        if any(c.strip() for c in cells):
            first, table.skip = cells, index
            break
        if index > 1000:
            break
    if first is None:
        raise Unreadable("The file has no rows, only blank lines.")
    refuse_wide(len(first))
    table.headers = unique_headers(first, warnings)
    if len(table.headers) == 1 and not delimiter_given(delimiter, text):
        others = [d for d in DELIMITERS if d != delimiter and d in first[0]]
        if others:
            warnings.append(
                f"Only one column was found using the {DELIMITER_NAMES.get(delimiter, delimiter)} "
                f"as separator, but the headings contain a {DELIMITER_NAMES[others[0]]}: "
                "choose that separator if the columns look wrong."
            )
    return table


def refuse_wide(columns: int) -> None:
    """Unreadable if a file has more headings than a table read here may."""
    if columns > MAX_COLUMNS:
        raise Unreadable(
            f"The file has {columns:,} columns; up to {MAX_COLUMNS:,} are read. It is not an "
            "export of touchpoints or people: choose the file again, or remove the columns "
            "nobody needs."
        )


def delimiter_given(delimiter: str, text: str) -> bool:
    """Whether the first line holds the delimiter at all (one column is then real)."""
    return delimiter in text.split("\n", 1)[0]


def unique_headers(cells: list[str], warnings: list[str]) -> list[str]:
    """Strip the headings, name empty ones after their position, and number repeats:
    "Tags", "Tags" → "Tags", "Tags (2)"."""
    headers: list[str] = []
    seen: set[str] = set()
    renamed: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = " ".join(str(cell).replace("\ufeff", "").split()) or f"Column {position}"
        if name.casefold() in seen:
            n = 2
            while f"{name} ({n})".casefold() in seen:
                n += 1
            renamed.append(f"'{name}' → '{name} ({n})'")
            name = f"{name} ({n})"
        seen.add(name.casefold())
        headers.append(name)
    if renamed:
        warnings.append("Repeated headings were numbered: " + ", ".join(renamed) + ".")
    return headers


def _csv_records(table: Table) -> Iterator[Record]:
    encoding, delimiter = table.encoding or "utf-8", table.delimiter or ","
    handler = _replacement_handler()
    with table.path.open("r", encoding=encoding, errors=handler, newline="") as f:
        cells = islice(_csv_rows(f, delimiter), table.skip + 1, None)
        yield from _records(len(table.headers), cells, xlsx=False, replaced=_Replaced.count)


def _records(
    width: int, cells_iter: Iterator[list[str]], *, xlsx: bool, replaced: int = 0
) -> Iterator[Record]:
    """(number, cells, problems) for every row with something in it: cells stripped, padded
    to the headings' width; cells beyond it (a ragged row) follow, and a problem says so.
    `replaced`: the count of undecodable bytes when the file was opened (more: look for them)."""
    number = 0
    try:
        for number, cells in enumerate(cells_iter, start=1):
            if len(cells) > MAX_COLUMNS:
                cells = _cut(cells)
            if _Replaced.count != replaced and any("\ufffd" in c for c in cells):
                cells.append(BAD_BYTES)
            if len(cells) == width:
                stripped = list(map(str.strip, cells))
                if any(stripped):
                    yield number, stripped, []
                continue
            record = _odd_record(number, cells, width, xlsx)
            if record is not None:
                yield record
                if record[2] and record[2][-1].startswith(STOPPED):
                    return
    except csv.Error as err:
        yield number + 1, [""] * width, [f"{STOPPED} ({err}); no rows after this one"]
    except _TooLong as err:
        yield number + 1, [""] * width, [f"{STOPPED} ({err}); no rows after this one"]


def _odd_record(number: int, cells: list[str], width: int, xlsx: bool) -> Record | None:
    """A row whose cells do not match the headings (or carry a mark), with its problems."""
    problems: list[str] = []
    if cells and cells[-1] is BROKEN:
        return number, [""] * width, [f"{STOPPED} ({cells[0]}); no rows after this one"]
    if cells and cells[-1] is BAD_BYTES:
        cells.pop()
        problems.append("has characters the file's encoding cannot show (shown as \ufffd)")
    if cells and cells[-1] is CUT:
        cells.pop()
        problems.append(
            f"has more than {MAX_COLUMNS:,} cells; only the first {MAX_COLUMNS:,} were read"
        )
    stripped = [c.strip() for c in cells]
    if xlsx or len(stripped) > width:
        # Spreadsheets pad rows with empty cells; only cells with something in them count.
        while len(stripped) > width and not stripped[-1]:
            stripped.pop()
    if not any(stripped):
        return None
    if len(stripped) > width:
        extra = stripped[width:]
        problems.append(
            f"has {len(stripped)} cells, the headings have {width}: the extra "
            + ("cell " if len(extra) == 1 else "cells ")
            + ", ".join(f"'{_short(c)}'" for c in extra if c)
            + " kept in details"
        )
    elif len(stripped) < width and not xlsx:
        problems.append(f"has {len(stripped)} cells, the headings have {width}")
    stripped.extend([""] * (width - len(stripped)))
    return number, stripped, problems


def _raw_row(headers: list[str], record: Record) -> RawRow:
    number, cells, problems = record
    values = dict(zip(headers, cells))  # noqa: B905 (extra cells are named below)
    for position in range(len(headers), len(cells)):
        if cells[position]:
            values[f"(column {position + 1})"] = cells[position]
    return RawRow(number, values, problems)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Mark(str):
    """Appended to a row's cells to flag it; never equal to a real cell by identity."""


BAD_BYTES = Mark("bad bytes")
BROKEN = Mark("broken")
CUT = Mark("cut")


def _cut(cells: list[str]) -> list[str]:
    """The first MAX_COLUMNS cells of a row that has more, marked: a row of a third of a
    million cells would otherwise be carried whole (in its details) to the database."""
    kept = cells[:MAX_COLUMNS]
    kept.append(CUT)
    return kept


class _TooLong(Exception):
    """A line or a row past its limit; str(err) says which."""


class _Lines:
    """The file's lines, none longer than MAX_CELL, and no row (its lines together, when a
    quoted cell spans line breaks) longer than MAX_ROW: a file that is one endless line (a run
    of zero bytes from a damaged download) or one endless quoted row stops here instead of
    filling the memory. The reader of rows calls `next_row()` after each row."""

    def __init__(self, f: TextIO) -> None:
        self.readline = f.readline
        self.row = 0  # characters of the row being read

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.readline(MAX_CELL)
        if not line:
            raise StopIteration
        if len(line) == MAX_CELL and line[-1] != "\n":
            raise _TooLong(f"a line longer than {MAX_CELL // 1024 // 1024} MB")
        self.row += len(line)
        if self.row > MAX_ROW:
            raise _TooLong(f"a row longer than {MAX_ROW // 1024 // 1024} MB")
        return line

    def rows(self, reader: Iterator[list[str]]) -> Iterator[list[str]]:
        for cells in reader:
            self.row = 0
            yield cells


def _csv_rows(f: TextIO, delimiter: str) -> Iterator[list[str]]:
    lines = _Lines(f)
    return lines.rows(csv.reader(lines, delimiter=delimiter))


def _heading_cells(path: Path, encoding: str, delimiter: str) -> Iterator[list[str]]:
    """The first rows' cells, to find the headings; a line too long for a heading is refused,
    while a file damaged later just ends early here."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        number = 0
        try:
            for number, cells in enumerate(_csv_rows(f, delimiter), start=1):  # noqa: B007
                yield cells
        except csv.Error:
            return
        except _TooLong as err:
            if number == 0:
                raise Unreadable(
                    f"The file starts with {err}: it is not a table with a row of headings."
                ) from None
            return


class _Replaced:
    count = 0


def _replacement_handler() -> str:
    name = "rapport-replace"
    try:
        codecs.lookup_error(name)
    except LookupError:
        codecs.register_error(name, _replace)
    return name


def _replace(err: UnicodeError) -> tuple[str, int]:
    """Put U+FFFD for bytes the encoding cannot decode, and count them."""
    _Replaced.count += 1
    return "\ufffd", getattr(err, "end", 0)
