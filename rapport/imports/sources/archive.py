"""A workbook's zip archive checked before openpyxl opens it.

An XLSX file is a zip of XML parts, and a 2 MB one can unpack to gigabytes: openpyxl keeps the
shared strings (every distinct text of the workbook) in a list, reads most other parts whole,
and holds one row of a sheet at a time. So before it opens a file, `check_workbook` looks:

1. at the archive as declared (its central directory, nothing unpacked): how many parts, the
   size each unpacks to, how far each is compressed, the total, the shared strings' size;
2. at the bytes themselves, unpacked as a stream and thrown away block by block, since the
   declared sizes can lie: the total again, and in each XML part what openpyxl would hold at
   once (a part it reads whole, one row of a sheet, one shared string: bytes and elements),
   how many rows a sheet has and how many shared strings there are, and no DTD.

Which parts are read row by row is decided as openpyxl decides it: the targets of the
workbook's worksheet relationships that nothing else points to; every other XML part is held
to the limits of a part read whole. A refusal raises `Unreadable` with a message for a
librarian; memory stays at a block and a few counters whatever the file holds.

The limits are constants; an administrator may raise two of them in settings:
`RAPPORT_IMPORT_MAX_UNPACKED_MB` (all parts together, default 2,000) and
`RAPPORT_IMPORT_MAX_SHARED_STRINGS_MB` (default 100).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

from rapport.imports.sources.errors import Unreadable

MB = 1024 * 1024
BLOCK = MB  # unpacked at a time
EXCEL_ROWS = 1_048_576  # Excel's own limit for a sheet


@dataclass(frozen=True)
class Limits:
    members: int = 10_000  # parts in the archive (a workbook has a few dozen)
    unpacked: int = 2000 * MB  # all parts together
    ratio: int = 100  # unpacked : compressed, for parts over `grace`; spreadsheets stay far below
    grace: int = MB
    piece: int = 16 * MB  # what openpyxl holds at once: a part read whole, a row, a string
    tags: int = 500_000  # elements ("<") in one piece
    rows: int = EXCEL_ROWS  # in one sheet
    shared_strings: int = 1_000_000
    shared_bytes: int = 100 * MB


def limits() -> Limits:
    """The limits in force: the constants, with the two an administrator may raise."""
    base = Limits()
    unpacked = getattr(settings, "RAPPORT_IMPORT_MAX_UNPACKED_MB", base.unpacked // MB)
    shared = getattr(settings, "RAPPORT_IMPORT_MAX_SHARED_STRINGS_MB", base.shared_bytes // MB)
    return Limits(unpacked=int(unpacked) * MB, shared_bytes=int(shared) * MB)


SAVE_AS_CSV = "If it is a real export, save it from the spreadsheet as CSV and import that."
DAMAGED = (
    "This file looks like a workbook (XLSX) but could not be opened. Save it again "
    "from the spreadsheet as .xlsx or CSV, then import that."
)


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


# 1. The central directory -------------------------------------------------------------------

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"


def count_members(path: Path) -> int:
    """How many parts the archive's end record says it has, read without loading the
    directory itself (which, for a million parts, would be hundreds of MB)."""
    with path.open("rb") as f:
        f.seek(0, 2)
        size = f.tell()
        tail_start = max(0, size - (22 + 65_535 + 20))  # the record, its comment, zip64 locator
        f.seek(tail_start)
        tail = f.read()
        at = tail.rfind(_END)
        if at < 0 or len(tail) - at < 22:
            raise Unreadable(DAMAGED)
        entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
        if entries != 0xFFFF:
            return entries
        locator = at - 20
        if locator < 0 or tail[locator : locator + 4] != _END64_LOCATOR:
            return entries  # exactly 65,535 parts, no zip64 record: far too many anyway
        (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        f.seek(offset)
        record = f.read(56)
        if len(record) < 56 or record[:4] != _END64:
            raise Unreadable(DAMAGED)
        return int(struct.unpack("<Q", record[32:40])[0])


def _declared(archive: zipfile.ZipFile, path: Path, lim: Limits) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        packed = max(info.compress_size, 1)
        if info.file_size > lim.grace and info.file_size > lim.ratio * packed:
            raise Unreadable(
                f"Part “{info.filename[:80]}” of this workbook unpacks to {_size(info.file_size)} "
                f"from {_size(info.compress_size)}, more than {lim.ratio} to 1: spreadsheets are "
                "never compressed that far, so it was not opened (it looks like a zip bomb). "
                + SAVE_AS_CSV
            )
        if posixpath.basename(info.filename).lower() == "sharedstrings.xml":
            _shared_bytes(info.file_size, lim)
    if total > lim.unpacked:
        raise Unreadable(_too_big(path, lim, f"{_size(total)}"))


def _too_big(path: Path, lim: Limits, unpacked: str) -> str:
    return (
        f"This workbook unpacks to {unpacked} (from {_size(path.stat().st_size)}), more than "
        f"the {_size(lim.unpacked)} a workbook may unpack to here, so it was not opened. "
        + SAVE_AS_CSV
    )


def _shared_bytes(size: int, lim: Limits) -> None:
    if size > lim.shared_bytes:
        raise Unreadable(
            f"This workbook's shared strings (the texts of its cells) unpack to {_size(size)}, "
            f"more than the {_size(lim.shared_bytes)} a workbook may hold here, so it was not "
            "opened. " + SAVE_AS_CSV
        )


# 2. The bytes -------------------------------------------------------------------------------

_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?(worksheet|sst)[\s/>]")
WORKSHEET = "/worksheet"
SHARED_STRINGS = "sharedStrings+xml"
MAIN = ".main+xml"  # the workbook part's content type (.sheet.main, .template.main, …)


@dataclass
class _Part:
    """One XML part's shape, fed block by block. A piece is what openpyxl holds at once: for a
    sheet, the bytes from one row's end to the next; for the shared strings, from one string's
    end to the next; for any other part, the whole part. Everything is counted with `find` and
    `count`, a few calls a block, so checking costs far less than unpacking."""

    name: str
    kind: str  # "rows", "strings" or "whole"
    lim: Limits
    carry: bytes = b""
    end: bytes = b""  # a piece's end tag, once the part's namespace prefix is known
    starts: tuple[bytes, ...] = ()  # what a record's start looks like (rows are counted)
    piece_bytes: int = 0
    piece_tags: int = 0
    records: int = 0
    kept: list[bytes] = field(default_factory=list)  # the part itself, when it is to be parsed

    def feed(self, data: bytes, last: bool = False) -> None:
        if self.kind != "whole" and not self.end:
            self._begin(data)
        data = self.carry + data if self.carry else data
        # Scan up to the last "<", so that no tag is cut in two; the rest goes with the next.
        cut = len(data) if last else max(data.rfind(b"<"), 0)
        self.carry = data[cut:]
        if len(self.carry) > self.lim.piece:
            self._refuse_piece()
        if cut:
            self._scan(data[:cut] if cut < len(data) else data)

    def _begin(self, data: bytes) -> None:
        """Learn the root element's prefix ("x:" in <x:worksheet>) from the first block; a
        part whose root is not what its kind says is held to the limits of a whole part."""
        root = _ROOT.search(data[:4096])
        expected = b"worksheet" if self.kind == "rows" else b"sst"
        if root is None or root.group(2) != expected:
            self.kind = "whole"
            return
        prefix = root.group(1) or b""
        name = b"row" if self.kind == "rows" else b"si"
        self.end = b"</" + prefix + name + b">"
        if self.kind == "rows":
            self.starts = (b"<" + prefix + name,)  # "<rowBreaks" too: once a sheet at most
        else:
            self.starts = (b"<" + prefix + name + b"/>", b"<" + prefix + name + b" />")

    def _scan(self, seg: bytes) -> None:
        if b"<!" in seg and (b"<!DOCTYPE" in seg or b"<!ENTITY" in seg):
            raise Unreadable(
                f"Part “{self.name[:80]}” of this workbook declares a DTD, which spreadsheets "
                "never do, so it was not opened. " + SAVE_AS_CSV
            )
        first = seg.find(self.end) if self.end else -1
        if first < 0:  # the piece goes on
            self._grow(len(seg), seg.count(b"<"))
        else:
            first += len(self.end)
            self._grow(first, seg.count(b"<", 0, first))
            last = seg.rfind(self.end) + len(self.end)
            # Pieces wholly inside this block are smaller than the block: not counted.
            self.piece_bytes, self.piece_tags = len(seg) - last, seg.count(b"<", last)
        if self.kind == "whole":
            return
        if self.kind == "rows":
            self.records += sum(seg.count(s) for s in self.starts)
            if self.records > self.lim.rows:
                raise Unreadable(
                    f"A sheet of this workbook has more than {self.lim.rows:,} rows, more than "
                    "a spreadsheet can hold, so it was not opened."
                )
        else:
            self.records += seg.count(self.end) + sum(seg.count(s) for s in self.starts)
            if self.records > self.lim.shared_strings:
                raise Unreadable(
                    f"This workbook holds more than {self.lim.shared_strings:,} different texts "
                    "(its shared strings), more than a workbook may hold here, so it was not "
                    "opened. " + SAVE_AS_CSV
                )

    def _grow(self, size: int, tags: int) -> None:
        self.piece_bytes += size
        self.piece_tags += tags
        if self.piece_bytes > self.lim.piece or self.piece_tags > self.lim.tags:
            self._refuse_piece()

    def _refuse_piece(self) -> None:
        what = {"rows": "one row of a sheet", "strings": "one of its texts"}.get(
            self.kind, f"its part “{self.name[:80]}”"
        )
        raise Unreadable(
            f"This workbook was not opened: {what} is larger than a spreadsheet writes "
            f"(over {_size(self.lim.piece)} or {self.lim.tags:,} elements at once). " + SAVE_AS_CSV
        )


def _blocks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as stream:
        while block := stream.read(BLOCK):
            yield block


def _is_xml(first: bytes) -> bool:
    start = first.lstrip(b"\xef\xbb\xbf").lstrip()
    return start.startswith(b"<") or first.startswith((b"\xff\xfe", b"\xfe\xff"))


class _Reading:
    """The archive's bytes unpacked once per part, with the running total."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, lim: Limits) -> None:
        self.archive, self.path, self.lim = archive, path, lim
        self.total = 0

    def shape(self, info: zipfile.ZipInfo, kind: str, keep: bool = False) -> bytes:
        """Unpack one part as a stream, checking its shape; its bytes if `keep` (small parts)."""
        part = _Part(info.filename, kind, self.lim)
        xml: bool | None = None
        size = 0
        for block in _blocks(self.archive, info):
            size += len(block)
            self.total += len(block)
            if self.total > self.lim.unpacked:
                raise Unreadable(_too_big(self.path, self.lim, "more than it says"))
            if kind == "strings":
                _shared_bytes(size, self.lim)
            if xml is None:
                xml = _is_xml(block[:64])
            if xml:
                part.feed(block)
                if keep:
                    part.kept.append(block)
        if xml:
            part.feed(b"", last=True)
        return b"".join(part.kept)


