"""Small text helpers shared by the readers: decoding bytes, identifiers, dates, names, markup."""

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import unquote

from rapport.awareness.formats.records import Problem
from rapport.weblinks import web_address

# Decoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = (
    re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""),
    re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.I),
    # JabRef writes "% Encoding: windows-1252" at the top of the .bib files it saves.
    re.compile(rb"""^%\s*Encoding:\s*([A-Za-z0-9._:-]{1,40})""", re.M),
)


@dataclass
class Decoded:
    text: str
    encoding: str
    problems: list[Problem] = field(default_factory=list)


def _utf16_without_bom(data: bytes) -> str:
    """Guess UTF-16 (or UTF-32) from where the zero bytes sit in mostly-ASCII text."""
    sample = data[:4000]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    if sample[:4] == b"\x00\x00\x00<":
        return "utf-32-be"
    if sample[:4] == b"<\x00\x00\x00":
        return "utf-32-le"
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    return ""


def _declared_encoding(data: bytes) -> str:
    head = data[:2048]
    for pattern in _DECLARED:
        found = pattern.search(head)
        if found:
            name = found.group(1).decode("ascii", "replace")
            try:
                return codecs.lookup(name).name
            except LookupError:
                return ""
    return ""


def decode_bytes(data: bytes, *, where: str = "file") -> Decoded:
    """Text from bytes: a byte-order mark, UTF-16 by its zeros, UTF-8, the declared encoding,
    and Windows-1252 as the last resort (which never fails, but may replace a few bytes)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            text = body.decode(encoding, errors="replace")
            problems = []
            if "\ufffd" in text and "\ufffd".encode(encoding) not in body:
                problems.append(
                    Problem(
                        where,
                        f"Some characters were not valid {encoding.upper()}; they show as \ufffd.",
                    )
                )
            return Decoded(text, encoding, problems)
    wide = _utf16_without_bom(data)
    if wide:
        try:
            return Decoded(data.decode(wide), wide)
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data)
    if declared and declared not in ("utf-8", "cp1252"):
        try:
            return Decoded(data.decode(declared), declared)
        except (UnicodeDecodeError, LookupError):
            pass
    text = data.decode("cp1252", errors="replace")
    problems = []
    if "\ufffd" in text:
        problems.append(
            Problem(
                where,
                "The file is not in UTF-8; it was read as Windows-1252 and some characters "
                "could not be read (they show as \ufffd).",
            )
        )
    return Decoded(text, "cp1252", problems)


# Identifiers

_DOI_PREFIX = re.compile(
    r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/|^(?:info:)?doi[:/]\s*|^doi\s+", re.I
)
# Registrant codes may be short in hand-made data and subdivided (10.1000.10/…) in real DOIs;
# in free text only the usual four or more digits are trusted.
_DOI = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")
_DOI_IN_TEXT = re.compile(r"\b(10\.\d{4,9}(?:\.\d+)*/[^\s\"'<>]+)")


def normalise_doi(value: str) -> str:
    """A DOI in lower case without a resolver or "doi:" prefix; "" when it is not a DOI."""
    text = (value or "").strip()
    for _ in range(2):  # "doi: https://doi.org/10..." happens
        text = _DOI_PREFIX.sub("", text).strip()
    if "%" in text:
        text = unquote(text)
    text = text.lower()
    return text if _DOI.match(text) else ""


def doi_in_text(value: str) -> str:
    """The first DOI found anywhere in a string (a URL, a note, a citation)."""
    found = _DOI_IN_TEXT.search(unquote(value or ""))
    if not found:
        return ""
    return normalise_doi(found.group(1).rstrip(".,;)]}"))


_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Za-z]{2})?/\d{7}"
_ARXIV_BARE = re.compile(rf"^(?:arxiv:\s*)?({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.I)
_ARXIV_ANYWHERE = re.compile(
    rf"arxiv[^\s]*?[:/.]\s*({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?![\d])", re.I
)


def arxiv_id_from(value: str) -> str:
    """An arXiv id without its version, from an id, an abs or pdf URL, "arXiv:…", an OAI id or
    an arXiv DOI (10.48550/arXiv.…); "" when there is none."""
    text = (value or "").strip()
    found = _ARXIV_BARE.match(text) or _ARXIV_ANYWHERE.search(text)
    if not found:
        return ""
    ident = found.group(1)
    if "/" in ident:  # old style: the archive is lower case, the subject class upper case
        archive, number = ident.split("/", 1)
        head, _, sub = archive.partition(".")
        return f"{head.lower()}.{sub.upper()}/{number}" if sub else f"{head.lower()}/{number}"
    return ident


def title_key(title: str) -> str:
    """A title reduced for de-duplication: case folded, accents and punctuation dropped,
    whitespace collapsed, at most 300 characters. A title with no letters ("⟨100⟩", "2019",
    "∅") keeps its symbols and punctuation, so it matches only the same title, not every other
    title made of the same digits (or of none)."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    kept = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    if not any(ch.isalpha() for ch in kept):
        kept = unicodedata.normalize("NFKC", title or "")
    return " ".join(kept.casefold().split())[:300]


# Dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janvier", "janv", "januar", "jän", "jänner"),
            ("feb", "february", "fevrier", "février", "févr", "fév", "fev", "februar"),
            ("mar", "march", "mars", "märz", "marz", "mär", "mrz"),
            ("apr", "april", "avril", "avr"),
            ("may", "mai"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juillet", "juil", "juli"),
            ("aug", "august", "aout", "août", "aoû"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "oktober", "okt"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre", "déc", "dezember", "dez"),
        ),
        start=1,
    )
    for name in names
}


def month_number(value: str | int | None) -> int | None:
    """1–12 from "3", "03", "mar", "March" or an int; None when it is none of those."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1 <= value <= 12 else None
    text = str(value).strip().strip(".").casefold()
    if text.isdecimal():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text) or _MONTHS.get(text[:3])


def make_date(year: object, month: object = None, day: object = None) -> date | None:
    """A date from parts that may be missing or wrong: a year alone gives 1 January, a year
    and month the 1st; an impossible day or month is dropped rather than the whole date."""
    try:
        y = int(str(year).strip()[:4])
    except (TypeError, ValueError):
        return None
    if not 1000 <= y <= 2999:
        return None
    m = month_number(month) if isinstance(month, (str, int)) else None
    if m is None:
        return date(y, 1, 1)
    try:
        d = int(str(day).strip()) if day not in (None, "") else 1
        return date(y, m, d)
    except (TypeError, ValueError):
        return date(y, m, 1)


_ISOISH = re.compile(r"(?<!\d)(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")
_DAY_MONTH_YEAR = re.compile(r"(?:(\d{1,2})\s+)?([A-Za-zéûä]{3,9})\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-zéûä]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})")


def date_from_text(value: str) -> date | None:
    """A date from the ways files write them: 2020, 2020-05, 2020/05/17/, 17 May 2020,
    May 17, 2020, "Spring 2020" (the year)."""
    text = (value or "").strip()
    if not text:
        return None
    found = _MONTH_DAY_YEAR.search(text)
    if found and month_number(found.group(1)):
        return make_date(found.group(3), found.group(1), found.group(2))
    found = _DAY_MONTH_YEAR.search(text)
    if found and month_number(found.group(2)):
        return make_date(found.group(3), found.group(2), found.group(1))
    found = _ISOISH.search(text)
    if found:
        return make_date(found.group(1), found.group(2), found.group(3))
    return None


_ISO_DAY = re.compile(r"(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-])")
_CJK_DAY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_NAMED_DAY_MONTH = re.compile(r"(?<![\w.])(\d{1,2})\.?\s+([^\W\d_]{3,9})\.?,?\s+(\d{4})(?!\d)")
_NAMED_MONTH_DAY = re.compile(r"(?<![\w.])([^\W\d_]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")


def _day(year: str, month: str | int | None, day: str) -> date | None:
    number = month_number(month)
    if number is None:
        return None
    try:
        return date(int(year), number, int(day))
    except ValueError:  # 30 February: not a day, and not to be moved to another
        return None


def day_from_text(value: str) -> date | None:
    """A whole date (day, month and year) from the ways feeds write one: ISO 8601 and its
    cousins, RFC 822 ("Tue, 04 Mar 2025 10:00:00 GMT"), "4 March 2025", "March 4, 2025",
    month names in English, French or German, "2025年3月4日". None for anything less: a year
    alone, a season, a month name Rapport does not know, an impossible day."""
    text = (value or "").strip()
    for pattern, order in (
        (_ISO_DAY, (1, 2, 3)),
        (_CJK_DAY, (1, 2, 3)),
        (_NAMED_DAY_MONTH, (3, 2, 1)),
        (_NAMED_MONTH_DAY, (3, 1, 2)),
    ):
        found = pattern.search(text)
        if found:
            year, month, day = (found.group(n) for n in order)
            return _day(year, month, day)
    return None


# Names and text


def readable_name(name: str) -> str:
    """ "Family, Given" as "Given Family" ("Family, Jr., Given" as "Given Family Jr.")."""
    text = " ".join((name or "").split()).strip(" ,;")
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return text


def one_line(value: str) -> str:
    """Whitespace (newlines, tabs, runs of spaces) collapsed to single spaces."""
    return " ".join((value or "").split())


def paragraphs(value: str) -> str:
    """Text with each paragraph on one line and paragraphs apart by one blank line."""
    parts = (one_line(p) for p in re.split(r"\n\s*\n", value or ""))
    return "\n\n".join(p for p in parts if p)


_ABSTRACT_HEADING = re.compile(r"^(?:abstract|summary)\s*[:.\-–—]?\s*(?=[A-Z0-9(\[]|$)", re.I)


def clean_abstract(value: str) -> str:
    """An abstract as paragraphs, without a leading "Abstract" heading."""
    text = paragraphs(value)
    stripped = _ABSTRACT_HEADING.sub("", text, count=1)
    return stripped.lstrip() if stripped != text else text


# A tag starts with its name (or /, !, ?) right after the "<": "p < 0.05 and q > 1" is text.
_TAG = re.compile(
    r"<(?:/?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?|!--.*?--|![A-Za-z][^<>]*|\?[^<>]*\?)>", re.S
)
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.I | re.S)
_BLOCK_END = re.compile(r"</\s*(?:[\w-]+:)?(?:p|sec|div|li|title|br)\s*>|<\s*br\s*/?>", re.I)
_HEADING = re.compile(
    r"<\s*(?:[\w-]+:)?title[^>]*>\s*(?:abstract|summary)\s*<\s*/\s*(?:[\w-]+:)?title\s*>", re.I
)


def strip_markup(value: str) -> str:
    """Plain text from HTML or JATS: tags dropped, entities decoded, paragraphs kept apart by a
    blank line, and an "Abstract" heading left out."""
    text = _SCRIPT.sub(" ", value or "")
    text = _HEADING.sub(" ", text)
    text = _BLOCK_END.sub("\n\n", text)
    return clean_abstract(html.unescape(_TAG.sub("", text)))


def strip_tags(value: str) -> str:
    """The text without its HTML or XML tags (entities and a lone "<" left as they are)."""
    return _TAG.sub("", value) if "<" in (value or "") else value or ""


# Words whose full stop is part of them, so a title ending in one keeps it: "… King Jr."
_ABBREVIATIONS = {
    "jr", "sr", "dr", "mr", "mrs", "ms", "st", "inc", "ltd", "co", "corp", "bros", "al", "etc",
    "vs", "no", "nos", "vol", "vols", "ed", "eds", "pp", "cf", "approx", "fig", "figs", "ca",
    "e.g", "i.e", "ph.d", "a.m", "p.m",
}  # fmt: skip
_INITIALS = re.compile(r"(?:^|\s)(?:[A-Z]\.)+$")


def _abbreviation_at_end(text: str) -> bool:
    last = text.rsplit(None, 1)[-1].lstrip("([“‘\"'")
    return last[:-1].casefold() in _ABBREVIATIONS or bool(_INITIALS.search(text))


def clean_title(value: str, *, markup: bool = True) -> str:
    """A title on one line, without markup (unless `markup` is False: the caller removed it)
    and without a trailing full stop, unless the stop ends an abbreviation ("Jr.", "U.S.")."""
    has_markup = markup and "<" in (value or "")
    text = one_line(strip_markup(value)) if has_markup else one_line(value)
    if "&" in text:
        text = html.unescape(text)
    if text.endswith(".") and not text.endswith("..") and not _abbreviation_at_end(text):
        return text[:-1]
    return text


def unique(values: list[str]) -> list[str]:
    """The non-empty values in their first order, each once."""
    seen: set[str] = set()
    kept = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def web_link(value: str) -> str:
    """The value, trimmed, when it is an http(s) address with a server name, by the one check
    every stored link passes (rapport/weblinks.py); else ""."""
    return web_address(value)


def refused_link(values: list[str]) -> str:
    """The first value the source gave as a link when none of them is a web address, for the
    services to report (`Record.refused_link`); "" when one is, or when none was given."""
    given = [v.strip() for v in values if v and v.strip()]
    return "" if any(web_link(v) for v in given) else next(iter(given), "")
