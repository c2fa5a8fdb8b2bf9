"""A tolerant, streaming vCard reader (2.1, 3.0 and 4.0), card by card.

Real address books bend the standards: Outlook and Android still write vCard 2.1 with
quoted-printable values, CHARSET parameters and bare TYPE words (`TEL;WORK;VOICE:`), Apple
groups properties (`item1.EMAIL`), some files have no VERSION, a byte-order mark, UTF-16 or
Windows-1252 text, and photos of hundreds of kilobytes. This reader works on bytes, one
physical line at a time, so a file of any size costs the memory of one card; photos, logos,
sounds and keys are skipped as they stream past and never held. Each card comes out as a
`Card` (its properties, and the problems met while reading it) or, when nothing of it could
be read, an `Unreadable` with the card's number and a plain message. It never raises on bad
input.
"""

import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

# A physical line longer than this is cut (its value is reported, not kept).
MAX_LINE = 256 * 1024
# A property (after unfolding) longer than this is dropped with a problem: no name, address or
# note is that long, and holding it would let one card take unbounded memory.
MAX_PROPERTY = 256 * 1024
MAX_PROPERTIES = 2_000
# Binary payloads nobody here needs: skipped as they stream past.
SKIPPED_START = re.compile(rb"^\s*(?:[A-Za-z0-9_-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)\s*[;:]", re.I)
PROPERTY_START = re.compile(rb"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?[;:]")
# Marks a line or property that was too long to keep (never valid vCard text: a NUL byte).
TOO_LONG = b"\x00TOO-LONG"
ENCODING_WORDS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}


@dataclass(slots=True)
class Property:
    name: str  # upper case, without its group
    value: str  # decoded text, vCard escapes still in place
    params: dict[str, list[str]] = field(default_factory=dict)  # keys upper case
    group: str = ""

    def param(self, key: str) -> list[str]:
        return self.params.get(key, [])

    @property
    def types(self) -> set[str]:
        if "TYPE" not in self.params:
            return set()
        return {t.lower() for value in self.params["TYPE"] for t in value.split(",") if t}


@dataclass
class Card:
    number: int  # 1-based position in the file
    properties: list[Property] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _by_name: dict[str, list[Property]] | None = field(default=None, repr=False, compare=False)

    def all(self, name: str) -> list[Property]:
        if self._by_name is None:
            self._by_name = {}
            for prop in self.properties:
                self._by_name.setdefault(prop.name, []).append(prop)
        return self._by_name.get(name, [])

    def first(self, name: str) -> Property | None:
        found = self.all(name)
        return found[0] if found else None

    @property
    def version(self) -> str:
        prop = self.first("VERSION")
        return prop.value.strip() if prop else ""


@dataclass
class Unreadable:
    number: int
    message: str


# -- bytes in, physical lines out ------------------------------------------------------------


def _utf16_codec(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # No byte-order mark: ASCII text in UTF-16 has every other byte zero.
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] and head[3]:
        return "utf-16-be"
    return None


