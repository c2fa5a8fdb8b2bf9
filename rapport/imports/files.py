"""A job's file through the readers (`imports.sources`): detection and the preview when the
file is read (a text file while it is uploaded, a workbook by the worker), the mapping checked
against the headings kept then, and the table for a check or run.

Pages never open the file: they show what was kept on the job (`ImportJob.preview`), cells and
values cut short, so a file with absurd cells costs a page nothing.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings

from rapport.errors import Invalid
from rapport.imports.models import ImportJob, Target
from rapport.imports.sources import (
    FORMATS,
    Format,
    Mapping,
    Table,
    Unreadable,
    detect,
    open_table,
)
from rapport.imports.sources.fields import FIELDS_FOR
from rapport.imports.sources.guess import Sample
from rapport.text import bad_character, printable

GENERIC = "generic"
PEOPLE = "people"
PREVIEW_ROWS = 10
DISTINCT_SAMPLE = 500  # rows read for the values a choice column holds
MAX_DISTINCT = 30
DISTINCT_COLUMNS = 200  # columns whose values are kept for mapping
SHOWN = 200  # characters kept of a cell in the preview, and of a value to map


@dataclass
class Found:
    format: str
    score: float
    sheet: str
    sheets: list[str]
    mapping: dict[str, Any]


@dataclass
class Preview:
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    warnings: list[str]
    fields: list[tuple[str, str]]
    choices: dict[str, list[tuple[str, str]]]
    distinct: dict[str, list[str]] = field(default_factory=dict)


def format_choices() -> list[tuple[str, str]]:
    return [(name, f.label) for name, f in FORMATS.items()]


def _format(name: str, target: str | None = None) -> Format:
    fmt = FORMATS.get(name)
    if fmt is None:
        known = ", ".join(FORMATS)
        raise Invalid(f"There is no format “{name}”; known formats: {known}.") from None
    if target and fmt.target != target:
        raise Invalid(
            f"The format “{name}” holds {fmt.target}, not {target}.", {"format": ["Wrong kind."]}
        )
    return fmt


def check_format(format: str, target: str) -> None:
    """Invalid unless `format` (if given) is a known format for `target`."""
    if format:
        _format(format, target)


def is_workbook(path: Path) -> bool:
    """Whether the file is a zip archive (an XLSX workbook, or meant to be): its first bytes
    only; only the worker opens it."""
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def detect_file(
    path: Path, *, target: str, format: str = "", sheet: str = ""
) -> tuple[Found, dict[str, Any]]:
    """Open the file, find its format (or take the one given), propose a mapping, and read
    what the pages will show of it (`read_preview`). Raises Unreadable."""
    table = open_table(path, sheet=sheet or None)
    _refuse_bad_headings(table)
    if format:
        fmt, score = _format(format, target), 1.0
    elif target == Target.PEOPLE:
        fmt, score = _format(PEOPLE), 1.0
    else:
        fmt, score = detect(table)
    shown = read_preview(table)
    mapping = fmt.default_mapping(table.headers, samples(shown))
    found = Found(fmt.name, float(score), table.sheet or "", list(table.sheets), mapping.to_json())
    return found, shown


def samples(shown: dict[str, Any]) -> dict[str, Sample]:
    """What the preview kept of each column, for guessing what it holds."""
    filled: dict[str, int] = shown.get("filled", {})
    rows = int(shown.get("sampled", 0))
    return {
        column: Sample(tuple(values), filled.get(column, len(values)), rows or len(values))
        for column, values in shown.get("distinct", {}).items()
    }


def _short(text: str) -> str:
    """Cut to SHOWN characters, and storable: the preview is kept as JSON, and no database
    keeps a NUL or a lone surrogate (PostgreSQL refuses them), so they are shown as U+FFFD."""
    if len(text) > SHOWN:
        text = text[: SHOWN - 1] + "…"
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    if not text.isascii():
        text = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def read_preview(table: Table) -> dict[str, Any]:
    """The first rows and, for each of the first columns, its most frequent values in the
    first DISTINCT_SAMPLE rows, all cut to SHOWN characters: streamed, one row held at once."""
    headers = table.headers
    rows: list[list[Any]] = []
    counts: dict[str, Counter[str]] = {h: Counter() for h in headers[:DISTINCT_COLUMNS]}
    filled: Counter[str] = Counter()
    sampled = 0
    for raw in islice(table.rows(), DISTINCT_SAMPLE):
        sampled += 1
        if len(rows) < PREVIEW_ROWS:
            rows.append([raw.number, [_short(raw.values.get(h, "")) for h in headers]])
        for column, counter in counts.items():
            value = raw.values.get(column, "")
            if value:
                counter[_short(value)] += 1
                filled[column] += 1
    distinct = {
        column: sorted(v for v, _ in counter.most_common(MAX_DISTINCT))
        for column, counter in counts.items()
        if counter
    }
    return {
        "headers": headers,
        "rows": rows,
        "warnings": list(table.warnings),
        "distinct": distinct,
        "filled": dict(filled),
        "sampled": sampled,
    }


def _refuse_bad_headings(table: Table) -> None:
    """Headings name the columns in the job's mapping and in every row's details, so one that
    no database can store refuses the file (a bad cell only refuses its row)."""
    for position, heading in enumerate(table.headers, start=1):
        problem = bad_character(heading)
        if problem:
            raise Unreadable(
                f"The heading of column {position} (“{printable(heading)}”) contains a "
                f"character that cannot be stored ({problem}). Correct it in the file and "
                "upload it again."
            )


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file.name


def open_job(job: ImportJob) -> tuple[Table, Format, Mapping]:
    """The job's table, format and mapping, ready for `format.rows(table, mapping)`."""
    table = open_table(job_path(job), sheet=job.sheet or None)
    return table, _format(job.format or GENERIC), Mapping.from_json(job.mapping)


NOT_READ = (
    "This file was uploaded before its preview was kept; upload it again to change how it is read."
)


def check_mapping(job: ImportJob, data: dict[str, Any]) -> dict[str, Any]:
    """The mapping as stored JSON, if it fits the file's headings (as kept when it was read);
    else Invalid with every problem."""
    if not job.preview:
        raise Invalid(NOT_READ)
    mapping = Mapping.from_json({**data, "target": job.target})
    problems = mapping.problems(job.headers)
    if problems:
        raise Invalid(" ".join(problems), {"__all__": problems})
    return mapping.to_json()


def preview(job: ImportJob) -> Preview | None:
    """The first rows as the file has them, the fields to map, and the distinct values of
    the columns mapped to fields with fixed values; None until the file has been read. From
    what the job kept: the file is not opened."""
    if not job.preview:
        return None
    specs = FIELDS_FOR[job.target]
    choices = {
        name: [(str(v), str(label)) for v, label in spec.choices]
        for name, spec in specs.items()
        if spec.choices
    }
    kept: dict[str, list[str]] = job.preview.get("distinct", {})
    mapping = Mapping.from_json(job.mapping)
    distinct: dict[str, list[str]] = {}
    for name in choices:
        for column in mapping.columns.get(name, [])[:1]:
            if column in kept:
                distinct[column] = list(kept[column])
    return Preview(
        headers=job.headers,
        rows=[(number, list(cells)) for number, cells in job.preview.get("rows", [])],
        warnings=list(job.preview.get("warnings", [])),
        fields=[(name, spec.label) for name, spec in specs.items() if spec.type != "details"],
        choices=choices,
        distinct=distinct,
    )
