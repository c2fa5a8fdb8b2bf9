"""Crossref REST API works: one work ({"message": {…}} or the bare work) or a list of them
({"message": {"items": […]}}), as saved from api.crossref.org."""

import json
from typing import Any

from rapport.awareness.formats.records import ParseResult, Problem, Record
from rapport.awareness.formats.text import (
    arxiv_id_from,
    clean_title,
    decode_bytes,
    make_date,
    normalise_doi,
    one_line,
    refused_link,
    strip_markup,
    unique,
    web_link,
)

# The date a librarian means by "published", most telling first.
_DATE_FIELDS = ("published", "published-print", "published-online", "issued", "posted", "created")
_KINDS = {"dataset": "dataset", "database": "dataset", "component": "dataset"}


def _first(value: Any) -> str:
    """Crossref gives most text fields as lists; the first non-empty string of one."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return next((v for v in value if isinstance(v, str) and v.strip()), "")
    return ""


def _date(work: dict[str, Any]) -> Any:
    for name in _DATE_FIELDS:
        parts = (
            (work.get(name) or {}).get("date-parts") if isinstance(work.get(name), dict) else None
        )
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0]
            if first[0] is None:
                continue
            found = make_date(
                first[0], first[1] if len(first) > 1 else None, first[2] if len(first) > 2 else None
            )
            if found:
                return found
    return None


def _author(person: Any) -> str:
    if not isinstance(person, dict):
        return ""
    given, family = str(person.get("given") or ""), str(person.get("family") or "")
    return one_line(f"{given} {family}") or one_line(str(person.get("name") or ""))


def _record(work: dict[str, Any]) -> Record:
    doi = normalise_doi(str(work.get("DOI") or ""))
    title = clean_title(_first(work.get("title")))
    subtitle = clean_title(_first(work.get("subtitle")))
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    kind = _KINDS.get(str(work.get("type") or ""), "article")
    if work.get("type") == "posted-content" and work.get("subtype") in (None, "preprint"):
        kind = "preprint"
    institution = work.get("institution")
    venue = _first(work.get("container-title")) or _first(work.get("short-container-title"))
    if not venue and kind == "preprint" and isinstance(institution, list) and institution:
        venue = str((institution[0] or {}).get("name") or "")
    people = work.get("author") or work.get("editor") or []
    return Record(
        title=title,
        abstract=strip_markup(str(work.get("abstract") or "")),
        authors=unique([_author(p) for p in people if _author(p)])
        if isinstance(people, list)
        else [],
        venue=clean_title(venue),
        published_on=_date(work),
        link=web_link(str(work.get("URL") or "")) or (f"https://doi.org/{doi}" if doi else ""),
        doi=doi,
        arxiv_id=arxiv_id_from(doi),
        keywords=unique([one_line(s) for s in work.get("subject") or [] if isinstance(s, str)]),
        kind=kind,
        external_id=doi,
        refused_link=refused_link([str(work.get("URL") or "")]),
    )


def parse_crossref(data: bytes) -> ParseResult:
    """Records from Crossref JSON: a work, a list of works, or a bare work or list."""
    decoded = decode_bytes(data)
    result = ParseResult("crossref", problems=list(decoded.problems))
    try:
        payload = json.loads(decoded.text)
    except ValueError as exc:
        result.problems.append(Problem("file", f"The JSON is damaged ({exc})."))
        return result
    message = payload.get("message", payload) if isinstance(payload, dict) else payload
    if isinstance(payload, dict) and payload.get("status") == "failed":
        result.problems.append(Problem("file", "Crossref answered with an error, not works."))
        return result
    if isinstance(message, dict) and isinstance(message.get("items"), list):
        works = message["items"]
    elif isinstance(message, list):
        works = message
    elif isinstance(message, dict) and ("DOI" in message or "title" in message):
        works = [message]
    else:
        result.problems.append(
            Problem("file", "This JSON is not a Crossref work or list of works.")
        )
        return result
    for number, work in enumerate(works, start=1):
        if not isinstance(work, dict):
            result.problems.append(Problem(f"work {number}", "This is not a work; it was skipped."))
            continue
        record = _record(work)
        where = f"work {number}" + (f" ({record.doi})" if record.doi else "")
        if record.title:
            result.records.append(record)
        else:
            result.problems.append(Problem(where, "This work has no title; it was skipped."))
    if not works:
        result.problems.append(Problem("file", "The list of works is empty."))
    return result