def _targets(rels_name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(type, part name) of each internal relationship, resolved as openpyxl resolves them."""
    source = posixpath.dirname(posixpath.dirname(rels_name))  # "xl/_rels/x.rels" → "xl"
    for rel in _parse(rels_name, data).iter():
        if not rel.tag.endswith("Relationship") or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        if target.startswith("/"):
            name = target[1:]
        else:
            name = posixpath.normpath(posixpath.join(source, target))
        yield rel.get("Type") or "", name


def _parse(name: str, data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)  # checked above: small, no DTD
    except ElementTree.ParseError:
        raise Unreadable(DAMAGED) from None


# The parts openpyxl reads whole by their fixed names.
FIXED = {
    "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/styles.xml",
    "xl/theme/theme1.xml", "docProps/core.xml", "docProps/custom.xml", "docProps/app.xml",
}  # fmt: skip


def _kinds(reading: _Reading, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """How openpyxl will read each part: "rows" (a worksheet, streamed), "strings" (the shared
    strings, streamed into a list) or "whole". The content types and the relationships are
    read first (whole, so held to those limits)."""
    sheets: set[str] = set()
    others: set[str] = set(FIXED)
    strings: set[str] = set()
    for info in infos:
        name = info.filename
        if name == "[Content_Types].xml":
            root = _parse(name, reading.shape(info, "whole", keep=True))
            for item in root.iter():
                part = (item.get("PartName") or "").lstrip("/")
                content = item.get("ContentType") or ""
                if part and SHARED_STRINGS in content:
                    strings.add(part)
                elif part and MAIN in content:
                    others.add(part)  # the workbook part: read whole
        elif name.endswith(".rels"):
            for kind, target in _targets(name, reading.shape(info, "whole", keep=True)):
                (sheets if kind.endswith(WORKSHEET) else others).add(target)
    kinds = dict.fromkeys(sheets - others - strings, "rows")
    kinds.update(dict.fromkeys(strings, "strings"))
    return kinds


def check_workbook(path: Path, lim: Limits | None = None) -> None:
    """Raise Unreadable unless the workbook at `path` can be opened by openpyxl without
    unpacking or holding more than the limits allow. Reads it through once, keeping nothing."""
    lim = lim or limits()
    path = Path(path)
    members = count_members(path)
    if members > lim.members:
        raise Unreadable(
            f"This file holds {members:,} parts; a workbook has a few dozen, so it was not "
            "opened. " + SAVE_AS_CSV
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            _declared(archive, path, lim)
            reading = _Reading(archive, path, lim)
            kinds = _kinds(reading, infos)
            for info in infos:
                name = info.filename
                if name == "[Content_Types].xml" or name.endswith(".rels") or info.is_dir():
                    continue
                reading.shape(info, kinds.get(name, "whole"))
    except Unreadable:
        raise
    except Exception:
        # zipfile raises many kinds: a damaged archive, a part whose bytes do not match its
        # checksum or its declared size (a lie about its size ends here), encryption, an
        # unknown compression method.
        raise Unreadable(DAMAGED) from None
