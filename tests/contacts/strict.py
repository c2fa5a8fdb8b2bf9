"""A strict check of vCard 4.0 output against RFC 6350, written for these tests.

It fails on anything a strict parser could refuse: line ends other than CRLF, physical lines
over 75 octets or cut inside a UTF-8 sequence, content lines that do not follow the ABNF of
section 3.3, control characters in values, bad escapes in text values, and cards without
BEGIN, VERSION:4.0 right after it, FN, or END, or with more than one UID, REV, N or PRODID.
"""

import re

NAME = r"(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+"
SAFE = r'[^";:\x00-\x08\x0a-\x1f\x7f]'  # SAFE-CHAR: WSP, %x21, %x23-39, %x3C-7E, NON-ASCII
QSAFE = r'[^"\x00-\x08\x0a-\x1f\x7f]'
PARAM_VALUE = rf'(?:{SAFE}*|"{QSAFE}*")'
PARAM = rf"[A-Za-z0-9-]+={PARAM_VALUE}(?:,{PARAM_VALUE})*"
CONTENT_LINE = re.compile(rf"^({NAME})((?:;{PARAM})*):([^\x00-\x08\x0a-\x1f\x7f]*)$")
TEXT_ESCAPE = re.compile(r"\\(.|$)")
TEXT_PROPERTIES = {"FN", "NOTE", "TITLE", "ORG", "N", "ADR", "X-DIRECTORY-ID"}
AT_MOST_ONCE = {"UID", "REV", "N", "PRODID", "VERSION"}
REV = re.compile(r"^\d{8}T\d{6}Z$")


class NotStrict(AssertionError):
    pass


def physical_lines(data: bytes) -> list[bytes]:
    if not data:
        return []  # no cards at all
    if not data.endswith(b"\r\n"):
        raise NotStrict("the file does not end with CRLF")
    lines = data[:-2].split(b"\r\n")
    for n, line in enumerate(lines, 1):
        if b"\r" in line or b"\n" in line:
            raise NotStrict(f"line {n}: a bare CR or LF")
        if len(line) > 75:
            raise NotStrict(f"line {n}: {len(line)} octets, more than 75")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            raise NotStrict(f"line {n}: not UTF-8 on its own (a sequence split by folding)") from e
    return lines


def unfold(lines: list[bytes]) -> list[str]:
    out: list[bytearray] = []
    for n, line in enumerate(lines, 1):
        if line[:1] in (b" ", b"\t"):
            if not out:
                raise NotStrict(f"line {n}: a continuation with nothing before it")
            out[-1] += line[1:]
        else:
            out.append(bytearray(line))
    return [bytes(line).decode("utf-8") for line in out]


def check(data: bytes) -> list[list[tuple[str, str, str]]]:
    """The cards as lists of (name, params, value); raises NotStrict on the first fault."""
    cards: list[list[tuple[str, str, str]]] = []
    card: list[tuple[str, str, str]] | None = None
    for line in unfold(physical_lines(data)):
        match = CONTENT_LINE.match(line)
        if not match:
            raise NotStrict(f"not a content line: {line!r}")
        name, params, value = match.group(1).upper(), match.group(2), match.group(3)
        if (name, value.upper()) == ("BEGIN", "VCARD"):
            if card is not None:
                raise NotStrict("BEGIN inside a card")
            card = []
            continue
        if card is None:
            raise NotStrict(f"{name} outside a card")
        if (name, value.upper()) == ("END", "VCARD"):
            _check_card(card)
            cards.append(card)
            card = None
            continue
        if name in TEXT_PROPERTIES:
            for escape in TEXT_ESCAPE.findall(value):
                if escape not in {"\\", ",", ";", "n", "N"}:
                    raise NotStrict(f"{name}: bad escape \\{escape}")
            if name in {"FN", "NOTE", "TITLE", "X-DIRECTORY-ID"} and re.search(
                r"(?<!\\)(\\\\)*[,;]", value
            ):
                raise NotStrict(f"{name}: an unescaped comma or semicolon")
        card.append((name, params, value))
    if card is not None:
        raise NotStrict("the last card has no END")
    return cards


def _check_card(card: list[tuple[str, str, str]]) -> None:
    if not card or card[0][0] != "VERSION" or card[0][2] != "4.0":
        raise NotStrict("VERSION:4.0 must come right after BEGIN:VCARD")
    names = [name for name, _, _ in card]
    if "FN" not in names:
        raise NotStrict("no FN")
    for name in AT_MOST_ONCE:
        if names.count(name) > 1:
            raise NotStrict(f"{name} more than once")
    for name, _, value in card:
        if name == "REV" and not REV.match(value):
            raise NotStrict(f"REV {value!r} is not a UTC timestamp")
