"""Text the databases cannot store, refused wherever text comes in.

Two kinds of character break a write. PostgreSQL refuses a NUL byte in any text or JSON column
(SQLite would keep it, so the same input must be refused on both, not stored on one). A lone
surrogate (U+D800–U+DFFF without its pair: JSON's "\\ud800", or a file name the operating
system could not decode) has no UTF-8 form at all, so neither database driver can send it.
Everything else Python holds as text both databases keep exactly (a property test proves it).

One check, used at every way in: `rapport.middleware` for every web page and API request
(query string, form fields, JSON bodies, the address itself), and the services and importers
for what arrives without a request (a capture line from the command line, a spreadsheet's
cells, the text of vCards, calendars and bibliographies). Pure Python, no models, so the
readers can use it too.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rapport.errors import Invalid

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    """Whether both databases can store `text`. Fast (a tenth of a regular expression's time
    on a spreadsheet row): importers call it on every row."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")  # fails on a lone surrogate, and only then
    except UnicodeEncodeError:
        return False
    return True


def bad_character(text: str) -> str | None:
    """What is wrong with `text`, in words ("a NUL byte"), or None when it can be stored."""
    if is_storable(text):
        return None
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "a NUL byte"
    return f"a lone surrogate, U+{ord(char):04X}"


def printable(text: str) -> str:
    """`text` with every character that cannot be stored shown as U+FFFD, so a message or a
    page that names it (a field's name, a file's name) can itself be stored and sent."""
    return UNSTORABLE.sub("\ufffd", text)


def bad_text_message(problem: str, field: str | None) -> str:
    """The sentence a librarian reads; `field` None means the web address itself."""
    where = f"in “{printable(field)}”" if field is not None else "in the address"
    return f"The text contains a character that cannot be stored ({problem}) {where}."


def find_bad_text(value: Any, field: str = "") -> tuple[str, str] | None:
    """The first (field, problem) in a text or in nested dicts and lists of them (parsed JSON,
    keys included), or None. Fields are dotted paths: "people.0", "details.Room"."""
    stack: list[tuple[str, Any]] = [(field, value)]
    while stack:  # not recursive: JSON may nest deeper than Python's stack
        path, item = stack.pop()
        if isinstance(item, str):
            problem = bad_character(item)
            if problem:
                return path, problem
        elif isinstance(item, Mapping):
            children: list[tuple[str, Any]] = []
            for key, child in item.items():
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := bad_character(key)):
                    return name, problem
                children.append((name, child))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(
                reversed([(f"{path}.{i}" if path else str(i), x) for i, x in enumerate(item)])
            )
    return None


def first_bad_text(fields: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[str, str] | None:
    """(field, message) for the first field whose text cannot be stored, or None. Values may
    be texts, lists or dicts of them; anything else is left alone."""
    items = fields.items() if isinstance(fields, Mapping) else fields
    for name, value in items:
        found = find_bad_text(value, name)
        if found:
            field, problem = found
            return printable(field), bad_text_message(problem, field)
    return None


def refuse_bad_text(fields: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Raise Invalid, naming the field, when any of these values cannot be stored."""
    found = first_bad_text(fields)
    if found:
        field, message = found
        raise Invalid(message, {field: [message]})
