"""Guessing which column holds which field, from the whole heading and from the column's values.

A form's headings are questions ("How did they contact you", "Staff time spent"), and two of
them can share a word with a field's synonym; so a heading counts for a field only as a whole
("Staff name" is the staff) or by a run of its words that is a synonym ("time spent"), and one
word out of a long heading is weak evidence. The values then confirm or overrule: a column of
"email", "walk in", "phone call" is a channel whatever its heading, "10-30 min" is minutes,
long free text the question, and a column called "Date" whose values are no dates is no date.

Every (field, column) pair gets a score from 0 to 1; the best pairs are taken first and each
column goes to one field only. The score is kept with the mapping (`Mapping.guesses`) so the
mapping screen can say how sure each guess is, and the dry run can say when the guess is weak.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rapport.imports.sources.fields import FIELDS_FOR, VALUE_SYNONYMS, by_words, fold, words
from rapport.imports.sources.values import (
    is_range,
    parse_datetime,
    parse_email,
    parse_minutes,
    parse_read_level,
)

TAKEN_AT = 0.5  # a pair scoring below this is not taken
SURE, LIKELY = 0.85, 0.65

# Phrases forms ask their questions in, by touchpoint field: (words in a row, score).
PHRASES: dict[str, tuple[tuple[str, float], ...]] = {
    "occurred_at": (("if not today", 0.85), ("date of", 0.8), ("when did", 0.8)),
    "channel": (
        ("how did they contact", 0.85), ("how did they get in touch", 0.85),
        ("how did they reach", 0.85), ("how did they ask", 0.85), ("method of contact", 0.85),
        ("mode of contact", 0.85), ("contact method", 0.85), ("contact mode", 0.85),
        ("how did it come in", 0.85), ("how was it asked", 0.85),
    ),
    "kind": (("type of contact", 0.75), ("kind of contact", 0.75), ("type of interaction", 0.8),
             ("type of service", 0.75), ("kind of help", 0.75)),
    "question": (("what did they need", 0.85), ("what did they ask", 0.85),
                 ("what was asked", 0.85), ("what did they want", 0.85),
                 ("their question", 0.85), ("what was the question", 0.85)),
    "answer": (("what did you do", 0.8), ("how did you help", 0.8), ("what was done", 0.8)),
    "minutes": (("how long", 0.85), ("time spent", 0.85), ("staff time", 0.8),
                ("how much time", 0.85)),
    "person_status": (("their status", 0.85), ("their affiliation", 0.85),
                      ("who were they", 0.7), ("patron type", 0.85), ("user type", 0.85)),
    "person_name": (("their name", 0.85), ("who did you", 0.8), ("patron name", 0.9)),
    "person_email": (("their email", 0.9), ("patron email", 0.9)),
    "group": (("their department", 0.85), ("their group", 0.85), ("their course", 0.8)),
}  # fmt: skip

REASONS = {
    "heading": "from the heading",
    "both": "from the heading and the values",
    "values": "from the values",
    "doubt": "from the heading, though the values do not fit",
    "form": "a form's respondent",
    "else": "used when the column before it is empty",
}


@dataclass(frozen=True)
class Sample:
    """What is known of a column before the import: its most frequent values and how many of
    the rows read have it filled in (of `rows`)."""

    values: tuple[str, ...] = ()
    filled: int = 0
    rows: int = 0

    @property
    def fill(self) -> float:
        return self.filled / self.rows if self.rows else 1.0


def _heading_score(
    name: str, header: str, synonyms: set[str], phrases: tuple[tuple[str, float], ...]
) -> float:
    key = fold(header)
    if key and key in synonyms:
        return 1.0
    found = words(header)
    best = 0.0
    text = " ".join(found)
    for phrase, score in phrases:
        if f" {phrase} " in f" {text} ":
            best = max(best, score)
    for size in (4, 3, 2):
        for i in range(len(found) - size + 1):
            if "".join(found[i : i + size]) in synonyms:
                best = max(best, 0.8)
    single = 0.7 if len(found) <= 2 else 0.45
    if any(word in synonyms and len(word) > 2 for word in found):
        best = max(best, single)
    return best


def _share(values: tuple[str, ...], test: Callable[[str], bool]) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _is_date(text: str) -> bool:
    return parse_datetime(text) is not None or parse_datetime(text, "mdy") is not None


def _long_text(text: str) -> bool:
    return len(text) >= 30 and text.count(" ") >= 4


def _value_score(name: str, values: tuple[str, ...], target: str = "touchpoints") -> float | None:
    """How well the values fit the field: 0 when they do not, None when values say nothing
    about it (a name, a topic, staff initials)."""
    if not values:
        return None
    if name == "occurred_at":
        return 0.8 if _share(values, _is_date) >= 0.8 else 0.0
    if name == "minutes":
        if _share(values, lambda v: parse_minutes(v) is not None and not _is_date(v)) < 0.8:
            return 0.0
        worded = _share(values, lambda v: is_range(v) or any(c.isalpha() for c in v))
        return 0.9 if worded >= 0.5 else 0.4
    if name == "read_level":
        if _share(values, lambda v: parse_read_level(v) is not None) < 0.8:
            return 0.0
        return 0.9 if _share(values, lambda v: "read" in v.lower()) >= 0.5 else 0.3
    if name in ("person_email", "email"):
        return 0.85 if _share(values, lambda v: parse_email(v) is not None) >= 0.8 else 0.0
    if name == "question":
        return 0.7 if _share(values, _long_text) >= 0.6 and len(values) >= 3 else None
    known = _known_values(name, target)
    if known:
        share = _share(values, lambda v: (known.get(fold(v)) or by_words(known, v)) is not None)
        return share if share >= 0.6 else 0.0
    return None


def _known_values(name: str, target: str) -> dict[str, str]:
    spec = FIELDS_FOR[target].get(name)
    if spec is None or not spec.choices:
        return {}
    known: dict[str, str] = {}
    for value, label in spec.choices:
        if value != "other":
            known[fold(value)] = value
            known[fold(label)] = value
    for word, value in VALUE_SYNONYMS.get(name, {}).items():
        known.setdefault(fold(word), value)
    return known


def score(
    name: str, header: str, sample: Sample | None, target: str = "touchpoints"
) -> tuple[float, str]:
    """How likely the column holds the field of `target` (touchpoints or people), and on what
    evidence (a key of REASONS)."""
    spec = FIELDS_FOR[target][name]
    phrases = PHRASES.get(name, ()) if target == "touchpoints" else ()
    heading = _heading_score(name, header, {fold(s) for s in spec.synonyms}, phrases)
    value = _value_score(name, sample.values, target) if sample else None
    if value is None:
        return heading, "heading"
    if value == 0.0:
        return heading * 0.6, "doubt"
    if heading == 0.0:
        return round(value * 0.8, 3), "values"
    return round(1 - (1 - heading) * (1 - value), 3), "both"


def guess_columns(
    headers: list[str], target: str, samples: dict[str, Sample] | None = None
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, dict[str, object]]]:
    """(columns, fallbacks, guesses): the columns of each field, the column each falls back
    to when empty, and for each guessed field its column, score and reason."""
    if target not in FIELDS_FOR:
        target = "touchpoints"
    fields = FIELDS_FOR[target]
    samples = samples or {}
    columns: dict[str, list[str]] = {}
    guesses: dict[str, dict[str, object]] = {}
    used: set[str] = set()
    folded = [fold(h) for h in headers]
    form = target == "touchpoints" and bool(folded) and folded[0] == "timestamp"
    respondent = next(
        (h for h, k in zip(headers, folded, strict=True) if k == "emailaddress"), None
    )
    pairs: list[tuple[float, int, int, str, str, str]] = []
    for f_at, (name, spec) in enumerate(fields.items()):
        if not spec.synonyms and name != "question":
            continue
        for c_at, header in enumerate(headers):
            if not fold(header):
                continue
            if form and header == respondent:
                if name == "staff":
                    pairs.append((0.9, f_at, c_at, name, header, "form"))
                continue  # whoever filled in the form, never the person helped
            found, why = score(name, header, samples.get(header), target)
            if found >= TAKEN_AT:
                pairs.append((found, f_at, c_at, name, header, why))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    for found, _, _, name, header, why in pairs:
        if name in columns or header in used:
            continue
        columns[name] = [header]
        used.add(header)
        guesses[name] = {"column": header, "score": round(found, 2), "why": why}
    fallbacks: dict[str, list[str]] = {}
    if target == "touchpoints":
        _pair_date_and_time(headers, columns, used)
        _dates(headers, columns, fallbacks, guesses, samples, used)
    return columns, fallbacks, guesses


def _dates(
    headers: list[str],
    columns: dict[str, list[str]],
    fallbacks: dict[str, list[str]],
    guesses: dict[str, dict[str, object]],
    samples: dict[str, Sample],
    used: set[str],
) -> None:
    """A form's "Date (if not today)" filled in only when an entry was logged later: it wins,
    and the submission's Timestamp stands in when it is empty. Likewise any date column that
    is often empty, when another column holds dates for every row."""
    chosen = columns.get("occurred_at")
    if not chosen or len(chosen) > 1:
        return
    spare = [
        h
        for h in headers
        if h not in used
        and score("occurred_at", h, samples.get(h))[0] >= LIKELY
        and (h not in samples or _value_score("occurred_at", samples[h].values) != 0.0)
    ]
    if not spare:
        return
    first = chosen[0]
    if fold(first) == "timestamp" and fold(spare[0]) not in ("time", "starttime"):
        primary, other = spare[0], first
    else:
        mine = samples.get(first)
        if mine is None or mine.fill >= 0.9:
            return
        primary, other = first, spare[0]
    columns["occurred_at"] = [primary]
    fallbacks["occurred_at"] = [other]
    used.update((primary, other))
    found, why = score("occurred_at", primary, samples.get(primary))
    guesses["occurred_at"] = {"column": primary, "score": round(found, 2), "why": why}
    guesses["occurred_at-else"] = {"column": other, "score": round(found, 2), "why": "else"}


def _pair_date_and_time(headers: list[str], columns: dict[str, list[str]], used: set[str]) -> None:
    """A "Date" column and a separate "Time" column make one moment."""
    chosen = columns.get("occurred_at")
    if not chosen or len(chosen) != 1:
        return
    folded = [(h, fold(h)) for h in headers]
    date_key = fold(chosen[0])
    if "time" in date_key and "date" not in date_key:
        dates = [h for h, k in folded if (k.endswith("date") or k == "day") and h != chosen[0]]
        if dates and dates[0] not in used - {chosen[0]}:
            columns["occurred_at"] = [dates[0], chosen[0]]
            used.add(dates[0])
        return
    if "date" in date_key and "time" not in date_key:
        times = [
            h
            for h, k in folded
            if h not in used and k in ("time", "timeasked", "starttime", "questiontime", "hour")
        ]
        if times:
            columns["occurred_at"] = [chosen[0], times[0]]
            used.add(times[0])


def confidence(score_: float) -> str:
    """The guess's score in words, for the mapping screen."""
    if score_ >= SURE:
        return "sure"
    if score_ >= LIKELY:
        return "likely"
    return "unsure"
