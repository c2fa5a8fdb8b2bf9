"""Turning what someone typed into a safe query, and a database's marked snippet into HTML.

Nothing typed reaches the database as query syntax: the words are pulled out and each is
quoted, so `"`, `*`, `AND`, `(`, `-` and friends are just characters, and a query never fails.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERMS = 12
# Control characters the snippet functions wrap around each hit; escaped text never has them.
START, STOP = "\x02", "\x03"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")

# Words too common to say anything about a question (used for similar questions only; typed
# searches keep every word, as people expect).
STOPWORDS = frozenset(
    (
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "ask",
        "asked",
        "asking",
        "at",
        "be",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "know",
        "like",
        "looking",
        "may",
        "me",
        "more",
        "most",
        "much",
        "must",
        "my",
        "need",
        "needs",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "re",
        "same",
        "she",
        "should",
        "so",
        "some",
        "still",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "us",
        "very",
        "want",
        "wanted",
        "wants",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    )
)


def words(text: str) -> list[str]:
    """The words of a text, lower case, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        seen.setdefault(match.group().replace("’", "'"), None)
    return list(seen)


def terms(q: str) -> list[str]:
    """The words of a typed query that will be searched for (at most MAX_TERMS)."""
    return words(q)[:MAX_TERMS]


def fts5_all(terms: list[str]) -> str:
    """An FTS5 query that needs every term: each one a quoted string, so none is syntax."""
    return " ".join(_quoted(t) for t in terms)


def fts5_any(terms: list[str], columns: tuple[str, ...] = ()) -> str:
    """An FTS5 query for any of the terms, optionally only in some columns."""
    expr = " OR ".join(_quoted(t) for t in terms)
    if not columns:
        return expr
    return "{" + " ".join(columns) + "} : (" + expr + ")"


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def significant(text: str, limit: int = 6) -> list[str]:
    """The words of a question worth matching on: no stop words or very short words, the
    longest first (longer words are rarer, and so say more)."""
    found = [w for w in words(text) if len(w) > 2 and w not in STOPWORDS and not w.isdigit()]
    return sorted(found, key=lambda w: (-len(w), found.index(w)))[:limit]


def marked(snippet: str) -> SafeString:
    """HTML for a snippet whose hits are wrapped in START/STOP: the text escaped, each hit in
    <mark>. Tolerates stray or unbalanced markers, so the result is always well formed."""
    out: list[str] = []
    open_ = False
    for part in re.split(f"([{START}{STOP}])", snippet):
        if part == START:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == STOP:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(escape(part))
    if open_:
        out.append("</mark>")
    return mark_safe("".join(out))  # every piece of text above was escaped
