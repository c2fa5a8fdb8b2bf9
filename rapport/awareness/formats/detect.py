"""Which reader a file needs, judged from its content first and its name second, and the one
entry point that never raises: parse()."""

import json
import logging
import re
from collections.abc import Callable

from rapport.awareness.formats.bibtex import parse_bibtex
from rapport.awareness.formats.crossref import parse_crossref
from rapport.awareness.formats.feeds import html_problem, parse_feed
from rapport.awareness.formats.orcid import parse_orcid
from rapport.awareness.formats.records import ParseResult, Problem
from rapport.awareness.formats.ris import parse_ris
from rapport.awareness.formats.text import decode_bytes

logger = logging.getLogger(__name__)

READERS: dict[str, Callable[[bytes], ParseResult]] = {
    "bibtex": parse_bibtex,
    "ris": parse_ris,
    "orcid": parse_orcid,
    "crossref": parse_crossref,
    "feed": parse_feed,
}
_ALIASES = {
    "bib": "bibtex",
    "biblatex": "bibtex",
    "enw": "ris",
    "wos": "ris",
    "rss": "feed",
    "atom": "feed",
    "rdf": "feed",
    "json": "",
    "xml": "",
}
_EXTENSIONS = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
}
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)
_RIS_TAG = re.compile(r"^(?:TY|T1|TI|AU|A1|PY|Y1|JF|T2|DO|UR|ER)\s{1,3}-(?:\s|$)", re.M)
_WOS_START = re.compile(r"^(?:FN |PT [A-Z]\b)", re.M)
_FEED_ROOT = re.compile(r"<(?:[\w-]+:)?(?:rss|RDF|feed|channel)\b")
_HTML = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_UNKNOWN = (
    "Rapport could not tell what kind of file this is. It reads BibTeX (.bib), RIS (.ris), "
    "ORCID records (JSON or XML), Crossref JSON, and RSS or Atom feeds."
)


def _from_json(text: str) -> tuple[str, str]:
    try:
        payload = json.loads(text)
    except ValueError:
        return "", "This looks like JSON but it is damaged, so it cannot be read."
    if isinstance(payload, dict):
        keys = set(payload)
        message = payload.get("message")
        if "message-type" in keys or isinstance(message, dict) or "DOI" in keys:
            return "crossref", ""
        orcid_keys = {"orcid-identifier", "activities-summary", "bulk", "put-code", "group"}
        if keys & orcid_keys or "error-code" in keys:
            return "orcid", ""
        if "title" in keys and isinstance(payload.get("title"), list):
            return "crossref", ""
        if "title" in keys and isinstance(payload.get("title"), dict):
            return "orcid", ""
    if (
        isinstance(payload, list)
        and payload
        and isinstance(payload[0], dict)
        and ("DOI" in payload[0])
    ):
        return "crossref", ""
    return "", "This JSON file is neither a Crossref nor an ORCID export."


def detect(data: bytes, filename: str = "") -> tuple[str, str]:
    """The reader a file needs ("bibtex", "ris", "orcid", "crossref", "feed"), or "" and a
    sentence saying why none fits."""
    if not data.strip():
        return "", "The file is empty."
    text = decode_bytes(data[:200_000]).text.lstrip("\ufeff \t\r\n")
    head = text[:20_000]
    if head.startswith(("{", "[")):
        return _from_json(text if len(data) <= 200_000 else decode_bytes(data).text)
    if head.startswith("<"):
        if "http://www.orcid.org/ns/" in head:
            return "orcid", ""
        if _FEED_ROOT.search(head):
            return "feed", ""
        if _HTML.match(head):
            return "", html_problem(data).message
        return "", "This XML file is not an RSS or Atom feed or an ORCID record."
    if _RIS_TAG.search(head) and (
        re.search(r"^TY\s{1,3}-", head, re.M) or not _BIBTEX_ENTRY.search(head)
    ):
        return "ris", ""
    if _BIBTEX_ENTRY.search(head):
        return "bibtex", ""
    if _WOS_START.search(head) and re.search(r"^ER\s*$", text, re.M):
        return "ris", ""
    extension = "." + filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension], ""
    return "", _UNKNOWN


def parse(data: bytes, *, filename: str = "", format: str | None = None) -> ParseResult:
    """Records from a file in any format Rapport reads. Never raises: what went wrong is in
    the result's problems, and format is "unknown" when no reader fits."""
    chosen = (format or "").strip().casefold()
    chosen = _ALIASES.get(chosen, chosen)
    if chosen and chosen not in READERS:
        return ParseResult(
            "unknown", [], [Problem("file", f"Rapport does not read “{format}” files.")]
        )
    if not chosen:
        try:
            chosen, why = detect(data, filename)
        except Exception:  # a bug in detection must not stop an import
            logger.exception("format detection failed for %r", filename)
            chosen, why = "", _UNKNOWN
        if not chosen:
            return ParseResult("unknown", [], [Problem("file", why)])
    return read_safely(chosen, data)


def read_safely(name: str, data: bytes) -> ParseResult:
    """Run one reader; an unexpected error becomes a problem instead of an exception."""
    try:
        return READERS[name](data)
    except Exception:
        logger.exception("the %s reader failed", name)
        return ParseResult(
            name,
            [],
            [Problem("file", f"Rapport could not read this {name} file; it may be damaged.")],
        )
