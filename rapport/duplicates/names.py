"""Names compared the way a librarian would: accents, case, punctuation, titles, initials,
"Last, First" order and a few common nicknames do not make two people different.

Pure functions, no models: the scan calls them a few hundred thousand times.
"""

import unicodedata
from functools import lru_cache

#: Words that say nothing about who someone is.
TITLES = frozenset((
    "dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame", "phd", "md", "msc",
    "ma", "ba", "bsc", "jr", "sr", "ii", "iii",
))  # fmt: skip

#: Common short forms of given names, each mapped to one canonical form. Not exhaustive: a
#: nickname missing here only means the names are not called similar on that ground.
NICKNAMES = {
    "bill": "william",
    "will": "william",
    "liam": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "jim": "james",
    "jimmy": "james",
    "jamie": "james",
    "mike": "michael",
    "mick": "michael",
    "tom": "thomas",
    "tommy": "thomas",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "betty": "elizabeth",
    "eliza": "elizabeth",
    "kate": "katherine",
    "katie": "katherine",
    "kathy": "katherine",
    "catherine": "katherine",
    "sasha": "alexander",
    "alex": "alexander",
    "sandy": "alexander",
    "dan": "daniel",
    "danny": "daniel",
    "dave": "david",
    "chris": "christopher",
    "matt": "matthew",
    "nick": "nicholas",
    "nico": "nicholas",
    "tony": "anthony",
    "joe": "joseph",
    "jo": "joanna",
    "pepe": "jose",
    "paco": "francisco",
    "lola": "dolores",
    "sam": "samuel",
    "ben": "benjamin",
    "ed": "edward",
    "ted": "edward",
    "peggy": "margaret",
    "maggie": "margaret",
    "meg": "margaret",
    "jen": "jennifer",
    "jenny": "jennifer",
    "andy": "andrew",
    "steve": "stephen",
    "steven": "stephen",
}


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without accents: "Lucía Ó'Brien-Díaz" → "lucia o'brien-diaz"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ø", "o")


@lru_cache(maxsize=200_000)
def name_tokens(name: str) -> tuple[str, ...]:
    """The words of a name, folded, "Last, First" turned round, titles and punctuation dropped;
    initials stay as one letter. "Ruiz, Ana M." → ("ana", "m", "ruiz")."""
    text = fold(name)
    if text.count(",") == 1:
        last, first = text.split(",")
        text = f"{first} {last}"
    for mark in "-‐_/":
        text = text.replace(mark, " ")
    words = []
    for raw in text.replace(".", ". ").split():
        word = "".join(c for c in raw if c.isalnum())
        if word and word not in TITLES:
            words.append(word)
    return tuple(words)


def _canonical(word: str) -> str:
    return NICKNAMES.get(word, word)


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one inserted, deleted or changed letter."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _words_match(a: str, b: str) -> str:
    """How two words of a name agree: "same", "initial", "nickname", "typo" or ""."""
    if a == b:
        return "same"
    if len(a) == 1 or len(b) == 1:
        return "initial" if a[0] == b[0] else ""
    if _canonical(a) == _canonical(b):
        return "nickname"
    if min(len(a), len(b)) >= 5 and _one_edit(a, b):
        return "typo"
    return ""


def compare_names(a: str, b: str) -> str:
    """ "same" (the same words in any order), "similar" (every word of the shorter name agrees
    with a different word of the longer one, at least one of them in full), or ""."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return ""
    if sorted(ta) == sorted(tb):
        return "same"
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    free = list(long)
    full_words = 0
    for word in sorted(short, key=len, reverse=True):  # full words claim their partner first
        best, kind = None, ""
        for i, other in enumerate(free):
            how = _words_match(word, other)
            if how and (best is None or (how == "same" and kind != "same")):
                best, kind = i, how
        if best is None:
            return ""
        if kind != "initial":
            full_words += 1
        free.pop(best)
    return "similar" if full_words else ""


def blocking_words(name: str) -> set[str]:
    """The words a name is filed under for comparison: each full word in its canonical form
    (so "Bill" and "William" meet), never initials."""
    return {_canonical(w) for w in name_tokens(name) if len(w) > 1}


def department_key(department: str) -> str:
    return " ".join(fold(department).replace("&", " and ").split())
