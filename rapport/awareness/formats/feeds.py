"""RSS 0.9x/1.0/2.0 and Atom feeds, through feedparser: journal tables of contents, news, blogs
and arXiv (listing feeds and API results). Whatever feedparser salvages from a broken feed is
kept, and what was wrong is said plainly."""

import re
import time
from datetime import date
from typing import Any
from urllib.parse import urljoin

import feedparser

from rapport.awareness.formats.records import ParseResult, Problem, Record
from rapport.awareness.formats.text import (
    arxiv_id_from,
    clean_abstract,
    clean_title,
    day_from_text,
    decode_bytes,
    doi_in_text,
    normalise_doi,
    one_line,
    refused_link,
    strip_markup,
    unique,
    web_link,
)
from rapport.outbound import FetchError, fetch

_PREPRINT_HOSTS = ("arxiv.org", "biorxiv.org", "medrxiv.org", "chemrxiv.org", "osf.io/preprints")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_FEED_LINK = re.compile(rb"<link\b[^>]*type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.I)
_HREF = re.compile(rb"href=[\"']([^\"']+)[\"']", re.I)
# arXiv listing feeds put the id and announcement type before the abstract, and older ones
# put "(arXiv:2104.12255v1 [cs.CR])" after the title.
_ARXIV_PREFIX = re.compile(r"^arXiv:\S+\s+Announce Type:\s*\S+\s*Abstract:\s*", re.I)
_ARXIV_TITLE_SUFFIX = re.compile(r"\s*\(arXiv:[^)]*\)\s*$", re.I)


def _feed_problem(exc: Exception | None) -> str:
    name = type(exc).__name__ if exc is not None else ""
    if name == "CharacterEncodingOverride":
        return "The feed declares one character encoding but uses another; it was read anyway."
    if name == "CharacterEncodingUnknown":
        return "The feed's character encoding is unknown; some characters may be wrong."
    if name == "NonXMLContentType":
        return "The server did not say this is a feed (wrong content type); it was read anyway."
    if name == "UndeclaredNamespace":
        return "The feed uses an undeclared XML namespace; it was read anyway."
    detail = ""
    if exc is not None and hasattr(exc, "getLineNumber") and hasattr(exc, "getMessage"):
        detail = f" (line {exc.getLineNumber()}: {exc.getMessage()})"
    elif exc is not None and str(exc):
        detail = f" ({one_line(str(exc))})"
    return f"The feed is not well-formed XML{detail}; Rapport read what it could."


def _struct_date(value: Any) -> date | None:
    if isinstance(value, time.struct_time):
        try:
            return date(value.tm_year, value.tm_mon, value.tm_mday)
        except ValueError:
            return None
    return None


_DATE_FIELDS = (
    "published", "updated", "created", "prism_publicationdate", "prism_coverdate", "dc_date",
)  # fmt: skip


def _entry_date(entry: Any) -> tuple[date | None, str]:
    """The entry's day, and the date it gave that could not be read ("" if none): only a
    whole date is a day. feedparser's reading (in UTC) is taken when it agrees with the text;
    it turns a year alone into 1 January and some dates in other languages into another day,
    so those are left empty rather than stored wrong."""
    unreadable = ""
    for name in _DATE_FIELDS:
        # dict.get: feedparser's own maps "updated" to "published" (with a warning).
        raw = one_line(str(dict.get(entry, name) or ""))
        if not raw:
            continue
        day = day_from_text(raw)
        parsed = _struct_date(dict.get(entry, f"{name}_parsed"))
        if day is None:
            unreadable = unreadable or raw
            continue
        if parsed is not None and abs((parsed - day).days) <= 1:
            return parsed, ""
        return day, ""
    return None, unreadable


def _entry_authors(entry: Any, arxiv: bool) -> list[str]:
    names = [one_line(str(a.get("name") or "")) for a in entry.get("authors") or []]
    names = [n for n in names if n]
    if not names and entry.get("author"):
        names = [one_line(str(entry["author"]))]
    if arxiv and len(names) == 1 and ", " in names[0]:
        # arXiv listing feeds give every author in one dc:creator, separated by commas.
        names = [n.strip() for n in names[0].split(",")]
    return unique([strip_markup(n) for n in names])


def _entry_abstract(entry: Any) -> str:
    text = ""
    for content in entry.get("content") or []:
        if str(content.get("value") or "").strip():
            text = str(content["value"])
            break
    summary = str(entry.get("summary") or "")
    if len(summary) > len(text):
        text = summary
    return clean_abstract(_ARXIV_PREFIX.sub("", strip_markup(text)))


def _entry_doi(entry: Any, links: list[str]) -> str:
    for name in ("prism_doi", "dc_identifier", "arxiv_doi", "id"):
        value = str(entry.get(name) or "")
        found = normalise_doi(value) or (doi_in_text(value) if "doi" in value.casefold() else "")
        if found:
            return found
    return next((doi_in_text(link) for link in links if "doi" in link and doi_in_text(link)), "")


def _entry_record(entry: Any, venue: str, base: str) -> tuple[Record, str]:
    """The entry as a record, and the date it gave that could not be read ("" if none)."""
    given = urljoin(base, str(entry.get("link") or "")) if entry.get("link") else ""
    link = web_link(given)
    links = [str(one.get("href") or "") for one in entry.get("links") or []]
    entry_id = str(entry.get("id") or "")
    arxiv = arxiv_id_from(entry_id) or next(
        (arxiv_id_from(one) for one in [link, *links] if arxiv_id_from(one)), ""
    )
    doi = _entry_doi(entry, [link, *links])
    if not arxiv and doi.startswith("10.48550/"):
        arxiv = arxiv_id_from(doi)
    title = clean_title(str(entry.get("title") or ""))
    if arxiv:
        title = _ARXIV_TITLE_SUFFIX.sub("", title)
    hosts = " ".join([link, *links, entry_id]).casefold()
    if arxiv or any(host in hosts for host in _PREPRINT_HOSTS):
        kind = "preprint"
    elif doi:
        kind = "article"
    else:
        kind = "news"
    keywords = [
        one_line(str(t.get("term") or t.get("label") or "")) for t in entry.get("tags") or []
    ]
    published, unreadable = _entry_date(entry)
    record = Record(
        title=title,
        abstract=_entry_abstract(entry),
        authors=_entry_authors(entry, bool(arxiv)),
        venue=clean_title(
            str(entry.get("prism_publicationname") or entry.get("arxiv_journal_ref") or "")
        )
        or venue,
        published_on=published,
        link=link
        or (f"https://arxiv.org/abs/{arxiv}" if arxiv else "")
        or (f"https://doi.org/{doi}" if doi else ""),
        doi=doi,
        arxiv_id=arxiv,
        keywords=unique(keywords),
        kind=kind,
        external_id=entry_id or link,
        refused_link=refused_link([given]),
    )
    return record, unreadable


def _utf8_if_wide(data: bytes) -> bytes:
    """UTF-16 and UTF-32 feeds as UTF-8, which feedparser reads more reliably."""
    decoded = decode_bytes(data[:4096])
    if not decoded.encoding.startswith(("utf-16", "utf-32")):
        return data
    text = decode_bytes(data).text
    text = re.sub(r"""(<\?xml[^>]*encoding=["'])[^"']*""", r"\g<1>utf-8", text, count=1)
    return text.encode("utf-8")


def html_problem(data: bytes, base: str = "") -> Problem:
    """What to tell someone who gave a web page instead of a feed, with the page's own feed
    address when it names one."""
    message = "This is an HTML page, not a feed."
    for tag in _FEED_LINK.findall(data[:200_000]):
        href = _HREF.search(tag)
        if href:
            address = urljoin(base, href.group(1).decode("utf-8", "replace"))
            message += f" The page names a feed at {address}; try that address."
            break
    return Problem("file", message)


def parse_feed(data: bytes, *, url: str = "", headers: dict[str, str] | None = None) -> ParseResult:
    """Records from an RSS or Atom feed, with problems for what had to be skipped or guessed.
    `url` and `headers` (from fetching) resolve relative links and the declared encoding."""
    result = ParseResult("feed")
    if not data.strip():
        result.problems.append(Problem("file", "The feed is empty."))
        return result
    data = _utf8_if_wide(data)
    looks_html = bool(_HTML_START.match(data[:4096]))
    parsed = feedparser.parse(
        data,
        response_headers=headers or {},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if looks_html and not parsed.get("version"):
        result.problems.append(html_problem(data, url))
        return result
    if parsed.get("bozo"):
        result.problems.append(Problem("file", _feed_problem(parsed.get("bozo_exception"))))
    feed = parsed.get("feed") or {}
    venue = clean_title(str(feed.get("title") or ""))
    if venue.startswith(("arXiv Query:", "arXiv Search Results")):
        venue = "arXiv"
    base = url or str(feed.get("link") or "")
    for number, entry in enumerate(parsed.get("entries") or [], start=1):
        entry_id = str(entry.get("id") or "")
        where = f"entry {number}"
        if "arxiv.org/api/errors" in entry_id:
            reason = one_line(str(entry.get("summary") or "unknown error"))
            result.problems.append(Problem(where, f"arXiv answered with an error: {reason}."))
            continue
        record, unreadable = _entry_record(entry, venue, base)
        if record.title:
            result.records.append(record)
            if unreadable:
                result.problems.append(
                    Problem(
                        where,
                        f"Its date “{unreadable[:80]}” could not be read as a day; "
                        "it was left empty.",
                    )
                )
        else:
            result.problems.append(Problem(where, "This entry has no title; it was skipped."))
    if not parsed.get("entries"):
        if parsed.get("version"):
            result.problems.append(Problem("file", "The feed has no entries."))
        elif not result.problems:
            result.problems.append(Problem("file", "This is not an RSS or Atom feed."))
        else:
            result.problems.append(Problem("file", "No feed entries could be found."))
    return result


def fetch_feed(url: str, *, timeout: float = 10, max_bytes: int = 5_000_000) -> ParseResult:
    """Fetch a feed by URL and read it; FetchError says why when the fetch itself fails."""
    fetched = fetch(
        url,
        headers={
            "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
        },
        timeout=timeout,
        max_bytes=max_bytes,
    )
    return parse_feed(fetched.body, url=fetched.url, headers=fetched.headers)


__all__ = ["FetchError", "fetch_feed", "parse_feed"]