def _raw_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Physical lines as bytes without their line ending; UTF-16 is re-encoded as UTF-8."""
    head = stream.read(4)
    codec = _utf16_codec(head)
    if codec:
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        pending = ""
        dropping = False  # inside a line too long to keep, until its end
        chunk = head
        while chunk:
            pending += decoder.decode(chunk)
            *whole, pending = pending.split("\n")
            for text in whole:
                if dropping:
                    dropping = False
                    continue
                yield from _split_cr(text.encode("utf-8"))
            if len(pending) > MAX_LINE:
                if not dropping:
                    yield TOO_LONG + pending[:80].encode("utf-8")
                pending, dropping = "", True
            chunk = stream.read(64 * 1024)
        pending += decoder.decode(b"", final=True)
        if pending:
            yield from _split_cr(pending.encode("utf-8"))
        return
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    first = True
    while True:
        line = stream.readline(MAX_LINE)
        if first:
            line, first = head + line, False
        if not line:
            return
        if len(line) >= MAX_LINE and not line.endswith(b"\n"):
            # An endless line: keep its start, drop the rest up to the next line end.
            while (more := stream.readline(MAX_LINE)) and not more.endswith(b"\n"):
                pass
            yield TOO_LONG + line[:80]
            continue
        line = line.rstrip(b"\r\n")
        if b"\r" in line:  # old Mac files end lines with a bare CR
            yield from line.split(b"\r")
        else:
            yield line


def _split_cr(line: bytes) -> Iterator[bytes]:
    """Old Mac files end lines with a bare CR."""
    if b"\r" in line:
        yield from line.rstrip(b"\r\n").split(b"\r")
    else:
        yield line


# -- physical lines in, logical (unfolded) lines out -----------------------------------------


def _name_of(line: bytes) -> bytes:
    end = len(line)
    for sep in (b";", b":"):
        pos = line.find(sep)
        if 0 <= pos < end:
            end = pos
    return line[:end].rsplit(b".", 1)[-1].strip().upper()


def _logical_lines(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Unfold (a line starting with a space or tab continues the one before), join 2.1
    quoted-printable soft line breaks (a value ending in "="), and drop skipped payloads."""
    current: bytes | None = None
    skipping = False
    qp = False
    too_long = False
    for line in lines:
        first = line[:1]
        if first == b"\x00" and line.startswith(TOO_LONG):
            if current is not None and line[len(TOO_LONG) :][:1] in (b" ", b"\t"):
                too_long = True  # a continuation of the current property
                continue
            if current is not None:
                yield TOO_LONG + current if too_long else current
            current, qp, too_long = None, False, False
            skipping = True  # its continuation lines go with it
            yield line
            continue
        if qp and current is not None and current.endswith(b"="):
            # A quoted-printable soft line break: the next line continues the value as is.
            if len(current) + len(line) <= MAX_PROPERTY:
                current = current[:-1] + line
            else:
                too_long = True
            continue
        if first == b" " or first == b"\t":
            if skipping or current is None:
                continue
            if len(current) + len(line) <= MAX_PROPERTY:
                current += line[1:]
            else:
                too_long = True
            continue
        if skipping and (not line or line.isspace() or not PROPERTY_START.match(line)):
            continue  # 2.1 base64 blocks: unindented lines up to a blank line
        if current is not None:
            yield TOO_LONG + current if too_long else current
        current, skipping, qp, too_long = None, False, False, False
        if not line or line.isspace():
            continue
        if SKIPPED_START.match(line):
            skipping = True
            continue
        current = line
        colon = line.find(b":")
        qp = b"PRINTABLE" in (line[:colon] if colon >= 0 else line).upper()
    if current is not None:
        yield TOO_LONG + current if too_long else current


# -- logical lines in, properties out ----------------------------------------------------------


def _split_unquoted(data: bytes, sep: int, limit: int = -1) -> list[bytes]:
    if b'"' not in data:  # the common case, done in C
        return data.split(bytes([sep]), limit)
    parts, start, quoted = [], 0, False
    for i, byte in enumerate(data):
        if byte == 0x22:  # "
            quoted = not quoted
        elif byte == sep and not quoted:
            parts.append(data[start:i])
            start = i + 1
            if len(parts) == limit:
                break
    parts.append(data[start:])
    return parts


def _split_quoted_text(value: str) -> list[str]:
    """Split a parameter's values on commas outside double quotes."""
    return [v.decode("utf-8") for v in _split_unquoted(value.encode("utf-8"), 0x2C)]


def _decode(data: bytes, charset: str, problems: list[str], name: str) -> str:
    if charset:
        try:
            return data.decode(charset)
        except LookupError:
            problems.append(f"{name}: unknown character set “{charset}”; read as UTF-8.")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 maps nearly every byte; the rest become U+FFFD rather than failing.
        return data.decode("cp1252", errors="replace")


