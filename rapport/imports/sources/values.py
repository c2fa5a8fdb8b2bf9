"""Cell text → typed values: dates and times, minutes, READ levels, e-mail addresses, ORCID iDs.

Each parser returns None for text it cannot read; the caller says what was wrong (and caches
results per distinct text: the same dates, times and durations repeat across a file's rows).
"""

from __future__ import annotations

import datetime as dt
import re

CACHE_LIMIT = 4096  # entries per cache: bounded memory, whatever the file's size
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip

_TIME = r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?)?"
_ZONE = r"\s*(z|utc|gmt|[+-]\d{2}:?\d{2})?"
ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE + r"$", re.I)
NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})" + _TIME + _ZONE + r"$", re.I)
DAY_MONTH = re.compile(
    r"(?:[a-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})"
    + _TIME
    + _ZONE
    + r"$",
    re.I,
)
MONTH_DAY = re.compile(
    r"(?:[a-z]+,?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _TIME + _ZONE + r"$",
    re.I,
)
TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?$", re.I)
HOUR_ONLY = re.compile(r"(\d{1,2})\s*([ap]\.?m\.?)$", re.I)
SERIAL = re.compile(r"\d{4,5}(?:\.\d+)?$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    text = text.lower()
    if text in ("z", "utc", "gmt"):
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _clock(
    hour: str | None, minute: str | None, second: str | None, half: str | None
) -> tuple[int, int, int] | None:
    """(hour, minute, second) from the time groups, or None if they are out of range."""
    if hour is None:
        return None
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.lower().startswith("p") else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return h, m, s


def _build(
    year: int, month: int, day: int, groups: tuple[str | None, ...]
) -> tuple[dt.datetime, bool] | None:
    """A naive or aware datetime and whether a time was given, or None if it is no date."""
    hour, minute, second, half, zone = groups
    clock = _clock(hour, minute, second, half)
    if hour is not None and clock is None:
        return None
    h, m, s = clock or (12, 0, 0)
    try:
        value = dt.datetime(year, month, day, h, m, s, tzinfo=_zone(zone))
    except ValueError:
        return None
    return value, clock is not None


def parse_datetime(
    text: str, order: str = "dmy", serials: bool = False
) -> tuple[dt.datetime, bool] | None:
    """Read a date with an optional time: ISO, day/month/year or month/day/year (`order`),
    "5 March 2024", "March 5, 2024", or an Excel serial number (`serials`). The flag says
    whether a time was given; a date alone is 12:00."""
    text = text.strip()
    if not text:
        return None
    if text[0].isdigit() and len(text) >= 10 and text[4] == "-":
        try:
            value = dt.datetime.fromisoformat(text)
            if len(text) == 10:
                return value.replace(hour=12), False
            return value, True
        except ValueError:
            pass
    match = ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.group(1, 2, 3))
        return _build(year, month, day, match.groups()[3:])
    match = NUMERIC.match(text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        day, month = (first, second) if order == "dmy" else (second, first)
        return _build(_year(match.group(3)), month, day, match.groups()[3:])
    match = DAY_MONTH.match(text)
    if match and match.group(2).lower() in MONTHS:
        month = MONTHS[match.group(2).lower()]
        return _build(_year(match.group(3)), month, int(match.group(1)), match.groups()[3:])
    match = MONTH_DAY.match(text)
    if match and match.group(1).lower() in MONTHS:
        month = MONTHS[match.group(1).lower()]
        return _build(int(match.group(3)), month, int(match.group(2)), match.groups()[3:])
    if serials and SERIAL.match(text):
        days = float(text)
        if 20_000 <= days <= 80_000:  # 1954 to 2119
            value = EXCEL_EPOCH + dt.timedelta(days=days)
            value = value.replace(microsecond=0)
            if round(days % 1 * 86400) == 0:
                return value.replace(hour=12), False
            return value, True
    return None


def parse_time(text: str) -> dt.time | None:
    """ "14:30", "14:30:05", "2:30 PM", "2pm", or an Excel fraction of a day ("0.5")."""
    text = text.strip()
    match = TIME.match(text)
    if match:
        clock = _clock(*match.groups())
        return dt.time(*clock) if clock else None
    match = HOUR_ONLY.match(text)
    if match:
        clock = _clock(match.group(1), "0", "0", match.group(2))
        return dt.time(*clock) if clock else None
    try:
        fraction = float(text)
    except ValueError:
        return None
    if 0 <= fraction < 1:
        seconds = round(fraction * 86400)
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return None


def numeric_order_evidence(text: str) -> str | None:
    """'dmy' or 'mdy' when a numeric date can only be read one way ("25/03/2024"), else None."""
    match = NUMERIC.match(text.strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


_NUMBER = r"(\d+(?:[.,]\d+)?)"
HOURS_MINUTES = re.compile(r"(\d{1,3}):(\d{2})(?::(\d{2}))?$")
UNITS = re.compile(
    r"(?:(\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hour|hours))?\s*(?:(\d+)\s*(?:m|min|mins|minute|minutes)?)?$"
)
RANGE = re.compile(_NUMBER + r"\s*([a-z]*)\s*(?:-|–|—|to)\s*" + _NUMBER + r"\s*([a-z]*)$")
UNDER = re.compile(r"(?:<|under|less than|up to|fewer than|below)\s*" + _NUMBER + r"\s*([a-z]*)$")
OVER = re.compile(r"(?:>|over|more than|at least|above)\s*" + _NUMBER + r"\s*([a-z]*)\+?$")
PLUS = re.compile(_NUMBER + r"\s*\+\s*([a-z]*)$|" + _NUMBER + r"\s*([a-z]*)\s*(?:\+|or more)$")
# Words for numbers that forms write out: "over an hour", "half an hour", "a few minutes".
SPELLED = (
    (re.compile(r"\bhalf an hour\b|\bhalf hour\b"), "30 min"),
    (re.compile(r"\b(?:an|a|one) hour\b"), "1 hour"),
    (re.compile(r"\btwo hours\b"), "2 hours"),
    (re.compile(r"\ba few minutes\b|\ba couple of minutes\b"), "3 min"),
)


def _unit_minutes(number: str, unit: str) -> float | None:
    value = float(number.replace(",", "."))
    if unit in ("", "m", "min", "mins", "minute", "minutes"):
        return value
    if unit in ("h", "hr", "hrs", "hour", "hours"):
        return value * 60
    return None


def _round_up(value: float) -> int:
    return int(-(-value // 1))


def parse_minutes(text: str) -> int | None:
    """Minutes from "20", "0:20", "1h30", "1 hour 30 min", "20 min", "1.5 hours", and ranges
    read as their middle, rounded up: "10-20 minutes" (15), "5–15 min" (10), "1-2 hours" (90),
    "under 5 minutes" (3, the middle of 0 to 5). An open range upwards is read as its bound:
    "60+", "more than 60", "over an hour" (60)."""
    text = " ".join(text.lower().replace("mins.", "min").split())
    if not text:
        return None
    if text.isdecimal():
        return int(text)
    match = HOURS_MINUTES.match(text)
    if match:
        hours, minutes, seconds = int(match.group(1)), int(match.group(2)), match.group(3)
        if minutes > 59:
            return None
        if seconds is not None:  # "0:20:00" is hours:minutes:seconds
            return hours * 60 + minutes + (1 if int(seconds) >= 30 else 0)
        return hours * 60 + minutes
    for spelled, written in SPELLED:
        text = spelled.sub(written, text)
    match = RANGE.match(text)
    if match:
        unit = match.group(4) or match.group(2)
        low = _unit_minutes(match.group(1), match.group(2) or unit)
        high = _unit_minutes(match.group(3), unit)
        if low is None or high is None or high < low:
            return None
        return _round_up((low + high) / 2)
    match = UNDER.match(text)
    if match:
        found = _unit_minutes(match.group(1), match.group(2))
        return None if found is None else max(1, _round_up(found / 2))
    match = OVER.match(text)
    plus = None if match else PLUS.match(text)
    if match or plus:
        if match:
            number, unit = match.group(1), match.group(2)
        else:
            assert plus is not None
            number = plus.group(1) or plus.group(3)
            unit = plus.group(2) or plus.group(4) or ""
        found = _unit_minutes(number, unit)
        return None if found is None else round(found)
    match = UNITS.match(text.replace(" ", ""))
    if match and (match.group(1) or match.group(2)):
        hours_f = float(match.group(1).replace(",", ".")) if match.group(1) else 0.0
        return round(hours_f * 60 + int(match.group(2) or 0))
    return None


def is_range(text: str) -> bool:
    """Whether a minutes cell is a range or a bound ("5–15 min", "under 5", "60+"), which
    parse_minutes reads as one number (said in the import's report)."""
    text = " ".join(text.lower().split())
    for spelled, written in SPELLED:
        text = spelled.sub(written, text)
    return bool(RANGE.match(text) or UNDER.match(text) or OVER.match(text) or PLUS.match(text))


READ_LEVEL = re.compile(r"(?:read)?\s*(?:level|scale)?\s*[:#-]?\s*([1-6])(?:\b|$)", re.I)


def parse_read_level(text: str) -> int | None:
    """1–6 from "3", "READ 3", "READ scale: 3", "3 - Ready reference", "Level 3"."""
    match = READ_LEVEL.match(text.strip())
    return int(match.group(1)) if match else None


EMAIL = re.compile(r"[^@\s<>(),;:]+@[^@\s<>(),;:]+\.[^@\s<>(),;:]+$")
EMAIL_SPLIT = re.compile(r"[;,\s]+")


def parse_email(text: str) -> str | None:
    text = text.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.lower() if EMAIL.match(text) else None


ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$", re.I)


def parse_orcid(text: str) -> str | None:
    """ "0000-0002-1825-0097" from an iD or its URL, if its check digit holds."""
    text = text.strip().rsplit("/", 1)[-1]
    match = ORCID.match(text)
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(match.groups()).upper()
