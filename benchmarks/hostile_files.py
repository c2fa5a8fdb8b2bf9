"""Hostile files for the importers, written on the spot (never committed: some unpack to a GB).

Each builder writes one file and returns its path; the tests use them small, and
`benchmarks.hostile` at full size to measure the peak memory of reading them. A workbook is
written part by part with `zipfile`, so a test can make any shape openpyxl would never write.
"""

import random
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

MB = 1024 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>'
    f'<Override PartName="{{strings}}" ContentType="{TYPE}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    "{extra}</Relationships>"
)
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
STRINGS_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'
STRINGS_TAIL = "</sst>"
# Two columns of shared strings: the headings "Date" and "Question", then rows.
HEADINGS_ROW = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'


def _row(n: int) -> str:
    return (
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>2025-01-{1 + n % 28:02d}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t>Question {n}</t></is></c></row>'
    )


def write_workbook(
    path: Path,
    *,
    sheet: Iterable[bytes] | None = None,
    strings: Iterable[bytes] | None = None,
    parts: dict[str, bytes] | None = None,
    rels: str = "",
    strings_part: str = "xl/sharedStrings.xml",
) -> Path:
    """A one-sheet workbook: `sheet` and `strings` are the parts' bodies as blocks of bytes
    (streamed into the archive, so a GB costs no memory); `parts` adds or replaces parts."""
    sheet = sheet if sheet is not None else [HEADINGS_ROW.encode(), _row(2).encode()]
    strings = strings if strings is not None else [b"<si><t>Date</t></si><si><t>Question</t></si>"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(strings="/" + strings_part))
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=rels))
        _stream(z, "xl/worksheets/sheet1.xml", SHEET_HEAD, sheet, SHEET_TAIL)
        _stream(z, strings_part, STRINGS_HEAD, strings, STRINGS_TAIL)
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return path


def _stream(z: zipfile.ZipFile, name: str, head: str, body: Iterable[bytes], tail: str) -> None:
    with z.open(name, "w", force_zip64=True) as out:
        out.write(head.encode())
        for block in body:
            out.write(block)
        out.write(tail.encode())