def parse_property(line: bytes, problems: list[str]) -> Property | None:
    """One unfolded content line as a Property, or None (with a problem) if it is not one."""
    colon = line.find(b":")
    head = line[:colon]
    if b'"' in head:  # a quoted parameter value may hold a colon
        pieces = _split_unquoted(line, 0x3A, limit=1)
        if len(pieces) == 2:
            head = pieces[0]
            colon = len(head)
    if colon < 0:
        shown = line[:40].decode("utf-8", errors="replace")
        problems.append(f"“{shown}” is not a property (no colon); left out.")
        return None
    raw = line[colon + 1 :]
    parts = _split_unquoted(head, 0x3B) if b";" in head else [head]
    group, _, name = parts[0].decode("ascii", errors="replace").strip().rpartition(".")
    name = name.upper()
    if not name:
        problems.append("A property without a name was left out.")
        return None
    if len(parts) == 1:  # the common case: no parameters, plain UTF-8
        try:
            return Property(name=name, value=raw.decode("utf-8"), params={}, group=group)
        except UnicodeDecodeError:
            return Property(name=name, value=_decode(raw, "", problems, name), group=group)
    params: dict[str, list[str]] = {}
    for part in parts[1:]:
        piece = part.decode("utf-8", errors="replace").strip()
        if not piece:
            continue
        key, eq, value = piece.partition("=")
        if not eq:  # vCard 2.1: a bare word is a TYPE, or the encoding
            key, value = ("ENCODING" if key.upper() in ENCODING_WORDS else "TYPE"), key
        if '"' in value:
            values = [v.strip().strip('"') for v in _split_quoted_text(value)]
        else:
            values = [v.strip() for v in value.split(",")]
        params.setdefault(key.strip().upper(), []).extend(v for v in values if v)
    encoding = (params.get("ENCODING") or [""])[0].upper()
    charset = (params.get("CHARSET") or [""])[0]
    if encoding == "QUOTED-PRINTABLE":
        raw = quopri.decodestring(raw)
    elif encoding in {"B", "BASE64"}:
        problems.append(f"{name}: binary data skipped.")
        return None
    return Property(
        name=name, value=_decode(raw, charset, problems, name), params=params, group=group
    )


def read_cards(stream: BinaryIO) -> Iterator[Card | Unreadable]:
    """Every card in the file, in order; never raises on bad input."""
    card: Card | None = None
    number = 0
    for line in _logical_lines(_raw_lines(stream)):
        if line.startswith(TOO_LONG):
            line = line[len(TOO_LONG) :]
            name = _name_of(line).decode("ascii", errors="replace")
            if card is not None:
                card.problems.append(f"{name or 'A property'} is too long; left out.")
            continue
        upper = line.strip().upper() if line[:1] in b"BbEe" else b""
        if upper == b"BEGIN:VCARD":
            if card is not None:
                card.problems.append("No END:VCARD before the next card; read up to it.")
                yield card
            number += 1
            card = Card(number=number)
            continue
        if upper == b"END:VCARD":
            if card is None:
                number += 1
                yield Unreadable(number, "END:VCARD without BEGIN:VCARD; nothing to read.")
            else:
                yield card
                card = None
            continue
        if card is None:
            continue  # text between cards: ignored
        if len(card.properties) >= MAX_PROPERTIES:
            cut = f"More than {MAX_PROPERTIES} properties; the rest were skipped."
            if cut not in card.problems:
                card.problems.append(cut)
            continue
        prop = parse_property(line, card.problems)
        if prop is not None:
            card.properties.append(prop)
    if card is not None:
        card.problems.append("The file ends inside this card (no END:VCARD); read what was there.")
        yield card


# -- values -------------------------------------------------------------------------------------


_ESCAPES = {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\", ":": ":"}


def unescape(text: str) -> str:
    r"""Undo vCard text escaping (\n \, \; \\); an unknown escape keeps its backslash."""
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def split_escaped(text: str, sep: str) -> list[str]:
    """Split on `sep` where it is not escaped by a backslash; escapes are kept for unescape."""
    if "\\" not in text:  # the common case, done in C
        return text.split(sep)
    if "\ue000" not in text and "\ue001" not in text:  # still in C: hide the escapes, split
        hidden = text.replace("\\\\", "\ue000").replace("\\" + sep, "\ue001")
        return [
            part.replace("\ue001", "\\" + sep).replace("\ue000", "\\\\")
            for part in hidden.split(sep)
        ]
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


def components(prop: Property) -> list[list[str]]:
    """A structured value (N, ADR, ORG) as its components, each a list of unescaped values."""
    return [[unescape(v) for v in split_escaped(c, ",")] for c in split_escaped(prop.value, ";")]


def text(prop: Property | None) -> str:
    return unescape(prop.value).strip() if prop is not None else ""
