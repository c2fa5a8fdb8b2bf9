"""ORCID public records (API v3.0), in JSON or XML: a whole record, the works summary, one work,
or a bulk read of several works. Also fetches a person's works from the public API."""

import json
import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree

from rapport.awareness.formats.records import ParseResult, Problem, Record
from rapport.awareness.formats.text import (
    arxiv_id_from,
    clean_abstract,
    clean_title,
    decode_bytes,
    make_date,
    normalise_doi,
    one_line,
    refused_link,
    unique,
    web_link,
)
from rapport.outbound import FetchError, get

PUBLIC_API = "https://pub.orcid.org/v3.0"
_LARGEST = 30_000_000
_KINDS = {
    "preprint": "preprint",
    "working-paper": "preprint",
    "data-set": "dataset",
    "data-management-plan": "dataset",
    "software": "tool",
    "newspaper-article": "news",
    "magazine-article": "news",
    "online-resource": "news",
}
_ID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.I)


def orcid_checksum_ok(digits: str) -> bool:
    """Whether the last character of a 16-character iD is its ISO 7064 MOD 11-2 check."""
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1].upper() == ("X" if check == 10 else str(check))


def normalise_orcid(value: str) -> str:
    """An iD as 0000-0002-1825-0097 from that, its URL or its 16 bare characters; raises
    FetchError when it is not a well-formed iD with a correct check character."""
    text = (value or "").strip()
    found = _ID.search(text)
    if not found or len(re.sub(r"[^0-9Xx]", "", text.rsplit("/", 1)[-1])) != 16:
        raise FetchError(f"“{text}” is not an ORCID iD; an iD looks like 0000-0002-1825-0097.")
    digits = "".join(found.groups()).upper()
    if not orcid_checksum_ok(digits):
        raise FetchError(
            f"“{text}” is not a valid ORCID iD: its last character does not match the others. "
            "Check it for a typing error."
        )
    return "-".join(found.groups()).upper()


# JSON


def _v(node: Any, *path: str) -> str:
    """The text at a path in ORCID's JSON, where most values are wrapped as {"value": …}."""
    for key in path:
        if not isinstance(node, dict):
            return ""
        node = node.get(key)
    if isinstance(node, dict):
        node = node.get("value")
    return "" if node is None or isinstance(node, (dict, list)) else str(node)


def _json_work(work: dict[str, Any]) -> dict[str, Any]:
    date = work.get("publication-date") or {}
    ids = [
        {
            "type": _v(one, "external-id-type"),
            "value": _v(one, "external-id-value"),
            "url": _v(one, "external-id-url"),
            "relationship": _v(one, "external-id-relationship"),
        }
        for one in ((work.get("external-ids") or {}).get("external-id") or [])
        if isinstance(one, dict)
    ]
    contributors = [
        _v(one, "credit-name")
        for one in ((work.get("contributors") or {}).get("contributor") or [])
        if isinstance(one, dict)
    ]
    return {
        "put_code": _v(work, "put-code"),
        "title": _v(work, "title", "title"),
        "subtitle": _v(work, "title", "subtitle"),
        "journal": _v(work, "journal-title"),
        "description": _v(work, "short-description"),
        "type": _v(work, "type"),
        "year": _v(date, "year"),
        "month": _v(date, "month"),
        "day": _v(date, "day"),
        "ids": ids,
        "url": _v(work, "url"),
        "contributors": contributors,
    }


def _json_works(data: Any) -> tuple[list[dict[str, Any]], list[Problem]]:
    if not isinstance(data, dict):
        return [], [Problem("file", "This JSON is not an ORCID record.")]
    if "error-code" in data or "developer-message" in data or "user-message" in data:
        message = _v(data, "user-message") or _v(data, "developer-message") or "unknown error"
        return [], [Problem("file", f"ORCID returned an error instead of works: {message}")]
    if "activities-summary" in data:
        data = (data.get("activities-summary") or {}).get("works") or {}
    if "bulk" in data:
        works, problems = [], []
        for number, one in enumerate(data.get("bulk") or [], start=1):
            if isinstance(one, dict) and isinstance(one.get("work"), dict):
                works.append(_json_work(one["work"]))
            elif isinstance(one, dict) and isinstance(one.get("error"), dict):
                message = _v(one["error"], "user-message") or "ORCID could not return it"
                problems.append(Problem(f"work {number}", message))
        return works, problems
    if "group" in data:
        works = []
        for group in data.get("group") or []:
            summaries = [s for s in (group or {}).get("work-summary") or [] if isinstance(s, dict)]
            if summaries:
                works.append(_json_work(_preferred(summaries, lambda s: _v(s, "display-index"))))
        return works, []
    if "title" in data or "put-code" in data:
        return [_json_work(data)], []
    return [], [Problem("file", "This JSON is not an ORCID record, works list or work.")]


