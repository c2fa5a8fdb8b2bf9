"""Benchmark the matching engine on synthetic profiles and items, with bare baselines.

    DJANGO_SETTINGS_MODULE=rapport.settings .venv/bin/python -m benchmarks.matching \\
        [--profiles 100000 --items 10000 --top 20] [--semantic-items 2000] [--seed 1]

Lexical: the whole engine run (fit, chunked products, aggregation, top K, rows out) against
the bare sparse product of the same document and item vectors. Semantic: items encoded per
second through the engine against the model's own `encode` of the same texts. Peak memory is
the process's maximum resident size. No database is used.

The text is generated from a seeded vocabulary: the project's own discipline topics and
methods as phrases, a few hundred common academic words, and per discipline a long tail of
specialist words (made-up, Zipf-distributed), so word frequencies look like real abstracts.
"""

import argparse
import gc
import resource
import sys
import time
from collections.abc import Sequence

import numpy as np

from rapport.awareness.engine import Document, ItemText, Profile

# Written for this benchmark: words any academic abstract or question may use.
ACADEMIC = tuple(
    " ".join(
        (
            "analysis approach assessment association baseline bias case change cohort comparison",
            "context control cross data dataset design development difference distribution effect",
            "effects estimate evaluation evidence experiment factor factors framework group groups",
            "growth impact increase influence intervention level levels literature measure",
            "measures",
            "mechanism method methods model models network outcome outcomes pattern patterns",
            "performance population practice predictors process quality rate relationship report",
            "response review risk role sample scale selection significant source sources structure",
            "survey system systems theory trend trends validation variable variation findings",
            "participants proposed novel robust empirical qualitative quantitative longitudinal",
            "systematic comparative temporal spatial regional national international policy",
            "implications limitations future directions understanding insights challenges",
            "opportunities application applications identify examine explore investigate assess",
            "propose demonstrate suggest indicate reveal measurement uncertainty sensitivity",
            "reliability validity consistency accuracy efficiency strategy strategies resource",
            "resources community communities stakeholder stakeholders evaluation monitoring",
        )
    ).split()
)
SYLLABLES = tuple(
    " ".join(
        (
            "ka ro mi ten sol vex lin dra phy bio neo gen tic lum par ost cyt ium ase ory tra mor",
            "quen zel ther mag cal vin dor pha lex syn crin plas tor ment ograph ism ide ate",
        )
    ).split()
)
QUESTION_OPENINGS = (
    "Can you help me find papers on",
    "Looking for recent reviews of",
    "Where do I find data about",
    "Is there a systematic search strategy for",
    "Quick question about sources on",
)


