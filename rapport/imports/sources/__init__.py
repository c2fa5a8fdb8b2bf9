"""Reading other systems' files into canonical rows, for the import jobs.

    table = open_table(path)                  # CSV/TSV/XLSX; raises Unreadable
    fmt, score = detect(table)                # LibAnswers, Gimlet, …, or generic
    mapping = fmt.default_mapping(table.headers)
    for row in fmt.rows(table, mapping):      # streamed; row.errors / row.warnings
        ...

Pure Python, no models and no database. See docs/import-formats.md.
"""

from rapport.imports.sources.apply import Row, apply_mapping
from rapport.imports.sources.fields import PERSON_FIELDS, TOUCHPOINT_FIELDS, FieldSpec
from rapport.imports.sources.formats import FORMATS, Format, detect
from rapport.imports.sources.mapping import Mapping, suggest_mapping
from rapport.imports.sources.table import RawRow, Table, Unreadable, open_table

__all__ = [
    "FORMATS",
    "PERSON_FIELDS",
    "TOUCHPOINT_FIELDS",
    "FieldSpec",
    "Format",
    "Mapping",
    "RawRow",
    "Row",
    "Table",
    "Unreadable",
    "apply_mapping",
    "detect",
    "open_table",
    "suggest_mapping",
]
