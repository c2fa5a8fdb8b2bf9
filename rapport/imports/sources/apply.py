"""Raw rows + a mapping → canonical rows: typed values, errors that stop a row, warnings that
do not, and a key that is the same every time the same file is read (converter.py), after the
order of numeric dates is decided from the file's own values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings

from rapport.imports.sources.converter import Converter, Row, content_key
from rapport.imports.sources.mapping import Mapping
from rapport.imports.sources.table import RawRow, Table
from rapport.imports.sources.values import numeric_order_evidence

PRESCAN_ROWS = 10_000  # rows whose dates decide day-first or month-first

__all__ = ["Converter", "Row", "apply_mapping", "content_key", "decide_date_order"]


def apply_mapping(table: Table, mapping: Mapping) -> Iterator[Row]:
    """Canonical rows for every row of the table. Decides the date order first (from up to
    PRESCAN_ROWS rows) and notes the decision in `table.warnings`."""
    order = decide_date_order(table, mapping)
    convert = Converter(table.headers, mapping, order=order, serials=table.is_xlsx)
    return convert.each_record(table.records())


def _evidence(
    table: Table, column: str, rows: Iterable[RawRow] | None
) -> tuple[dict[str, int], dict[str, str], int]:
    """How many of a column's first values can only be day first or month first, an example
    of each, and how many are numeric dates at all."""
    counts = {"dmy": 0, "mdy": 0}
    examples: dict[str, str] = {}
    numeric = 0
    if rows is None:
        at = table.headers.index(column)
        texts = (cells[at] for _, cells, _ in table.records())
    else:
        texts = (raw.values.get(column, "") for raw in rows)
    for text in islice(texts, PRESCAN_ROWS):
        if not text or not text[:1].isdigit() or text[4:5] == "-":
            continue
        numeric += 1
        found = numeric_order_evidence(text)
        if found:
            counts[found] += 1
            examples.setdefault(found, text)
    return counts, examples, numeric


def decide_date_order(table: Table, mapping: Mapping, rows: Iterable[RawRow] | None = None) -> str:
    """'dmy' or 'mdy' for numeric dates such as 05/03/2024, decided from the values when the
    mapping's date format is "auto" (and said in table.warnings)."""
    if mapping.date_format in ("dmy", "mdy"):
        return mapping.date_format
    columns = mapping.columns.get("occurred_at") or []
    fallback = "mdy" if str(settings.TIME_ZONE).startswith("America/") else "dmy"
    if mapping.date_format != "auto" or not columns or columns[0] not in table.headers:
        return fallback
    # The date column first; if it says nothing, the column read when it is empty (a form's
    # Timestamp beside its "Date (if not today)").
    column = columns[0]
    counts, examples, numeric = _evidence(table, column, rows)
    other_column = (mapping.fallbacks.get("occurred_at") or [""])[0]
    if not (counts["dmy"] or counts["mdy"]) and other_column in table.headers and rows is None:
        found = _evidence(table, other_column, None)
        if found[0]["dmy"] or found[0]["mdy"]:
            column, (counts, examples, numeric) = other_column, found
    names = {"dmy": "day first (05/03/2024 is 5 March)", "mdy": "month first (05/03/2024 is May 3)"}
    if counts["dmy"] and counts["mdy"]:
        order = "dmy" if counts["dmy"] >= counts["mdy"] else "mdy"
        other = "mdy" if order == "dmy" else "dmy"
        note = (
            f"Dates in '{column}' are mixed: {counts['dmy']} can only be day first (such as "
            f"'{examples['dmy']}') and {counts['mdy']} only month first (such as "
            f"'{examples['mdy']}'). Read as {names[order]}; the {counts[other]} others are "
            "reported as errors."
        )
    elif counts["dmy"] or counts["mdy"]:
        order = "dmy" if counts["dmy"] else "mdy"
        note = (
            f"Dates in '{column}' read {names[order]}, as values such as '{examples[order]}' show."
        )
    elif numeric:
        order = fallback
        note = (
            f"Dates in '{column}' could be day first or month first; read {names[order]}. "
            "Choose the date format if that is wrong."
        )
    else:
        return fallback
    if note not in table.warnings:
        table.warnings.append(note)
    return order
