"""BibTeX and BibLaTeX files as exported by Zotero, Mendeley, JabRef, Scopus and Web of Science.

bibtexparser splits the file into blocks and fields; Rapport evaluates the values itself so it
can resolve @string macros joined with #, notice a missing comma between two fields (and skip
an empty one: `, ,`), and turn TeX into the Unicode a reader expects (`tex.py`). A broken entry
becomes a problem; the rest of the file is still read.
"""

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from rapport.awareness.formats.records import ParseResult, Problem, Record
from rapport.awareness.formats.tex import tex_to_text, without_html
from rapport.awareness.formats.text import (
    arxiv_id_from,
    clean_abstract,
    clean_title,
    date_from_text,
    decode_bytes,
    doi_in_text,
    make_date,
    month_number,
    normalise_doi,
    one_line,
    refused_link,
    unique,
    web_link,
)

# The splitter logs every broken block; Rapport reports them as problems instead, so the logs
# of a server importing a messy file stay readable.
logging.getLogger("bibtexparser.splitter").addFilter(
    lambda record: record.levelno < logging.WARNING
)

_FIELD_START = re.compile(r"^([A-Za-z][\w\-:.+]*)\s*=\s*", re.S)
_KINDS = {"dataset": "dataset", "data": "dataset", "software": "tool"}
_PREPRINT_TYPES = {"unpublished", "misc", "online", "preprint", "techreport", "report"}
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "series")


@dataclass
class _Piece:
    text: str
    bare: bool


def _pieces(raw: str) -> tuple[list[_Piece], str]:
    """A field's raw value as its #-joined pieces, and any text left after the last piece
    (which, in a hand-edited file, is usually the next field after a missing comma)."""
    pieces: list[_Piece] = []
    i, n = 0, len(raw)
    while i < n:
        while i < n and raw[i].isspace():
            i += 1
        if i >= n:
            break
        start = i
        if raw[i] == "{":
            depth = 0
            while i < n:
                depth += {"{": 1, "}": -1}.get(raw[i], 0)
                i += 1
                if depth == 0:
                    break
            pieces.append(_Piece(raw[start + 1 : i - 1 if depth == 0 else n], bare=False))
        elif raw[i] == '"':
            i += 1
            depth = 0
            while i < n and not (raw[i] == '"' and depth == 0):
                depth += {"{": 1, "}": -1}.get(raw[i], 0)
                i += 1
            pieces.append(_Piece(raw[start + 1 : i], bare=False))
            i += 1
        else:
            while i < n and not raw[i].isspace() and raw[i] != "#":
                i += 1
            pieces.append(_Piece(raw[start:i], bare=True))
        while i < n and raw[i].isspace():
            i += 1
        if i < n and raw[i] == "#":
            i += 1
            continue
        if i < n:
            return pieces, raw[i:]
    return pieces, ""


def _split_fields(key: str, raw: str) -> list[tuple[str, str]]:
    """One parsed field, or several when commas between fields were missing."""
    fields = []
    while True:
        _, rest = _pieces(raw)
        nxt = _FIELD_START.match(rest)
        if not nxt:
            fields.append((key, raw))
            return fields
        fields.append((key, raw[: len(raw) - len(rest)]))
        key, raw = nxt.group(1), rest[nxt.end() :]


class _Evaluator:
    """Turns raw values into text, remembering the file's @string macros."""

    def __init__(self) -> None:
        self.macros: dict[str, str] = {}
        self.unknown: set[str] = set()

    def value(self, raw: str) -> str:
        pieces, _rest = _pieces(raw)
        parts = []
        for piece in pieces:
            if not piece.bare or piece.text.isdigit():
                parts.append(piece.text)
            elif piece.text.casefold() in self.macros:
                parts.append(self.macros[piece.text.casefold()])
            else:  # an unknown macro is kept as written, and reported unless it is a month
                if month_number(piece.text) is None:  # BibTeX predefines jan, feb, …
                    self.unknown.add(piece.text)
                parts.append(piece.text)
        return "".join(parts)


def _title(values: dict[str, str]) -> str:
    """The title as a reader would cite it: biblatex's subtitle joined with a colon, and the
    titleaddon when there is nothing else. HTML some managers export (<i>…</i>) is dropped
    before the TeX is read, so a `<` in maths stays a character."""

    def text(name: str) -> str:
        return one_line(tex_to_text(without_html(values.get(name, ""))))

    title, subtitle = text("title"), text("subtitle")
    if title and subtitle:
        title = f"{title}{' ' if title[-1] in ':.?!' else ': '}{subtitle}"
    return clean_title(title or subtitle or text("titleaddon"), markup=False)


def _names(raw_value: str) -> list[str]:
    names = []
    for one in split_multiple_persons_names(raw_value):
        if one.strip().casefold() == "others":
            continue
        try:
            parts = parse_single_name_into_parts(one, strict=False)
            words = [*parts.first, *parts.von, *parts.last]
            name = " ".join(words) + (", " + " ".join(parts.jr) if parts.jr else "")
        except Exception:  # an unbalanced name; keep it whole rather than lose it
            name = one
        name = one_line(tex_to_text(name))
        if name:
            names.append(name)
    return names


