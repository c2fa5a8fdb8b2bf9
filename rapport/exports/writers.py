"""Writing a list as CSV (streamed as it is read) or XLSX (openpyxl's write-only mode, rows
spooled to disk, never held in memory), with a file name that says what and when."""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from rapport.exports.cells import DATETIME_FORMAT, csv_cell, xlsx_value

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"  # so Excel reads the CSV as UTF-8
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"


class _Line:
    """A file-like target for csv.writer that hands back what was just written."""

    def write(self, text: str) -> str:
        return text


def csv_lines(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV text, a line at a time, starting with a byte-order mark."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def write_xlsx(target: Any, title: str, headers: list[str], rows: Iterable[list[Any]]) -> None:
    """Write a one-sheet workbook to `target` (a path or a binary file)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    book.save(target)


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    value = xlsx_value(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: never read as a formula
    elif isinstance(value, dt.datetime):
        cell.number_format = XLSX_DATETIME
    elif isinstance(value, dt.date):
        cell.number_format = XLSX_DATE
    return cell


def file_name(name: str, label: str, fmt: str) -> str:
    parts = ["rapport", name, slugify(label)[:60], timezone.localdate().isoformat()]
    return "-".join(p for p in parts if p) + f".{fmt}"


def respond(
    fmt: str, *, name: str, label: str, title: str, headers: list[str], rows: Iterable[list[Any]]
) -> StreamingHttpResponse | FileResponse:
    filename = file_name(name, label, fmt)
    if fmt == "csv":
        lines = (line.encode("utf-8") for line in csv_lines(headers, rows))
        response = StreamingHttpResponse(lines, content_type=FORMATS["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # Closed by FileResponse once sent; deleted by the system when closed.
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(spool, title, headers, rows)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=FORMATS[fmt])


__all__ = ["DATETIME_FORMAT", "FORMATS", "csv_lines", "respond", "write_xlsx"]