def _preferred(summaries: list[Any], index: Any) -> Any:
    """The version of a work the person chose to show (highest display index), else the first."""

    def rank(item: tuple[int, Any]) -> tuple[int, int]:
        position, summary = item
        raw = str(index(summary) or "0")
        return (int(raw) if raw.isdecimal() else 0, -position)

    return max(enumerate(summaries), key=rank)[1]


# XML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element | None, *names: str) -> Element | None:
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element: Element, name: str) -> list[Element]:
    # An Element with no children is falsy, so test for None rather than truth.
    found = _child(element, name)
    return list(found) if found is not None else []


def _text(element: Element | None, *names: str) -> str:
    found = _child(element, *names) if names else element
    return "".join(found.itertext()).strip() if found is not None else ""


def _xml_work(work: Element) -> dict[str, Any]:
    date = _child(work, "publication-date")
    ids = [
        {
            "type": _text(one, "external-id-type"),
            "value": _text(one, "external-id-value"),
            "url": _text(one, "external-id-url"),
            "relationship": _text(one, "external-id-relationship"),
        }
        for one in _children(work, "external-ids")
        if _local(one.tag) == "external-id"
    ]
    contributors = [
        _text(one, "credit-name")
        for one in _children(work, "contributors")
        if _local(one.tag) == "contributor"
    ]
    return {
        "put_code": work.get("put-code", ""),
        "title": _text(work, "title", "title"),
        "subtitle": _text(work, "title", "subtitle"),
        "journal": _text(work, "journal-title"),
        "description": _text(work, "short-description"),
        "type": _text(work, "type"),
        "year": _text(date, "year"),
        "month": _text(date, "month"),
        "day": _text(date, "day"),
        "ids": ids,
        "url": _text(work, "url"),
        "contributors": contributors,
    }


def _xml_works(root: Element) -> tuple[list[dict[str, Any]], list[Problem]]:
    name = _local(root.tag)
    if name == "error":
        message = _text(root, "user-message") or _text(root, "developer-message")
        return [], [Problem("file", f"ORCID returned an error instead of works: {message}")]
    if name == "work":
        return [_xml_work(root)], []
    works = []
    for element in root.iter():
        local = _local(element.tag)
        if local == "group":
            summaries = [c for c in element if _local(c.tag) == "work-summary"]
            if summaries:
                works.append(
                    _xml_work(_preferred(summaries, lambda s: s.get("display-index", "0")))
                )
        elif local == "work" and element is not root:
            works.append(_xml_work(element))
    if not works and not any(_local(e.tag) in ("works", "bulk") for e in root.iter()):
        return [], [Problem("file", "This XML is not an ORCID record, works list or work.")]
    return works, []


# Records


