"""A job's file through the readers (`imports.sources`): detection at upload, the preview and
the values to map, the mapping checked against the headers, and the table for a check or run."""

from collections import Counter
from dataclasses import dataclass, field
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
from rapport.text import bad_character, printable

GENERIC = "generic"
PEOPLE = "people"
PREVIEW_ROWS = 10
DISTINCT_SAMPLE = 500  # rows read for the values a choice column holds
MAX_DISTINCT = 30


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


def detect_file(path: Path, *, target: str, format: str = "", sheet: str = "") -> Found:
    """Open the file, find its format (or take the one given) and propose a mapping."""
    table = open_table(path, sheet=sheet or None)
    _refuse_bad_headings(table)
    if format:
        fmt, score = _format(format, target), 1.0
    elif target == Target.PEOPLE:
        fmt, score = _format(PEOPLE), 1.0
    else:
        fmt, score = detect(table)
    mapping = fmt.default_mapping(table.headers)
    return Found(fmt.name, float(score), table.sheet or "", list(table.sheets), mapping.to_json())


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


def check_mapping(job: ImportJob, data: dict[str, Any]) -> dict[str, Any]:
    """The mapping as stored JSON, if it fits the file; else Invalid with every problem."""
    table, _, _ = open_job(job)
    mapping = Mapping.from_json({**data, "target": job.target})
    problems = mapping.problems(table.headers)
    if problems:
        raise Invalid(" ".join(problems), {"__all__": problems})
    return mapping.to_json()


def preview(job: ImportJob) -> Preview:
    """The first rows as the file has them, the fields to map, and the distinct values of
    the columns mapped to fields with fixed values."""
    table, _, mapping = open_job(job)
    specs = FIELDS_FOR[job.target]
    sample = table.sample(DISTINCT_SAMPLE)
    # Shown, not stored: a cell that cannot be stored is marked (its row is refused when run).
    rows = [
        (r.number, [printable(r.values.get(h, "")) for h in table.headers])
        for r in sample[:PREVIEW_ROWS]
    ]
    choices = {
        name: [(str(v), str(label)) for v, label in spec.choices]
        for name, spec in specs.items()
        if spec.choices
    }
    distinct: dict[str, list[str]] = {}
    for name in choices:
        for column in mapping.columns.get(name, [])[:1]:
            counts = Counter(r.values.get(column, "") for r in sample)
            common = counts.most_common(MAX_DISTINCT)
            distinct[column] = sorted(printable(v) for v, _ in common if v)
    return Preview(
        headers=table.headers,
        rows=rows,
        warnings=list(table.warnings),
        fields=[(name, spec.label) for name, spec in specs.items() if spec.type != "details"],
        choices=choices,
        distinct=distinct,
    )
