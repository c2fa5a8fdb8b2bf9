"""What every mode shares: profiles in chunks, the best-few-documents aggregation, top K.

A mode turns a chunk of documents into similarities with every item (a sparse documents ×
items matrix, already multiplied by each document's weight). This module turns those into one
score per profile and item, picks each profile's best items and explains them.

The score of an item for a profile is a weighted mean of its three best document
similarities, weights 1, ½, ¼, each similarity first multiplied by the document's weight
relative to the profile's heaviest document. A person with many interests is therefore not
reduced to one average: one document that matches well is enough for a good score, and a match
backed by several documents scores higher still. A profile of one or two documents divides by
the weights it has, so it is not penalised for being short. Scores lie in [0, 1].
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rapport.awareness.engine.types import ItemText, Profile, Progress, Scored

#: Weights of the best, second and third document similarity.
RANK_WEIGHTS = np.array([1.0, 0.5, 0.25])
#: Runs (one profile, one item) of up to this many matching documents are sorted as a table.
WIDE = 16
#: Documents per chunk: bounds the memory of the similarity matrix.
CHUNK_DOCUMENTS = 20_000


@dataclass
class Chunk:
    """Profiles start..stop of the call and their usable documents, flattened."""

    start: int
    stop: int
    profile_of: np.ndarray  # local profile index of each document
    doc_index: np.ndarray  # index of each document in the call's flattened document list
    scale: np.ndarray  # each document's weight relative to its profile's heaviest
    counts: np.ndarray  # usable documents per local profile
    offset_of: np.ndarray  # first local document of each local profile
    denominator: np.ndarray  # per local profile: sum of the rank weights it can use


@dataclass
class Block:
    """Scores of one chunk (profiles × items) and the similarities they came from."""

    scores: sp.csr_matrix  # non-zero scores only, item indices sorted within each profile
    similarity: sp.csc_matrix  # documents × items, weighted, read item by item
    chunk: Chunk

    def evidence_many(self, local: int, items: np.ndarray) -> list[tuple[int, ...]]:
        """Per item: call-level indices of the profile's best documents for it, best first."""
        first = int(self.chunk.offset_of[local])
        last = first + int(self.chunk.counts[local])
        values = self.similarity[:, items][first:last].toarray()
        # A stable sort keeps the earlier document first on ties.
        order = np.argsort(-values, axis=0, kind="stable")[: len(RANK_WEIGHTS)]
        doc_index = self.chunk.doc_index[first:last]
        out = []
        for k in range(len(items)):
            rows = order[:, k]
            out.append(tuple(int(doc_index[r]) for r in rows if values[r, k] > 0))
        return out


def item_texts(items: Sequence[ItemText]) -> list[str]:
    return [". ".join(p for p in (item.title.strip(), item.text.strip()) if p) for item in items]


