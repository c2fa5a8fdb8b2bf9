"""Variants of semantic and hybrid scoring tried on the dev split only (docs/matching.md).

    .venv/bin/python -m benchmarks.evaluation.variants

Embeds every title, abstract, sentence and sentence window of the papers once, then replays the
engine's scoring on the dev queries with other ways of comparing a document with an item and
of blending the two modes: the best three document similarities with weights 1, ½, ¼, ties by
item order, a profile's own papers left out. The first two rows reproduce the engine's own dev
figures, a check that the replay is faithful. It never reads the test split.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from benchmarks.evaluation.evaluate import Query, author_task, load, metrics, title_task
from rapport.awareness.engine.hybrid import LEXICAL_WEIGHT
from rapport.awareness.engine.lexical import Lexical
from rapport.awareness.engine.scoring import RANK_WEIGHTS, item_texts
from rapport.awareness.engine.semantic import CACHE
from rapport.awareness.engine.types import ItemText

#: A sentence ends at . ! or ? followed by a space and a capital, digit or bracket.
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


@dataclass(frozen=True)
class Pieces:
    """How a paper is cut: windows of `size` sentences every `stride`, with or without the
    whole text and the title alone."""

    size: int
    stride: int
    whole: bool
    title: bool


WHOLE = Pieces(0, 0, whole=True, title=False)


def cut(title: str, abstract: str, how: Pieces) -> list[str]:
    whole = ". ".join(x for x in (title, abstract) if x)
    if how == WHOLE:
        return [whole]
    sentences = SENTENCE.split(abstract) if abstract else []
    out = [whole] if how.whole else []
    if how.title and title:
        out.append(title)
    start = 0
    while start < len(sentences):
        out.append(" ".join(sentences[start : start + how.size]))
        if start + how.size >= len(sentences):
            break
        start += how.stride
    return list(dict.fromkeys(out)) or [whole]


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def compare(docs: list[np.ndarray], items: list[np.ndarray], how: str) -> np.ndarray:
    """Documents × items similarity from each side's piece embeddings."""
    if how == "centroid":
        a = unit(np.stack([d.mean(axis=0) for d in docs]))
        return a @ unit(np.stack([i.mean(axis=0) for i in items])).T
    sizes = np.array([len(i) for i in items])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    flat = np.concatenate(items)
    out = np.zeros((len(docs), len(items)), dtype=np.float32)
    for row, doc in enumerate(docs):
        pairs = doc @ flat.T  # doc pieces × every item piece
        if how == "max":
            out[row] = np.maximum.reduceat(pairs.max(axis=0), starts)
        elif how == "both ways":
            # Each piece's best partner on the other side, averaged, then both directions.
            doc_side = np.maximum.reduceat(pairs, starts, axis=1).mean(axis=0)
            item_side = np.add.reduceat(pairs.max(axis=0), starts) / sizes
            out[row] = (doc_side + item_side) / 2
        else:  # soft maximum over all piece pairs of the document and the item
            for k, (s, n) in enumerate(zip(starts, sizes, strict=True)):
                values = pairs[:, s : s + n].ravel()
                w = np.exp((values - values.max()) / 0.05)
                out[row, k] = (w * values).sum() / w.sum()
    return out


@dataclass
class Task:
    queries: list[Query]
    items: list[ItemText]
    lexical: np.ndarray  # documents × items, as the engine's lexical mode sees them
    offsets: np.ndarray  # first document of each query
    doc_papers: list[str]  # the paper behind each document
    titles_only: bool  # documents are titles and items abstracts (the titles task)


def task(name: str) -> Task:
    queries, items = (author_task if name == "authors" else title_task)("dev")
    texts = [d.text for q in queries for d in q.profile.documents]
    fitted = Lexical(texts, items)
    lexical = (fitted.documents @ fitted.items_t).toarray()
    offsets = np.r_[0, np.cumsum([len(q.profile.documents) for q in queries])]
    if name == "authors":
        papers = [d.ref for q in queries for d in q.profile.documents]
    else:
        papers = [q.relevant for q in queries]
    return Task(queries, items, lexical, offsets, papers, name == "titles")