class Vocabulary:
    def __init__(self, rng: np.random.Generator, disciplines: int, specialist: int) -> None:
        from rapport.demo.disciplines import DISCIPLINES

        self.rng = rng
        words: set[str] = set()
        self.specialist: list[np.ndarray] = []
        for _ in range(disciplines):
            own = []
            while len(own) < specialist:
                w = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5))))
                if w not in words:
                    words.add(w)
                    own.append(w)
            self.specialist.append(np.array(own))
        ranks = np.arange(1, specialist + 1)
        self.zipf = 1 / ranks**1.1
        self.zipf /= self.zipf.sum()
        self.phrases = []
        for k in range(disciplines):
            d = DISCIPLINES[k % len(DISCIPLINES)]
            own_phrases = [p.lower() for p in (*d.topics, *d.methods, *d.themes, *d.datasets)]
            self.phrases.append(own_phrases)
        self.academic = np.array(ACADEMIC)

    def words(self, field: int, n: int) -> list[str]:
        """`n` words: about half common academic words, half the field's specialist tail."""
        rng = self.rng
        common = rng.random(n) < 0.45
        out = np.where(
            common,
            self.academic[rng.integers(0, len(self.academic), n)],
            self.specialist[field][rng.choice(len(self.zipf), n, p=self.zipf)],
        )
        return out.tolist()

    def phrase(self, field: int) -> str:
        return self.phrases[field][int(self.rng.integers(0, len(self.phrases[field])))]

    def passage(self, field: int, n: int) -> str:
        parts = self.words(field, n)
        for _ in range(max(1, n // 25)):
            parts.insert(int(self.rng.integers(0, len(parts) + 1)), self.phrase(field))
        return " ".join(parts)


def make_items(vocab: Vocabulary, n: int) -> list[ItemText]:
    rng = vocab.rng
    fields = rng.integers(0, len(vocab.specialist), n)
    return [
        ItemText(
            id=f"item:{i}",
            title=vocab.passage(int(f), int(rng.integers(7, 14))).capitalize(),
            text=vocab.passage(int(f), int(rng.integers(100, 200))),
        )
        for i, f in enumerate(fields)
    ]


def make_profiles(vocab: Vocabulary, n: int, documents: int) -> list[Profile]:
    rng = vocab.rng
    profiles = []
    for p in range(n):
        fields = rng.integers(0, len(vocab.specialist), 2)
        docs = []
        for k in range(max(1, int(rng.poisson(documents)))):
            field = int(fields[0] if rng.random() < 0.75 else fields[1])
            kind = rng.random()
            if kind < 0.6:
                opening = QUESTION_OPENINGS[int(rng.integers(0, len(QUESTION_OPENINGS)))]
                text = f"{opening} {vocab.passage(field, int(rng.integers(8, 20)))}?"
                docs.append(Document(text, 1.0, f"touchpoint:{p}-{k}"))
            elif kind < 0.9:
                text = vocab.passage(field, int(rng.integers(40, 90)))
                docs.append(Document(text, 1.0, f"publication:{p}-{k}"))
            else:
                docs.append(Document(vocab.phrase(field), 2.0, f"interest:{p}-{k}"))
        profiles.append(Profile(id=f"person:{p}", documents=tuple(docs)))
    return profiles


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_lexical(
    profiles: Sequence[Profile], items: Sequence[ItemText], top: int, explain: bool = False
) -> dict:
    from rapport.awareness.engine import get_engine
    from rapport.awareness.engine.lexical import Lexical
    from rapport.awareness.engine.scoring import flatten

    engine = get_engine("lexical")
    start = time.perf_counter()
    rows = 0
    for _ in engine.score(profiles, items, top=top, explain=explain):
        rows += 1
    whole = time.perf_counter() - start
    gc.collect()

    # The bare baseline: the same vectors, one sparse product per block of documents, and
    # nothing else (no aggregation, no top K, no rows out).
    texts, _, _ = flatten(profiles)
    vectors = Lexical(texts, list(items))
    start = time.perf_counter()
    nnz = 0
    step = 20_000
    for first in range(0, vectors.documents.shape[0], step):
        product = vectors.documents[first : first + step] @ vectors.items_t
        nnz += product.nnz
    bare = time.perf_counter() - start
    return {"whole": whole, "bare": bare, "rows": rows, "nnz": nnz, "documents": len(texts)}


def bench_semantic(items: Sequence[ItemText]) -> dict:
    from rapport.awareness.engine import EngineUnavailable, get_engine
    from rapport.awareness.engine.scoring import item_texts

    try:
        engine = get_engine("semantic")
    except EngineUnavailable as exc:
        return {"error": str(exc)}
    from rapport.awareness.engine.semantic import encode, model

    texts = item_texts(items)
    encode(texts[:8])  # load the model outside the timing
    start = time.perf_counter()
    encode(texts)
    through_engine = time.perf_counter() - start
    start = time.perf_counter()
    model().encode(texts, batch_size=64, convert_to_numpy=True)
    bare = time.perf_counter() - start
    del engine
    return {"engine": through_engine, "bare": bare, "n": len(texts)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=10, help="mean documents per profile")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--semantic-items", type=int, default=2000, help="0 to skip")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--explain", action="store_true", help="time the run with terms and evidence, as the app"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    start = time.perf_counter()
    vocab = Vocabulary(np.random.default_rng(args.seed), disciplines=14, specialist=4000)
    items = make_items(vocab, args.items)
    profiles = make_profiles(vocab, args.profiles, args.documents)
    generated = time.perf_counter() - start
    print(f"generated {args.profiles:,} profiles and {args.items:,} items in {generated:.1f} s")

    lex = bench_lexical(profiles, items, args.top, args.explain)
    rows = [
        (
            f"lexical run, top {args.top}" + (", explained" if args.explain else ""),
            f"{lex['whole']:.1f} s",
            f"{lex['bare']:.1f} s",
            f"{lex['whole'] / lex['bare']:.2f}",
        ),
    ]
    if args.semantic_items:
        sem = bench_semantic(items[: args.semantic_items])
        if "error" in sem:
            print(f"semantic skipped: {sem['error']}")
        else:
            rows.append(
                (
                    f"semantic encode, {sem['n']:,} items",
                    f"{sem['n'] / sem['engine']:.0f} items/s",
                    f"{sem['n'] / sem['bare']:.0f} items/s",
                    f"{sem['engine'] / sem['bare']:.2f}",
                )
            )
    print()
    print(f"{'measure':<32} {'Rapport':>14} {'bare baseline':>14} {'ratio':>7}")
    for row in rows:
        print(f"{row[0]:<32} {row[1]:>14} {row[2]:>14} {row[3]:>7}")
    print()
    print(
        f"documents {lex['documents']:,}; rows out {lex['rows']:,}; "
        f"non-zero document-item similarities {lex['nnz']:,}; peak memory {peak_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
