"""RIS files (EndNote, Scopus, Web of Science, Zotero, PubMed) and the Web of Science tagged
plain-text export, read line by line so that one damaged record costs only itself.

The reader is Rapport's own rather than rispy's because exports in the wild break the rules
rispy enforces: records without a TY line or without ER, text before the first record,
continuation lines in any field, a single space where two are due.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from rapport.awareness.formats.records import ParseResult, Problem, Record
from rapport.awareness.formats.text import (
    arxiv_id_from,
    clean_abstract,
    clean_title,
    date_from_text,
    decode_bytes,
    doi_in_text,
    make_date,
    normalise_doi,
    one_line,
    readable_name,
    refused_link,
    unique,
    web_link,
)

# "TY  - JOUR"; exporters also write one space, no space after the dash, or nothing after it.
_RIS_LINE = re.compile(r"^[ \t]*([A-Z][A-Z0-9])[ \t]{1,3}-(?:\s(.*)|)$")
# Web of Science: "TI Title" with continuation lines indented by three spaces.
_WOS_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_WOS_LISTS = {"AU", "AF", "CR", "C1", "ED", "BE", "BF"}

_KINDS = {
    "DATA": "dataset",
    "DBASE": "dataset",
    "AGGR": "dataset",
    "COMP": "tool",
    "NEWS": "news",
    "MGZN": "news",
    "BLOG": "news",
}
_PREPRINT_TYPES = {"UNPB", "GEN", "ELEC", "INPR", "RPRT", "MANSCPT", "WEB"}


@dataclass
class _Raw:
    line: int
    fields: dict[str, list[str]] = field(default_factory=dict)
    closed: bool = False

    def add(self, tag: str, value: str) -> None:
        self.fields.setdefault(tag, []).append(value)

    def first(self, *tags: str) -> str:
        for tag in tags:
            for value in self.fields.get(tag, []):
                if value.strip():
                    return value.strip()
        return ""

    def all(self, *tags: str) -> list[str]:
        return [v.strip() for tag in tags for v in self.fields.get(tag, []) if v.strip()]


def _is_wos(lines: list[str]) -> bool:
    head = [line for line in lines[:50] if line.strip()]
    return (
        bool(head)
        and head[0].startswith(("FN ", "PT "))
        and not any(_RIS_LINE.match(line) for line in head)
    )


def _read_ris(lines: list[str], problems: list[Problem]) -> list[_Raw]:
    raws: list[_Raw] = []
    current: _Raw | None = None
    last_tag = ""
    for number, line in enumerate(lines, start=1):
        found = _RIS_LINE.match(line.rstrip())
        if not found:
            if current is not None and last_tag and line.strip():
                joiner = "\n" if last_tag in ("AB", "N2", "N1") else " "
                values = current.fields[last_tag]
                values[-1] = f"{values[-1]}{joiner}{line.strip()}"
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if tag == "TY":
            if current is not None and not current.closed:
                problems.append(
                    Problem(
                        f"record {len(raws)} (line {current.line})",
                        "The record has no end line (ER); it ends where the next one starts.",
                    )
                )
            current = _Raw(number)
            raws.append(current)
            current.add("TY", value)
            last_tag = "TY"
        elif tag == "ER":
            if current is not None:
                current.closed = True
            current, last_tag = None, ""
        else:
            if current is None:
                current = _Raw(number)
                raws.append(current)
                problems.append(
                    Problem(
                        f"record {len(raws)} (line {number})",
                        "The record does not start with a type line (TY); it was read anyway.",
                    )
                )
            current.add(tag, value)
            last_tag = tag
    if current is not None and not current.closed and len(current.fields) > 1:
        problems.append(
            Problem(
                f"record {len(raws)} (line {current.line})",
                "The last record has no end line (ER); it was read anyway.",
            )
        )
    return raws


def _read_wos(lines: list[str], problems: list[Problem]) -> list[_Raw]:
    raws: list[_Raw] = []
    current: _Raw | None = None
    last_tag = ""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip()
        if text.startswith("   ") and current is not None and last_tag:
            if last_tag in _WOS_LISTS:
                current.add(last_tag, text.strip())
            else:
                values = current.fields[last_tag]
                values[-1] = f"{values[-1]} {text.strip()}"
            continue
        found = _WOS_LINE.match(text)
        if not found:
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if tag in ("FN", "VR", "EF"):
            continue
        if tag == "ER":
            if current is not None:
                current.closed = True
            current, last_tag = None, ""
            continue
        if current is None:
            current = _Raw(number)
            raws.append(current)
        current.add(tag, value)
        last_tag = tag
    if current is not None and not current.closed:
        problems.append(
            Problem(
                f"record {len(raws)} (line {current.line})",
                "The last record has no end line (ER); it was read anyway.",
            )
        )
    return raws


def _ris_date(raw: _Raw) -> date | None:
    """The publication date: PY or Y1, made more precise by DA when DA has the same year."""
    main = date_from_text(raw.first("PY", "Y1"))
    extra = date_from_text(raw.first("DA"))
    if main is None:
        return extra
    if extra and extra.year == main.year and (main.month, main.day) == (1, 1):
        return extra
    return main


def _ris_record(raw: _Raw) -> Record:
    kind_code = raw.first("TY").upper()
    urls = [u for value in raw.all("UR", "L2", "LK") for u in re.split(r"[\s;]+", value)]
    link = next((web_link(u) for u in urls if web_link(u)), "")
    doi = normalise_doi(raw.first("DO", "DI")) or next(
        (doi_in_text(v) for v in (*raw.all("M3", "N1", "AN"), *urls) if doi_in_text(v)), ""
    )
    arxiv = next(
        (
            arxiv_id_from(v)
            for v in (*urls, *raw.all("AN", "M3", "N1", "ID"), doi)
            if arxiv_id_from(v)
        ),
        "",
    )
    venue = one_line(raw.first("JF", "T2", "JO", "JA", "J2", "J1"))
    title = raw.first("TI", "T1", "CT") or (raw.first("BT") if kind_code == "BOOK" else "")
    if not raw.first("TI", "T1", "CT") and title:
        venue = venue if venue != one_line(title) else ""
    kind = _KINDS.get(kind_code, "article")
    if arxiv and (kind_code in _PREPRINT_TYPES or not venue or "arxiv" in venue.casefold()):
        kind = "preprint"
    authors = raw.all("AU", "A1") or raw.all("A2", "ED")
    keywords = [k.strip() for value in raw.all("KW") for k in re.split(r"[;\n]", value)]
    return Record(
        title=clean_title(title),
        abstract=clean_abstract(raw.first("AB", "N2")),
        authors=unique([readable_name(a) for a in authors]),
        venue=venue,
        published_on=_ris_date(raw),
        link=link
        or (f"https://doi.org/{doi}" if doi else "")
        or (f"https://arxiv.org/abs/{arxiv}" if arxiv else ""),
        doi=doi,
        arxiv_id=arxiv,
        keywords=unique(keywords),
        kind=kind,
        external_id=raw.first("ID", "AN"),
        refused_link=refused_link(raw.all("UR", "L2", "LK")) if not link else "",
    )


def _wos_record(raw: _Raw) -> Record:
    doi = normalise_doi(raw.first("DI"))
    published = None
    year = raw.first("PY")
    if year:
        when = raw.first("PD").split()
        month = when[0] if when else None
        day = when[1] if len(when) > 1 else None
        published = make_date(year, month, day)
    keywords = [k.strip() for value in raw.all("DE", "ID") for k in value.split(";")]
    return Record(
        title=clean_title(raw.first("TI")),
        abstract=clean_abstract(raw.first("AB")),
        authors=unique([readable_name(a) for a in raw.all("AF") or raw.all("AU")]),
        venue=one_line(raw.first("SO")),
        published_on=published,
        link=f"https://doi.org/{doi}" if doi else "",
        doi=doi,
        arxiv_id="",
        keywords=unique(keywords),
        kind="article",
        external_id=raw.first("UT"),
    )


def _record_number(problem: Problem) -> int:
    found = re.match(r"record (\d+)", problem.where)
    return int(found.group(1)) if found else 0


def parse_ris(data: bytes) -> ParseResult:
    """Records from a RIS file or a Web of Science plain-text export."""
    decoded = decode_bytes(data)
    result = ParseResult("ris", problems=list(decoded.problems))
    lines = decoded.text.splitlines()
    wos = _is_wos(lines)
    problems: list[Problem] = []
    raws = _read_wos(lines, problems) if wos else _read_ris(lines, problems)
    for number, raw in enumerate(raws, start=1):
        record = _wos_record(raw) if wos else _ris_record(raw)
        if record.title:
            result.records.append(record)
        else:
            where = f"record {number} (line {raw.line})"
            problems.append(Problem(where, "This record has no title; it was skipped."))
    # Problems found while reading lines and while making records, in the order of the records.
    result.problems.extend(sorted(problems, key=_record_number))
    if not raws:
        result.problems.append(
            Problem("file", "No RIS records (lines like “TY  - JOUR”) were found.")
        )
    return result