def best_three(similarity: np.ndarray) -> np.ndarray:
    top = -np.sort(-np.maximum(similarity, 0), axis=0)[: len(RANK_WEIGHTS)]
    weights = RANK_WEIGHTS[: len(top)]
    return weights @ top / weights.sum()


def rank(query: Query, items: list[ItemText], scores: np.ndarray) -> int:
    ids = [i.id for i in items]
    relevant = ids.index(query.relevant)
    ahead = (scores > scores[relevant]) | (
        (scores == scores[relevant]) & (np.arange(len(ids)) < relevant)
    )
    own = np.array([i in query.exclude for i in ids])
    return int((ahead & ~own).sum()) + 1


def by_best(scores: np.ndarray) -> np.ndarray:
    peak = scores.max()
    return scores / peak if peak > 0 else scores


def z(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean()) / (scores.std() + 1e-9)


def reciprocal(scores: np.ndarray, k: int) -> np.ndarray:
    places = np.empty(len(scores))
    places[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1 / (k + places)


Fuse = Callable[[np.ndarray, np.ndarray], np.ndarray]


def blend(weight: float = LEXICAL_WEIGHT) -> Fuse:
    return lambda lex, sem: weight * by_best(lex) + (1 - weight) * by_best(sem)


SEMANTIC: Fuse = lambda lex, sem: sem  # noqa: E731 (a row of the table, named)


def mrr(t: Task, semantic: np.ndarray, fuse: Fuse, per_document: Fuse | None = None) -> float:
    found = []
    for n, q in enumerate(t.queries):
        a, b = t.offsets[n], t.offsets[n + 1]
        if per_document is not None:  # blend each document's similarities, then aggregate
            lex = t.lexical[a:b] / np.maximum(t.lexical[a:b].max(axis=1, keepdims=True), 1e-9)
            sem = np.maximum(semantic[a:b], 0)
            sem = sem / np.maximum(sem.max(axis=1, keepdims=True), 1e-9)
            scores = best_three(per_document(lex, sem))
        else:
            scores = fuse(best_three(t.lexical[a:b]), best_three(semantic[a:b]))
        found.append(rank(q, t.items, scores))
    return metrics(found)["MRR"]


def main() -> None:
    papers = {p["id"]: p for p in load("papers")}
    tasks = {name: task(name) for name in ("authors", "titles")}
    cuts = [
        WHOLE,
        Pieces(1, 1, whole=False, title=True),
        Pieces(2, 2, whole=False, title=True),
        Pieces(3, 3, whole=False, title=True),
        Pieces(2, 1, whole=False, title=True),
        Pieces(3, 2, whole=False, title=True),
        Pieces(2, 2, whole=True, title=True),
        Pieces(3, 3, whole=True, title=True),
        Pieces(2, 1, whole=True, title=True),
    ]

    def pieces(t: Task, how: Pieces) -> tuple[list[list[str]], list[list[str]]]:
        if t.titles_only:
            docs = [[papers[p]["title"]] for p in t.doc_papers]
            items = [cut("", i.text, how) if i.text else [i.title] for i in t.items]
        else:
            docs = [cut(papers[p]["title"], papers[p]["abstract"], how) for p in t.doc_papers]
            items = [cut(i.title, i.text, how) for i in t.items]
        return docs, items

    every = {
        text
        for t in tasks.values()
        for how in cuts
        for side in pieces(t, how)
        for x in side
        for text in x
    }
    every |= {papers[p]["title"] for p in papers}
    every |= set(item_texts(tasks["authors"].items))
    CACHE.size = max(CACHE.size, len(every))
    vectors = dict(zip(sorted(every), CACHE.embed(sorted(every)), strict=True))

    def similarity(t: Task, how: Pieces, compare_how: str) -> np.ndarray:
        docs, items = pieces(t, how)
        embed = [np.stack([vectors[x] for x in d]) for d in docs]
        return compare(embed, [np.stack([vectors[x] for x in i]) for i in items], compare_how)

    def title_pairs(t: Task, other: str) -> np.ndarray:
        if t.titles_only:
            return similarity(t, WHOLE, "centroid")
        dt = unit(np.stack([vectors[papers[p]["title"]] for p in t.doc_papers]))
        it = unit(np.stack([vectors[i.title] for i in t.items]))
        if other == "title":
            return dt @ it.T
        dw = np.stack([vectors[x[0]] for x in pieces(t, WHOLE)[0]])
        iw = np.stack([vectors[x[0]] for x in pieces(t, WHOLE)[1]])
        return (dt @ iw.T + dw @ it.T) / 2

    print(f"{'variant':<64} {'authors sem/hyb':>16} {'titles sem/hyb':>16}")

    def row(name: str, sims: dict[str, np.ndarray], fuse: Fuse | None = None, **kw) -> None:
        cells = []
        for t_name, t in tasks.items():
            sem = mrr(t, sims[t_name], SEMANTIC) if fuse is None and not kw else None
            hyb = mrr(t, sims[t_name], fuse or blend(), **kw)
            cells.append(f"{sem:.3f}/{hyb:.3f}" if sem is not None else f"     —/{hyb:.3f}")
        print(f"{name:<64} {cells[0]:>16} {cells[1]:>16}", flush=True)

    whole = {n: similarity(t, WHOLE, "centroid") for n, t in tasks.items()}
    row("as the engine: whole text, blend 0.4 ÷ best", whole)
    for how in cuts[1:]:
        for compare_how in ("centroid", "max", "both ways", "soft"):
            sims = {n: similarity(t, how, compare_how) for n, t in tasks.items()}
            row(f"{how.size} sent./{how.stride} whole={how.whole} title: {compare_how}", sims)
    best_pair = {n: similarity(t, cuts[1], "max") for n, t in tasks.items()}
    row(
        "whole text + ½ best sentence or title pair",
        {n: (whole[n] + best_pair[n]) / 2 for n in tasks},
    )
    for share in (0.2, 0.35, 0.5):
        tt = {n: (1 - share) * whole[n] + share * title_pairs(t, "title") for n, t in tasks.items()}
        row(f"whole text + title–title, share {share}", tt)
    for share in (0.25, 0.5):
        tf = {n: (1 - share) * whole[n] + share * title_pairs(t, "whole") for n, t in tasks.items()}
        row(f"whole text + title–whole, share {share}", tf)
    centred, item_centred = {}, {}
    for n, t in tasks.items():
        items = np.stack([vectors[x[0]] for x in pieces(t, WHOLE)[1]])
        mean = whole[n].mean(axis=1, keepdims=True)
        centred[n] = (whole[n] - mean) / (1 - mean)
        item_centred[n] = whole[n] - (items @ items.T).mean(axis=1)[None, :]
    row("item-centred (its mean similarity to the other items)", item_centred)
    row("document-centred (mean similarity to the items)", centred)
    for w in (0.3, 0.4, 0.5, 0.6):
        row(
            f"z-scores per profile, lexical weight {w}",
            whole,
            lambda lex, sem, w=w: w * z(lex) + (1 - w) * z(sem),
        )
    for k in (10, 30, 60):
        row(
            f"reciprocal-rank fusion, k={k}",
            whole,
            lambda lex, sem, k=k: reciprocal(lex, k) + reciprocal(sem, k),
        )
    for w in (0.2, 0.3, 0.4, 0.5):
        row(
            f"blend per document before the best three, weight {w}",
            whole,
            per_document=lambda lex, sem, w=w: w * lex + (1 - w) * sem,
        )


if __name__ == "__main__":
    main()