def _entry_record(entry: model.Entry, values: dict[str, str], raws: dict[str, str]) -> Record:
    def text(name: str) -> str:
        return one_line(tex_to_text(values.get(name, "")))

    def plain(name: str) -> str:  # URLs and ids: no LaTeX decoding, braces dropped
        return one_line(values.get(name, "").replace("{", "").replace("}", ""))

    entry_type = entry.entry_type.casefold()
    url = plain("url")
    if not url and "\\url" in values.get("howpublished", ""):
        url = re.sub(r".*\\url\{([^}]*)\}.*", r"\1", values["howpublished"], flags=re.S)
    doi = normalise_doi(plain("doi")) or doi_in_text(url) or doi_in_text(values.get("note", ""))
    venue = next((text(name) for name in _VENUE_FIELDS if values.get(name, "").strip()), "")
    eprint_type = (plain("archiveprefix") or plain("eprinttype")).casefold()
    arxiv = ""
    if plain("eprint") and (eprint_type == "arxiv" or not eprint_type):
        arxiv = arxiv_id_from(plain("eprint"))
    arxiv = arxiv or arxiv_id_from(url) or arxiv_id_from(venue) or arxiv_id_from(doi)
    kind = _KINDS.get(entry_type, "article")
    if arxiv and (entry_type in _PREPRINT_TYPES or not venue or "arxiv" in venue.casefold()):
        kind = "preprint"
    published = date_from_text(plain("date")) if values.get("date") else None
    year = re.search(r"\d{4}", plain("year"))
    if published is None and year:
        published = make_date(year.group(0), plain("month") or None, plain("day") or None)
    author_field = "author" if raws.get("author", "").strip() else "editor"
    keywords = unique(
        [
            one_line(k)
            for name in ("keywords", "keyword", "mendeley-tags")
            for k in re.split(r"[;,]", text(name))
        ]
    )
    return Record(
        title=_title(values),
        abstract=clean_abstract(tex_to_text(values.get("abstract", ""))),
        authors=_names(values.get(author_field, "")),
        venue=venue,
        published_on=published,
        link=web_link(url)
        or (f"https://doi.org/{doi}" if doi else "")
        or (f"https://arxiv.org/abs/{arxiv}" if arxiv else ""),
        doi=doi,
        arxiv_id=arxiv,
        keywords=keywords,
        kind=kind,
        external_id=entry.key,
        refused_link=refused_link([url]),
    )


def _error_message(block: model.ParsingFailedBlock) -> str:
    error = getattr(block.error, "abort_reason", "") or str(block.error)
    if "closing" in error or "Unexpected block start" in error:
        return "This entry is not closed (a brace or quote is missing); it was skipped."
    if "comma after entry key" in error:
        return "This entry has no key or no comma after its key; it was skipped."
    if "end of file" in error:
        return "The file ends in the middle of this entry; it was skipped."
    return "This entry could not be read and was skipped."


_KEY_WITHOUT_COMMA = re.compile(r"^(\s*@\w+\s*[{(]\s*[^\s,={}()]+)(\s+)(?=[A-Za-z][\w\-]*\s*=)")
_NO_KEY = re.compile(r"^(\s*@\w+\s*[{(])(\s*)(?=[A-Za-z][\w\-]*\s*=)")


def _salvage(block: model.ParsingFailedBlock, text: str, number: int) -> model.Entry | None:
    """The entry again after adding the comma or key that the parser missed, when that is
    what went wrong."""
    error = getattr(block.error, "abort_reason", "")
    if "comma after entry key" not in error:
        return None
    repaired = _KEY_WITHOUT_COMMA.sub(r"\1,\2", text, count=1)
    if repaired == text:
        repaired = _NO_KEY.sub(rf"\1entry{number},\2", text, count=1)
    if repaired == text:
        return None
    again = bibtexparser.parse_string(repaired, parse_stack=[])
    return again.entries[0] if len(again.entries) == 1 and not again.failed_blocks else None


_ENTRY_START = re.compile(r"@\s*[A-Za-z]+\s*[{(]")
_MORE_COMMAS = re.compile(r"(?:\s*,)+")


def _without_empty_fields(text: str) -> str:
    """The text with the stray commas of empty fields (`title = {…}, , year = …`, `{key,,`)
    dropped, which the parser would otherwise take for a broken entry; only between an entry's
    fields, never inside a value. Line breaks are kept, so line numbers stay right."""
    if not re.search(r",\s*,", text):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        start = _ENTRY_START.search(text, i)
        if start is None:
            break
        out.append(text[i : start.end()])
        i, depth, quoted = start.end(), 1, False
        while i < n and depth:
            ch = text[i]
            if ch == "\\" and depth > 1:
                out.append(text[i : i + 2])
                i += 2
                continue
            if ch == '"' and depth == 1:
                quoted = not quoted
            elif ch in "{(" and not quoted:
                depth += 1
            elif ch in "})" and not quoted:
                depth -= 1
            elif ch == "," and depth == 1 and not quoted:
                after = _MORE_COMMAS.match(text, i + 1)
                if after:  # keep the whitespace, drop the commas that end the empty fields
                    out.append("," + after.group(0).replace(",", ""))
                    i = after.end()
                    continue
            out.append(ch)
            i += 1
    out.append(text[i:])
    return "".join(out)


