"""XLSX workbooks read with openpyxl in read-only mode: rows streamed, one sheet at a time,
each opening preceded by the archive's check (`archive.check_workbook`: no zip bomb, nothing
openpyxl would hold larger than a spreadsheet writes).

Cells become text the way a librarian would type them: dates as ISO ("2024-03-05 14:30:00"),
whole numbers without ".0". A date kept as a plain number (an Excel serial) stays a number
here; the date reader accepts serials for workbooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from rapport.imports.sources.archive import DAMAGED, check_workbook
from rapport.imports.sources.table import (
    BROKEN,
    Mark,
    Table,
    Unreadable,
    refuse_wide,
    unique_headers,
)

SCAN_ROWS = 1000  # rows looked at for the headings before a sheet counts as empty


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    check_workbook(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a damaged archive
        raise Unreadable(DAMAGED) from err


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.microsecond:
            value = value.replace(microsecond=0)
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.timedelta):
        minutes = round(value.total_seconds() / 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_cells(path: Path, sheet: str) -> Iterator[list[str]]:
    workbook = _load(path)
    try:
        for row in workbook[sheet].iter_rows(values_only=True):
            yield [cell_text(v) for v in row]
    except Exception as err:  # a damaged sheet part: the rows before it stand
        yield [Mark(f"the rest of the sheet is damaged: {type(err).__name__}"), BROKEN]
    finally:
        workbook.close()


def _first_row(workbook: Any, name: str) -> tuple[int, list[str]] | None:
    rows = workbook[name].iter_rows(values_only=True)
    for index, row in enumerate(islice(rows, SCAN_ROWS)):
        cells = [cell_text(v) for v in row]
        if any(c.strip() for c in cells):
            while cells and not cells[-1].strip():
                cells.pop()
            return index, cells
    return None


def open_xlsx(path: Path, sheet: str | None) -> Table:
    workbook = _load(path)
    try:
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise Unreadable(
                f"There is no sheet '{sheet}' in this workbook. Its sheets are: "
                + ", ".join(f"'{n}'" for n in names)
                + "."
            )
        candidates = [sheet] if sheet is not None else names
        found = None
        for name in candidates:
            found = _first_row(workbook, name)
            if found is not None:
                sheet = name
                break
    finally:
        workbook.close()
    if found is None or sheet is None:
        where = f"The sheet '{sheet}'" if sheet is not None and len(names) > 1 else "The workbook"
        raise Unreadable(f"{where} has no data.")
    warnings: list[str] = []
    skip, cells = found
    refuse_wide(len(cells))
    headers = unique_headers(cells, warnings)
    if len(names) > 1:
        others = ", ".join(f"'{n}'" for n in names if n != sheet)
        warnings.insert(
            0, f"The workbook has {len(names)} sheets; read '{sheet}' (others: {others})."
        )
    return Table(
        path=path,
        headers=headers,
        encoding=None,
        delimiter=None,
        sheets=names,
        sheet=sheet,
        warnings=warnings,
        skip=skip,
    )