def _record(work: dict[str, Any]) -> Record:
    ids = work["ids"]
    dois = [
        normalise_doi(i["value"]) or normalise_doi(i["url"])
        for i in sorted(ids, key=lambda i: i["relationship"] != "self")
        if i["type"].casefold() == "doi" and i["relationship"] != "part-of"
    ]
    doi = next((d for d in dois if d), "")
    arxiv = next(
        (
            arxiv_id_from(i["value"]) or arxiv_id_from(i["url"])
            for i in ids
            if i["type"].casefold() == "arxiv"
            and (arxiv_id_from(i["value"]) or arxiv_id_from(i["url"]))
        ),
        "",
    ) or arxiv_id_from(doi)
    title = clean_title(work["title"])
    subtitle = clean_title(work["subtitle"])
    if title and subtitle and subtitle.casefold() not in title.casefold():
        title = f"{title}: {subtitle}"
    link = web_link(work["url"]) or next(
        (web_link(i["url"]) for i in ids if i["relationship"] == "self" and web_link(i["url"])),
        "",
    )
    return Record(
        title=title,
        abstract=clean_abstract(work["description"]),
        authors=unique([one_line(c) for c in work["contributors"]]),
        venue=one_line(work["journal"]),
        published_on=make_date(work["year"], work["month"] or None, work["day"] or None),
        link=link
        or (f"https://doi.org/{doi}" if doi else "")
        or (f"https://arxiv.org/abs/{arxiv}" if arxiv else ""),
        doi=doi,
        arxiv_id=arxiv,
        kind=_KINDS.get(work["type"].casefold(), "article"),
        external_id=str(work["put_code"]),
        refused_link=refused_link([work["url"]]) if not link else "",
    )


def _records(works: list[dict[str, Any]], result: ParseResult) -> ParseResult:
    for number, work in enumerate(works, start=1):
        record = _record(work)
        where = f"work {number}" + (f" (put-code {work['put_code']})" if work["put_code"] else "")
        if record.title:
            result.records.append(record)
        else:
            result.problems.append(Problem(where, "This work has no title; it was skipped."))
    return result


def parse_orcid(data: bytes) -> ParseResult:
    """Works from ORCID JSON or XML (record, works summary, a work, or a bulk read)."""
    decoded = decode_bytes(data)
    result = ParseResult("orcid", problems=list(decoded.problems))
    text = decoded.text.strip()
    if text.startswith(("{", "[")):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            message = f"The JSON is damaged ({exc.msg}, line {exc.lineno})."
            result.problems.append(Problem("file", message))
            return result
        works, problems = _json_works(payload)
    else:
        try:
            root = SafeTree.fromstring(text.encode("utf-8"))
        except Exception as exc:  # ParseError, or defusedxml refusing entities
            result.problems.append(
                Problem("file", f"The XML is damaged or unsafe to read ({exc}).")
            )
            return result
        works, problems = _xml_works(root)
    result.problems.extend(problems)
    if not works and not problems:
        result.problems.append(Problem("file", "There are no works in this ORCID file."))
    return _records(works, result)


def fetch_orcid(orcid_id: str, *, base_url: str = PUBLIC_API, timeout: float = 10) -> ParseResult:
    """A person's works from ORCID's public API: the works summary, then the full works
    (abstracts and co-authors) a hundred at a time, keeping a summary when its details fail."""
    orcid = normalise_orcid(orcid_id)
    base = base_url.rstrip("/")
    headers = {"Accept": "application/json"}
    try:
        # A prolific researcher's summary runs to megabytes: about 1.5 kB a work.
        body = get(f"{base}/{orcid}/works", headers=headers, timeout=timeout, max_bytes=_LARGEST)
    except FetchError as exc:
        if exc.status == 404:
            raise FetchError(f"ORCID has no public record for {orcid}.", status=404) from None
        raise
    result = parse_orcid(body)
    codes = [r.external_id for r in result.records if r.external_id.isdigit()]
    detailed: dict[str, Record] = {}
    for start in range(0, len(codes), 100):
        batch = codes[start : start + 100]
        try:
            more = parse_orcid(
                get(f"{base}/{orcid}/works/{','.join(batch)}", headers=headers, timeout=timeout)
            )
        except FetchError as exc:
            result.problems.append(
                Problem(
                    "ORCID",
                    f"Only the summaries of {len(batch)} works were kept; their details could "
                    f"not be fetched. {exc}",
                )
            )
            continue
        detailed.update((r.external_id, r) for r in more.records)
    result.records = [_merge(r, detailed.get(r.external_id)) for r in result.records]
    return result


def _merge(summary: Record, full: Record | None) -> Record:
    if full is None:
        return summary
    for name in ("doi", "arxiv_id", "link", "venue", "published_on"):
        if not getattr(full, name):
            setattr(full, name, getattr(summary, name))
    return full