def flatten(profiles: Sequence[Profile]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The texts of all usable documents, their weights and the offsets of each profile."""
    texts: list[str] = []
    weights: list[float] = []
    offsets = np.zeros(len(profiles) + 1, dtype=np.int64)
    for i, profile in enumerate(profiles):
        for document in profile.documents:
            # A weight of zero or less, or a blank text, says nothing about the person.
            if document.weight > 0 and np.isfinite(document.weight) and document.text.strip():
                texts.append(document.text)
                weights.append(document.weight)
        offsets[i + 1] = len(texts)
    return texts, np.asarray(weights, dtype=np.float64), offsets


def chunks(offsets: np.ndarray, weights: np.ndarray, size: int) -> Iterator[Chunk]:
    n = len(offsets) - 1
    start = 0
    while start < n:
        # As many profiles as fit in `size` documents, at least one.
        limit = offsets[start] + size
        stop = max(start + 1, int(np.searchsorted(offsets, limit, side="right")) - 1)
        stop = min(stop, n)
        counts = np.diff(offsets[start : stop + 1])
        profile_of = np.repeat(np.arange(stop - start), counts)
        doc_index = np.arange(offsets[start], offsets[stop])
        w = weights[doc_index]
        heaviest = np.zeros(stop - start)
        np.maximum.at(heaviest, profile_of, w)
        scale = w / heaviest[profile_of] if len(w) else w
        usable = np.minimum(counts, len(RANK_WEIGHTS))
        denominator = np.r_[0.0, np.cumsum(RANK_WEIGHTS)][usable]
        denominator[denominator == 0] = 1.0
        offset_of = offsets[start:stop] - offsets[start]
        yield Chunk(start, stop, profile_of, doc_index, scale, counts, offset_of, denominator)
        start = stop


def top_three(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The three largest values of each run (runs begin at `starts`), zero-padded.

    Most runs hold one value and are copied; runs of up to WIDE values are laid out as rows
    of a small table and sorted row-wise; the few longer runs (a profile with dozens of
    matching documents) go through rounds of "take the maximum and its ties". Array
    operations only: at a million documents one sort of every similarity would cost more than
    the product itself.
    """
    n_runs = len(starts)
    best = np.zeros((n_runs, len(RANK_WEIGHTS)), dtype=np.float64)
    sizes = np.diff(np.append(starts, len(values)))
    single = sizes == 1
    best[single, 0] = values[starts[single]]
    short = np.flatnonzero((sizes > 1) & (sizes <= WIDE))
    if len(short):
        width = int(sizes[short].max())
        within = np.arange(len(values)) - np.repeat(starts, sizes)
        member = np.repeat((sizes > 1) & (sizes <= WIDE), sizes)
        row = np.repeat(np.arange(len(short)), sizes[short])
        table = np.zeros((len(short), width), dtype=np.float64)
        table[row, within[member]] = values[member]
        table.sort(axis=1)
        top = table[:, ::-1][:, : len(RANK_WEIGHTS)]
        best[short, : top.shape[1]] = top
    long = np.flatnonzero(sizes > WIDE)
    for run in long:
        run_values = np.sort(values[starts[run] : starts[run] + sizes[run]])[::-1]
        best[run] = run_values[: len(RANK_WEIGHTS)]
    return best


def aggregate(similarity: sp.csr_matrix, chunk: Chunk) -> Block:
    """Per profile and item: the rank-weighted mean of the three best document similarities.

    The similarities are read item by item (column-major), where the documents of one profile
    lie next to each other, so each (item, profile) pair is one run of values.
    """
    n_profiles = chunk.stop - chunk.start
    n_items = similarity.shape[1]
    by_item = similarity.tocsc()
    by_item.eliminate_zeros()
    values = by_item.data
    wide = n_items * n_profiles >= 2**31
    index_type = np.int64 if wide else np.int32
    item = np.repeat(np.arange(n_items, dtype=index_type), np.diff(by_item.indptr))
    key = item * index_type(n_profiles) + chunk.profile_of.astype(index_type)[by_item.indices]
    first = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    best = top_three(values.astype(np.float64), starts)
    group_item = item[starts]
    group_profile = key[starts] - group_item * index_type(n_profiles)
    scores = best @ RANK_WEIGHTS / chunk.denominator[group_profile]
    item_ptr = np.zeros(n_items + 1, dtype=np.int64)
    np.cumsum(np.bincount(group_item, minlength=n_items), out=item_ptr[1:])
    # From item-major to profile-major; scipy's conversion keeps the item order in each row.
    matrix = sp.csc_matrix((scores, group_profile, item_ptr), shape=(n_profiles, n_items)).tocsr()
    return Block(scores=matrix, similarity=by_item, chunk=chunk)


def best(scores: np.ndarray, columns: np.ndarray, top: int, n_items: int) -> np.ndarray:
    """Positions (into `scores`) of the best `top`, best first, ties by item order; then, if
    there are fewer than `top`, the first items without a score as -1 - item."""
    if len(scores) > top:
        # Everything at least as good as the K-th best, then an exact order of those few.
        kth = np.partition(scores, len(scores) - top)[len(scores) - top]
        candidates = np.flatnonzero(scores >= kth)
    else:
        candidates = np.arange(len(scores))
    order = candidates[np.lexsort((columns[candidates], -scores[candidates]))][:top]
    missing = top - len(order)
    if missing <= 0:
        return order
    # Items with no score tie at zero: the earliest items first.
    zero = np.setdiff1d(np.arange(min(n_items, len(columns) + missing)), columns)[:missing]
    return np.concatenate([order, -1 - zero])


#: Words that explain each (document, item) pair: document indices, item indices → terms.
Explainer = Callable[[np.ndarray, np.ndarray], list[tuple[str, ...]]]


def emit(
    profiles: Sequence[Profile],
    items: Sequence[ItemText],
    refs: Sequence[str],
    chunk: Chunk,
    block: Block,
    *,
    top: int | None,
    explain: bool,
    terms_for: Explainer | None,
) -> Iterator[Scored]:
    """The chunk's results as Scored rows: every pair in item order, or each profile's best."""
    n_items = len(items)
    matrix = block.scores
    for local in range(chunk.stop - chunk.start):
        profile = profiles[chunk.start + local]
        if chunk.counts[local] == 0:
            continue  # no usable document: nothing to say about this person
        a, b = matrix.indptr[local], matrix.indptr[local + 1]
        data, columns = matrix.data[a:b], matrix.indices[a:b]
        # chosen: the items to yield, in order; by_rank: each one's place in `data`, or -1.
        if top is None:
            chosen = np.arange(n_items)
            by_rank = np.full(n_items, -1, dtype=np.int64)
            by_rank[columns] = np.arange(b - a)
        else:
            picked = best(data, columns, top, n_items)
            by_rank = np.maximum(picked, -1)
            chosen = -1 - picked
            chosen[picked >= 0] = columns[picked[picked >= 0]]
        scored = by_rank >= 0
        explained: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        if explain and scored.any():
            which = chosen[scored]
            evidence = block.evidence_many(local, which)
            leading = np.array([e[0] if e else -1 for e in evidence], dtype=np.int64)
            has = leading >= 0
            terms: list[tuple[str, ...]] = [()] * len(which)
            if terms_for is not None and has.any():
                found = terms_for(leading[has], which[has])
                for slot, words in zip(np.flatnonzero(has).tolist(), found, strict=True):
                    terms[slot] = words
            for slot, shown in enumerate(which.tolist()):
                explained[shown] = (terms[slot], tuple(refs[d] for d in evidence[slot] if refs[d]))
        for rank, item in enumerate(chosen):
            i = int(item)
            p = int(by_rank[rank])
            if p < 0:
                yield Scored(profile=profile.id, item=items[i].id, score=0.0)
            elif explain:
                t, e = explained[i]
                yield Scored(profile.id, items[i].id, float(data[p]), t, e)
            else:
                yield Scored(profile=profile.id, item=items[i].id, score=float(data[p]))


class BlockEngine:
    """The shared loop: fit on the call, then score the profiles chunk by chunk."""

    mode = ""
    chunk_documents = CHUNK_DOCUMENTS

    def score(
        self,
        profiles: Sequence[Profile],
        items: Sequence[ItemText],
        *,
        top: int | None = None,
        explain: bool = True,
        progress: Progress | None = None,
    ) -> Iterator[Scored]:
        if top is not None and top < 1:
            raise ValueError("top must be at least 1")
        profiles, items = list(profiles), list(items)
        total = len(profiles)
        texts, weights, offsets = flatten(profiles)
        refs = [
            d.ref
            for p in profiles
            for d in p.documents
            if d.weight > 0 and np.isfinite(d.weight) and d.text.strip()
        ]
        if not items or not texts:
            if progress:
                progress(total, total)
            return
        self.fit(texts, items, explain=explain)
        for chunk in chunks(offsets, weights, self.chunk_documents):
            block = self.block(chunk)
            yield from emit(
                profiles,
                items,
                refs,
                chunk,
                block,
                top=top,
                explain=explain,
                terms_for=self.terms if explain else None,
            )
            if progress:
                progress(chunk.stop, total)

    def fit(self, texts: list[str], items: list[ItemText], *, explain: bool) -> None:
        raise NotImplementedError

    def block(self, chunk: Chunk) -> Block:
        raise NotImplementedError

    def terms(self, docs: np.ndarray, items: np.ndarray) -> list[tuple[str, ...]]:
        return [()] * len(docs)