def parse_bibtex(data: bytes) -> ParseResult:
    """Records from a BibTeX or BibLaTeX file, with a problem for each entry it had to skip."""
    decoded = decode_bytes(data)
    result = ParseResult("bibtex", problems=list(decoded.problems))
    text = _without_empty_fields(decoded.text)
    library = bibtexparser.parse_string(text, parse_stack=[])
    lines = text.splitlines(keepends=True)
    # Where each block's text ends: at the next block that is not loose text, because the
    # parser leaves the rest of a broken entry behind as a comment.
    ends = [len(lines)] * len(library.blocks)
    for index in range(len(library.blocks) - 2, -1, -1):
        following = library.blocks[index + 1]
        ends[index] = (
            ends[index + 1]
            if isinstance(following, model.ImplicitComment)
            else following.start_line or 0
        )
    evaluator = _Evaluator()
    found: list[_Found] = []
    for index, block in enumerate(library.blocks):
        if isinstance(block, model.String):
            evaluator.macros[block.key.casefold()] = evaluator.value(block.value)
            continue
        raw = (block.raw or "").lstrip().lower()
        failed_entry = raw.startswith("@") and not raw.startswith(
            ("@string", "@comment", "@preamble")
        )
        ignored = getattr(block, "ignore_error_block", None)
        if isinstance(block, model.ParsingFailedBlock) and isinstance(ignored, model.Entry):
            # A duplicate key or field: the entry itself is fine, keep it.
            block = ignored
        number = len(found) + 1
        if isinstance(block, model.Entry):
            found.append(_evaluate(block, number, evaluator))
        elif failed_entry and isinstance(block, model.ParsingFailedBlock):
            line = (block.start_line or 0) + 1
            text = "".join(lines[line - 1 : max(ends[index], line)])
            repaired = _salvage(block, text, number)
            if repaired is None:
                where = f"entry {number} (line {line})"
                found.append(_Found(None, [Problem(where, _error_message(block))]))
                continue
            note = Problem(
                f"entry {number} ({repaired.key})",
                "The comma after the entry's key was missing; it was read anyway.",
            )
            found.append(_evaluate(repaired, number, evaluator, [note]))
    by_key = {f.entry.key.casefold(): f for f in found if f.entry is not None}
    for item in found:
        result.problems.extend(item.problems)
        if item.entry is None:
            continue
        _inherit(item, by_key)
        record = _entry_record(item.entry, item.values, item.raws)
        if record.title:
            result.records.append(record)
        else:
            result.problems.append(Problem(item.where, "This entry has no title; it was skipped."))
    if not found:
        result.problems.append(Problem("file", "No BibTeX entries (@article{…}) were found."))
    return result


@dataclass
class _Found:
    entry: model.Entry | None
    problems: list[Problem]
    where: str = ""
    raws: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def _evaluate(
    entry: model.Entry, number: int, evaluator: _Evaluator, problems: list[Problem] | None = None
) -> _Found:
    where = f"entry {number} ({entry.key})"
    problems = list(problems or [])
    raws: dict[str, str] = {}
    for one in entry.fields:
        for key, raw in _split_fields(one.key, str(one.value)):
            raws.setdefault(key.casefold(), raw)
    if len(raws) > len({f.key.casefold() for f in entry.fields}):
        problems.append(Problem(where, "A comma was missing between two fields; both were kept."))
    evaluator.unknown.clear()
    values = {key: evaluator.value(raw) for key, raw in raws.items()}
    unknown = sorted(evaluator.unknown)
    if unknown:
        problems.append(
            Problem(where, f"Unknown abbreviation(s) {', '.join(unknown)}; kept as written.")
        )
    return _Found(entry, problems, where, raws, values)


_NOT_INHERITED = {
    "title", "subtitle", "titleaddon", "crossref", "xref", "ids", "abstract", "url", "doi",
    "keywords",
}  # fmt: skip


def _inherit(item: _Found, by_key: dict[str, _Found], depth: int = 0) -> None:
    """Fill fields an entry leaves out from the entry its crossref/xref field names (a chapter
    takes its book's year, publisher and title as the venue), following chains a few deep."""
    parent_key = (item.values.get("crossref") or item.values.get("xref") or "").strip()
    parent = by_key.get(parent_key.casefold())
    if parent is None or parent is item or depth > 5:
        return
    _inherit(parent, by_key, depth + 1)
    if "booktitle" not in item.values and parent.values.get("title"):
        item.values["booktitle"] = parent.values["title"]
        item.raws["booktitle"] = parent.raws["title"]
    for key, value in parent.values.items():
        if key not in _NOT_INHERITED and key not in item.values:
            item.values[key] = value
            item.raws[key] = parent.raws[key]
