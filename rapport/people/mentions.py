"""How a person is written in text: ``@Ana Ruiz``, ``@a.ruiz@uni.edu``, ``@"ana de la cruz"``.

This is the one grammar of a mention, read by the capture line (`touchpoints/capture.py`) and by
every form that names people (`people/names.py`), so a name the autocomplete offers is read back
the same everywhere. Pure standard library, like the capture parser that builds on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DAY_WORDS", "LEFT", "PUNCT", "Read", "mention_for", "read_mention", "split_mentions"]

MAX_NAME_WORDS = 5
PUNCT = ",.;:!?"  # trailing sentence punctuation that never belongs to a marker
#: How a problem sentence about a token ends: the line is refused (nothing is logged), and the
#: token stays where it was typed, for the librarian to correct.
LEFT = "."
#: Words that end a name ("@Ana Monday" is Ana, on Monday).
DAY_WORDS = frozenset((
    "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
    "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday", "today", "yesterday",
    "tomorrow",
))  # fmt: skip
_PARTICLES = frozenset((
    "de", "da", "del", "della", "van", "von", "der", "den", "la", "le", "di", "du", "dos", "bin",
    "al",
))  # fmt: skip
_QUOTES = {'"': '"', "“": "”", "{": "}"}
_L = r"(?:[^\W\d_]|[\u0300-\u036f])"  # a letter, or a combining accent typed decomposed
_NAME_WORD = re.compile(rf"{_L}+(?:['’-]{_L}+)*")
# A handle starts with a letter so "@5pm" (meaning "at 5pm") is not taken for a person.
_HANDLE = re.compile(r"[^\W\d_][\w.'’+\u0300-\u036f-]*(?:@[\w-]+(?:\.[\w-]+)+)?")


@dataclass(frozen=True, slots=True)
class Read:
    """What the tokens from a ``@`` hold: a name (None: not a mention) and where it ends."""

    name: str | None
    end: int
    problem: str | None = None


def read_mention(tokens: list[str], i: int, unclosed: dict[str, int]) -> Read:
    """The mention starting at ``tokens[i]`` (which starts with ``@``). ``unclosed`` remembers
    quotes with no closer, so a line of many openers is still read in linear time."""
    token = tokens[i]
    if len(token) > 1 and token[1] in _QUOTES:
        return _quoted(tokens, i, _QUOTES[token[1]], unclosed)
    handle = token[1:].rstrip(PUNCT)
    if not _HANDLE.fullmatch(handle):
        return Read(None, i + 1)
    words, end = [handle], i + 1
    if handle == token[1:] and _NAME_WORD.fullmatch(handle):
        pending: list[str] = []  # particles wait for the capitalised word they introduce
        j = end
        while j < len(tokens) and len(words) + len(pending) < MAX_NAME_WORDS:
            word = tokens[j]
            bare = word.rstrip(PUNCT)
            if bare == word and word in _PARTICLES:
                pending.append(word)
            elif _is_name(bare):
                words += [*pending, bare]
                pending, end = [], j + 1
                if bare != word:  # "@Ana Ruiz, Bob" - the comma ends the name
                    break
            else:
                break
            j += 1
    return Read(" ".join(words), end)


def _quoted(tokens: list[str], i: int, close: str, unclosed: dict[str, int]) -> Read:
    token = tokens[i]
    missing = f"{token} is missing its closing {close}{LEFT}"
    if unclosed.get(close, len(tokens)) < i:
        return Read(None, i + 1, missing)
    parts, j, piece = [], i, token[2:]
    while not piece.rstrip(PUNCT).endswith(close):
        parts.append(piece)
        j += 1
        if j == len(tokens):
            unclosed[close] = i
            return Read(None, i + 1, missing)
        piece = tokens[j]
    parts.append(piece.rstrip(PUNCT)[: -len(close)])
    name = " ".join(" ".join(parts).split()).rstrip(PUNCT).strip()
    if not name:
        return Read(None, i + 1, f"{' '.join(tokens[i : j + 1])} names nobody{LEFT}")
    return Read(name, j + 1)


def _is_name(word: str) -> bool:
    """A capitalised name word; acronyms ("NIH", "I") and day words ("Monday") end a name."""
    return (
        bool(_NAME_WORD.fullmatch(word))
        and word[0].isupper()
        and not word.isupper()
        and word.lower() not in DAY_WORDS
    )


def split_mentions(text: str) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """The names mentioned in `text` (first spelling of each, in order), the words that are
    not mentions, and the problems (an unclosed quote)."""
    tokens = text.split()
    names: dict[str, str] = {}
    rest: list[str] = []
    problems: list[str] = []
    unclosed: dict[str, int] = {}
    i = 0
    while i < len(tokens):
        if not (tokens[i].startswith("@") and len(tokens[i]) > 1):
            rest.append(tokens[i])
            i += 1
            continue
        read = read_mention(tokens, i, unclosed)
        if read.problem:
            problems.append(read.problem)
        if read.name is None:
            rest.extend(tokens[i : read.end])
        else:
            names.setdefault(read.name.casefold(), read.name)
        i = read.end
    return tuple(names.values()), " ".join(rest), tuple(problems)


def mention_for(name: str) -> str:
    """How to write a person so the mention reads the whole name back: ``@Sam Lee``, or quoted
    when plain would stop early (``@"sam de la cruz"``)."""
    plain = f"@{name}"
    if split_mentions(plain)[0] == (name,):
        return plain
    return f'@"{name}"' if '"' not in name else f"@{{{name}}}"
