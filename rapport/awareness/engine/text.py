"""Words and two-word phrases as TF-IDF vectors, built with numpy rather than a Python loop.

At 100,000 profiles of ten documents each the engine reads a million texts per call, so the
per-word work is kept to one regular expression and one dictionary look-up; stemming, stop
words, phrases, counts and weights are array operations on word ids.

Normalisation is light on purpose: lower case, accents folded, a plural "s" dropped
("reviews" → "review"), English stop words out. A phrase is two neighbouring words, neither a
stop word, so "review of the literature" gives no phrase while "scoping review" does.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

WORD = re.compile(r"[a-z][a-z0-9]+")
#: Texts tokenised per pass: bounds the memory of Python string lists.
TOKENISE_CHUNK = 50_000
#: Endings after which a final "s" is part of the word, not a plural.
_KEEP_S = ("ss", "us", "is", "ous", "as", "ics")


def normalise(text: str) -> str:
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text


def stem(word: str) -> str:
    """The singular of a regular plural; everything else unchanged."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


STOP = frozenset(ENGLISH_STOP_WORDS)


@dataclass
class Vectors:
    """TF-IDF rows of the texts of one call, restricted to the features the items contain.

    Rows are L2-normalised over *all* their features, so a document whose words no item uses
    keeps a low similarity; only the columns an item can share are stored.
    """

    rows: sp.csr_matrix  # texts × features, float32
    names: "Names"  # feature → word or "two words"
    item_df: np.ndarray  # items containing each feature


#: Every character that is not a lower-case ASCII letter or digit becomes a space.
_SPACES = {c: " " for c in range(128) if not chr(c).isalnum() or chr(c).isupper()}
#: Kept by the table: marks where one text ends and the next begins.
BOUNDARY = "\x01"
_SPACES[ord(BOUNDARY)] = BOUNDARY


def tokenise(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Word ids of every text, the number of words per text, and the word list.

    A chunk of texts is joined with a boundary mark and split once, in C; then each word is
    one dictionary look-up, and only a new word runs Python code.
    """
    index: defaultdict[str, int] = defaultdict()
    index.default_factory = index.__len__
    boundary = index[BOUNDARY]
    lengths = np.zeros(len(texts), dtype=np.int64)
    parts = []
    for start in range(0, len(texts), TOKENISE_CHUNK):
        chunk = texts[start : start + TOKENISE_CHUNK]
        joined = f" {BOUNDARY} ".join(normalise(t.replace(BOUNDARY, " ")) for t in chunk)
        words = joined.translate(_SPACES).split()
        ids = np.fromiter(map(index.__getitem__, words), np.int32, count=len(words))
        ends = np.append(np.flatnonzero(ids == boundary), len(ids))
        lengths[start : start + len(chunk)] = np.diff(np.r_[-1, ends]) - 1
        parts.append(ids[ids != boundary])
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return ids, lengths, list(index)


def vectorise(texts: Sequence[str], n_items: int, *, max_item_df: int | None = None) -> Vectors:
    """TF-IDF (sublinear tf, smooth idf) over words and phrases of `texts`.

    The first `n_items` texts are the items. Features no item contains cannot make a match
    and are kept only in the row norms. Features in more than `max_item_df` items are too
    common to tell items apart; they are dropped from the stored columns too (the cost of the
    matrix product grows with them, their contribution barely does).
    """
    n = len(texts)
    ids, lengths, raw = tokenise(texts)
    # Stems and stop words are decided once per distinct word, not once per occurrence.
    stems: dict[str, int] = {}
    display: list[str] = []
    to_term = np.empty(len(raw), dtype=np.int32)
    for i, word in enumerate(raw):
        if word in STOP or not WORD.fullmatch(word):
            to_term[i] = -1
            continue
        s = stem(word)
        if s in STOP:
            to_term[i] = -1
            continue
        if s not in stems:
            stems[s] = len(stems)
            display.append(s)
        to_term[i] = stems[s]
    n_terms = len(stems)
    # int32 throughout: at a million texts every array here is tens of millions long.
    term = to_term[ids] if len(ids) else np.zeros(0, dtype=np.int32)
    del ids
    text = np.repeat(np.arange(n, dtype=np.int32), lengths)

    # Phrases: two neighbouring words of the same text, neither a stop word.
    pair = (term[:-1] >= 0) & (term[1:] >= 0) & (text[:-1] == text[1:])
    pair_key = term[:-1][pair].astype(np.int64) * n_terms + term[1:][pair]
    pair_text = text[:-1][pair]
    pairs, pair_id = np.unique(pair_key, return_inverse=True)
    del pair_key, pair

    is_word = term >= 0
    n_features = n_terms + len(pairs)
    wide = np.int64 if n_features >= 2**31 else np.int32
    feature = np.concatenate([term[is_word].astype(wide), (n_terms + pair_id).astype(wide)])
    owner = np.concatenate([text[is_word], pair_text])
    del term, text, is_word, pair_id, pair_text
    counts = sp.csr_matrix(
        (np.ones(len(feature), dtype=np.float32), (owner, feature)), shape=(n, n_features)
    )
    del feature, owner
    counts.sum_duplicates()

    df = np.bincount(counts.indices, minlength=n_features)
    idf = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
    values = (1.0 + np.log(counts.data)) * idf[counts.indices]
    row_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=values.astype(np.float64) ** 2, minlength=n))
    norms[norms == 0] = 1.0
    values = (values / norms[row_of]).astype(np.float32)

    item_df = np.bincount(counts.indices[: counts.indptr[n_items]], minlength=n_features)
    useful = item_df > 0
    if max_item_df is not None:
        useful &= item_df <= max_item_df
    kept = np.flatnonzero(useful)
    new_index = np.full(n_features, -1, dtype=np.int64)
    new_index[kept] = np.arange(len(kept))
    keep = useful[counts.indices]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row_of[keep], minlength=n), out=indptr[1:])
    rows = sp.csr_matrix(
        (values[keep], new_index[counts.indices[keep]].astype(np.int32), indptr),
        shape=(n, len(kept)),
    )
    return Vectors(
        rows=rows,
        names=Names(kept, n_terms, display, pairs),
        item_df=item_df[kept],
    )


class Names:
    """Feature names, made when asked: there can be a million phrases and few are shown."""

    def __init__(self, kept: np.ndarray, n_terms: int, words: list[str], pairs: np.ndarray):
        self.kept = kept
        self.n_terms = n_terms
        self.words = words
        self.pairs = pairs

    def __len__(self) -> int:
        return len(self.kept)

    def __getitem__(self, feature: int) -> str:
        f = int(self.kept[feature])
        if f < self.n_terms:
            return self.words[f]
        key = int(self.pairs[f - self.n_terms])
        return f"{self.words[key // self.n_terms]} {self.words[key % self.n_terms]}"
