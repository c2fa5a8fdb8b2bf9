"""What a text file is, from its first 256 KiB: its encoding, whether it is a table at all
(not a web page, a PDF, binary data), and the delimiter that splits its lines into columns."""

from __future__ import annotations

import codecs
import csv

from rapport.imports.sources.errors import Unreadable

SNIFF_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError as err:
        raise Unreadable(f"'{encoding}' is not an encoding this reader knows.") from err


def detect_encoding(head: bytes, warnings: list[str]) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    probe = head[:4096]
    zeros = probe.count(0)
    if not few_zeros(zeros, len(probe)):
        even = probe[0::2].count(0)
        odd = probe[1::2].count(0)
        if zeros > len(probe) // 4 and (odd > 0.9 * zeros or even > 0.9 * zeros):
            # Text in UTF-16 without a byte order mark: every other byte is zero.
            guess = "utf-16-le" if odd > even else "utf-16-be"
            try:
                text = head.decode(guess, errors="strict")
            except UnicodeDecodeError:
                text = ""
            if text and _looks_like_text(text):
                warnings.append(
                    "The file is UTF-16 without a byte order mark; read as "
                    f"{'little' if guess.endswith('le') else 'big'}-endian UTF-16."
                )
                return guess
        raise Unreadable(
            "This file holds binary data, not text: it is not a CSV or spreadsheet export."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < SNIFF_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        warnings.append(
            "The file is not UTF-8; it was read as Windows-1252 (Western European). "
            "If letters look wrong, choose its encoding."
        )
        return "cp1252"


def few_zeros(count: int, length: int) -> bool:
    """Whether this many NUL bytes are a few damaged cells in a text file (refused row by row
    when the rows are read, see `rapport.text`) rather than binary data or a run of zeros."""
    return count <= max(2, length // 100)


def _looks_like_text(text: str) -> bool:
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\x00")
    return control < max(2, len(text[:4096]) // 100)


def decode_head(head: bytes, encoding: str) -> str:
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if not few_zeros(text.count("\x00"), len(text)) or not _looks_like_text(text):
        raise Unreadable(
            "This file holds binary data, not text: it is not a CSV or spreadsheet export."
        )
    return text.lstrip("\ufeff")


def refuse_non_tables(text: str) -> None:
    start = text.lstrip()[:2048].lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        start.startswith("<") and ("<html" in start or "<body" in start or "<div" in start)
    ):
        raise Unreadable(
            "This file is a web page (HTML), not a CSV export. This usually happens when an "
            "export link is saved while signed out: download the export again from the system."
        )
    if start.startswith("<?xml"):
        raise Unreadable("This file is XML, not a CSV export or an XLSX workbook.")
    if start.startswith("%pdf"):
        raise Unreadable("This file is a PDF, not a CSV export or an XLSX workbook.")


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the most columns, consistently."""
    lines = text.split("\n")[:60]  # not splitlines(): form feeds and the like are data
    if len(text) >= SNIFF_BYTES - 4 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        same = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = same * widths[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best