def repeat(item: bytes, mb: float) -> Iterator[bytes]:
    """`item` over and over, `mb` megabytes of it, a megabyte at a time."""
    block = item * max(1, MB // len(item))
    for _ in range(int(mb * MB) // len(block)):
        yield block


def shared_strings_bomb(path: Path, mb: float = 1024) -> Path:
    """The bomb of the issue: a file of a few MB whose shared strings unpack to `mb` MB of
    two-letter texts (openpyxl keeps each one, as a Python string, in a list)."""
    return write_workbook(path, strings=repeat(b"<si><t>ab</t></si>", mb))


def sheet_bomb(path: Path, mb: float = 1024) -> Path:
    """A classic zip bomb: one sheet of `mb` MB of the same empty row."""
    return write_workbook(path, sheet=repeat(b"<row><c><v>1</v></c></row>", mb))


def lying_sizes(path: Path, mb: float = 64, says: int = 1000) -> Path:
    """A shared strings bomb whose central directory says each part unpacks to `says` bytes
    at most: the declared sizes lie, only the bytes tell."""
    shared_strings_bomb(path, mb)
    data = bytearray(path.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    (start,) = struct.unpack("<L", data[at + 16 : at + 20])
    pos = start
    while data[pos : pos + 4] == b"PK\x01\x02":
        size, name_len, extra_len, comment_len = struct.unpack("<L3H", data[pos + 24 : pos + 34])
        if size > says or size == 0xFFFFFFFF:
            data[pos + 24 : pos + 28] = struct.pack("<L", says)
            extra = pos + 46 + name_len
            end = extra + extra_len
            while extra < end:  # the zip64 field holds the true size: make it lie too
                tag, length = struct.unpack("<HH", data[extra : extra + 4])
                if tag == 1:
                    data[pos + 24 : pos + 28] = b"\xff\xff\xff\xff"
                    data[extra + 4 : extra + 12] = struct.pack("<Q", says)
                extra += 4 + length
        pos += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def random_cells(count: int, seed: int = 1) -> Iterator[bytes]:
    """`count` cells of random numbers in one row (hardly compressible), in blocks."""
    rng = random.Random(seed)
    for start in range(0, count, 10_000):
        yield "".join(
            f"<c><v>{rng.randrange(10**9)}</v></c>" for _ in range(min(10_000, count - start))
        ).encode()


def wide_row(path: Path, cells: int = 1_000_000) -> Path:
    """One row of a million cells: openpyxl holds a row whole before it yields it."""
    return write_workbook(path, sheet=[b"<row>", *random_cells(cells), b"</row>"])


def many_strings(path: Path, count: int, seed: int = 1) -> Path:
    """`count` different shared strings (random, so they compress as text does)."""
    rng = random.Random(seed)

    def body() -> Iterator[bytes]:
        for start in range(0, count, 10_000):
            yield "".join(
                f"<si><t>{rng.randrange(10**12)}</t></si>"
                for _ in range(min(10_000, count - start))
            ).encode()

    return write_workbook(path, strings=body())


def zip_not_workbook(path: Path) -> Path:
    """A real zip archive named .xlsx that holds no workbook."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "Minutes of the meeting, not a spreadsheet.\n" * 50)
    return path


def png(path: Path) -> Path:
    """A small PNG image (named whatever the caller chose, say .csv)."""
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">L", len(data)) + body + struct.pack(">L", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(range(64)) * 3 for _ in range(64))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">LLBBBBB", 64, 64, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


# Text files: CSV ---------------------------------------------------------------------------

CSV_HEAD = "Timestamp,Staff,Question,How asked\n"


def csv_long_line(path: Path, mb: float = 100) -> Path:
    """A heading, then one line of `mb` MB that never ends (a damaged download)."""
    with path.open("w") as f:
        f.write(CSV_HEAD + "2025-01-02 10:00,AL,")
        for block in repeat(b"x", mb):
            f.write(block.decode())
    return path


def csv_long_lines(path: Path, lines: int = 150) -> Path:
    """`lines` lines of a MB each, every one of them a third of a million tiny cells."""
    line = "ab," * (MB // 3 - 1) + "ab\n"
    with path.open("w") as f:
        f.write(CSV_HEAD)
        for _ in range(lines):
            f.write(line)
    return path


def csv_wide(path: Path, columns: int = 300_000, rows: int = 3) -> Path:
    """A heading of `columns` columns, then a few rows as wide."""
    with path.open("w") as f:
        f.write(",".join(f"c{n}" for n in range(columns)) + "\n")
        for _ in range(rows):
            f.write("2025-01-02," + ",".join("v" for _ in range(columns - 1)) + "\n")
    return path


def csv_quoted_newlines(path: Path, mb: float = 50) -> Path:
    """A row whose last field opens a quote that runs to the end: `mb` MB of short lines."""
    with path.open("w") as f:
        f.write(CSV_HEAD + '2025-01-02 10:00,AL,"')
        for block in repeat(b"x\n", mb):
            f.write(block.decode())
    return path


def csv_endless_record(path: Path, mb: float = 50) -> Path:
    """One record of millions of fields, each quoted over a line break, so that no line is
    long: `"a<newline>",` again and again."""
    with path.open("w") as f:
        f.write(CSV_HEAD + "2025-01-02 10:00,")
        for block in repeat(b'"a\n",', mb):
            f.write(block.decode())
    return path


def csv_utf16_without_bom(path: Path, rows: int = 50_000) -> Path:
    text = CSV_HEAD + "".join(f"2025-01-02 10:00,AL,Question {n},Chat\n" for n in range(rows))
    path.write_bytes(text.encode("utf-16-le"))
    return path


def csv_bad_bytes_late(path: Path, rows: int = 100_000) -> Path:
    """UTF-8 for the first 256 KiB and more, then Windows-1252 bytes and stray binary."""
    with path.open("wb") as f:
        f.write(CSV_HEAD.encode())
        for n in range(rows):
            f.write(f"2025-01-02 10:00,AL,Question {n},Chat\n".encode())
            if n > rows // 2 and n % 1000 == 0:
                f.write(b"2025-01-02 10:00,AL,Caf\xe9 \xff\xfe\x81 hours,Chat\n")
    return path


def random_bytes(path: Path, mb: float = 20, seed: int = 1) -> Path:
    rng = random.Random(seed)
    with path.open("wb") as f:
        for _ in range(int(mb)):
            f.write(rng.randbytes(MB))
    return path


def zero_bytes(path: Path, mb: float = 50) -> Path:
    with path.open("wb") as f:
        for block in repeat(b"\0", mb):
            f.write(block)
    return path


# Text files: vCard and iCalendar -----------------------------------------------------------


def vcard_long_property(path: Path, mb: float = 100) -> Path:
    """One card whose NOTE is one line of `mb` MB."""
    with path.open("wb") as f:
        f.write(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Long\r\nNOTE:")
        for block in repeat(b"x", mb):
            f.write(block)
        f.write(b"\r\nEND:VCARD\r\n")
    return path


def vcard_folded_forever(path: Path, mb: float = 100) -> Path:
    """One property folded over millions of short continuation lines."""
    with path.open("wb") as f:
        f.write(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Folded\r\nNOTE:x")
        for block in repeat(b"\r\n x", mb):
            f.write(block)
        f.write(b"\r\nEND:VCARD\r\n")
    return path


def vcard_many(path: Path, cards: int = 200_000) -> Path:
    with path.open("w") as f:
        for n in range(cards):
            f.write(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\n"
                f"EMAIL:person{n}@uni.example\r\nEND:VCARD\r\n"
            )
    return path


ICS_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\n"


def ics_rrule_bomb(path: Path, start: str = "20250101T090000Z") -> Path:
    """One daily meeting whose rule repeats it every second of every day."""
    hours = ",".join(str(h) for h in range(24))
    minutes = ",".join(str(m) for m in range(60))
    path.write_text(
        ICS_HEAD + "BEGIN:VEVENT\r\nUID:bomb@hostile\r\n"
        f"DTSTART:{start}\r\nDTEND:{start[:-5]}3000Z\r\nSUMMARY:Every second\r\n"
        f"RRULE:FREQ=DAILY;BYHOUR={hours};BYMINUTE={minutes};BYSECOND={minutes}\r\n"
        "ATTENDEE;CN=Ann:mailto:ann@uni.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return path


def ics_many_daily(path: Path, events: int = 20_000, start: str = "19600101T090000Z") -> Path:
    """Many daily meetings that began decades ago, each with a few attendees."""
    with path.open("w") as f:
        f.write(ICS_HEAD)
        for n in range(events):
            f.write(
                f"BEGIN:VEVENT\r\nUID:daily-{n}@hostile\r\nDTSTART:{start}\r\n"
                f"DTEND:{start[:-5]}3000Z\r\nSUMMARY:Stand-up {n}\r\nRRULE:FREQ=DAILY\r\n"
                f"ATTENDEE;CN=A {n}:mailto:a{n}@uni.example\r\n"
                f"ATTENDEE;CN=B {n}:mailto:b{n}@uni.example\r\nEND:VEVENT\r\n"
            )
        f.write("END:VCALENDAR\r\n")
    return path


def ics_long_line(path: Path, mb: float = 19) -> Path:
    with path.open("w") as f:
        f.write(
            ICS_HEAD + "BEGIN:VEVENT\r\nUID:long@hostile\r\nDTSTART:20250102T090000Z\r\n"
            "DTEND:20250102T100000Z\r\nSUMMARY:Long\r\nDESCRIPTION:"
        )
        for block in repeat(b"x", mb):
            f.write(block.decode())
        f.write("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return path
