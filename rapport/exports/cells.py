"""One cell of an export: how each Python value is written, and the guard against formulas.

A spreadsheet treats a cell that starts with = + - @ (or a tab or carriage return, which some
spreadsheets strip first) as a formula: a name such as ``=HYPERLINK(...)`` typed into Rapport
would run on the reader's machine. As OWASP recommends for CSV, such text is written with a
leading apostrophe, which spreadsheets show as plain text. Text that itself starts with an
apostrophe gets one more, so `unescape_cell` can always undo the guard exactly.
XLSX cells are typed: text is stored as a string cell, never a formula, so it needs no guard.
"""

import datetime as dt
import re
from typing import Any

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"
LIST_SEPARATOR = "; "
#: Excel refuses a cell longer than this.
XLSX_MAX_TEXT = 32_767
# Control characters XML 1.0 cannot hold (openpyxl refuses them); tab, LF and CR are allowed.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_cell(text: str) -> str:
    """Text made safe to open in a spreadsheet."""
    if text.startswith((*FORMULA_STARTS, GUARD)):
        return GUARD + text
    return text


def unescape_cell(text: str) -> str:
    """The text as it was before `escape_cell`: what the project's CSV reading should use."""
    return text[1:] if text.startswith(GUARD) else text


def plain(value: Any) -> Any:
    """A value reduced to what a cell holds: text, a number, a date or a local date-time."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def csv_cell(value: Any) -> str:
    value = plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return escape_cell(str(value))


def xlsx_value(value: Any) -> Any:
    """The value for an XLSX cell; text loses only what XML cannot hold, and is cut at
    Excel's limit."""
    value = plain(value)
    if isinstance(value, (int, float, dt.date)):
        return value
    return XML_ILLEGAL.sub("", str(value))[:XLSX_MAX_TEXT]
