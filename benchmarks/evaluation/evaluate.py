"""Evaluate the three matching modes on the assembled data (see build.py) through the engine.

    .venv/bin/python -m benchmarks.evaluation.evaluate --split dev   # while changing things
    .venv/bin/python -m benchmarks.evaluation.evaluate --tune        # hybrid blend, dev only
    .venv/bin/python -m benchmarks.evaluation.evaluate --split test  # once, at the end

Prints MRR, nDCG@10 and Recall@10 with the number of queries, per task and split. Each query
has one relevant paper; items are ranked by score, ties by item order (a seeded shuffle, so a
tie is neither lucky nor unlucky on purpose). A profile's own papers are not ranked.
"""

import argparse
import json
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapport.awareness.engine import MODES, Document, ItemText, Profile, get_engine

DATA = Path(__file__).resolve().parent / "data"
SEED = 7
#: Tune and compare on dev; read test only when the choice is fixed.
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class Query:
    profile: Profile
    relevant: str
    exclude: frozenset[str]
    #: Queries of one cluster (one author) are drawn together by the bootstrap.
    cluster: str = ""


def load(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def shuffled(items: list[ItemText]) -> list[ItemText]:
    items = sorted(items, key=lambda i: i.id)
    random.Random(SEED).shuffle(items)
    return items


def author_task(split: str, every: bool = False) -> tuple[list[Query], list[ItemText]]:
    """One query per author (the paper drawn by build.py hidden), or with `every`, one per
    paper of the author, each hidden in turn behind a profile of the author's other papers."""
    papers = {p["id"]: p for p in load("papers")}
    items = shuffled(
        [ItemText(id=p["id"], title=p["title"], text=p["abstract"]) for p in papers.values()]
    )

    def document(i: str) -> Document:
        return Document(
            text=". ".join(x for x in (papers[i]["title"], papers[i]["abstract"]) if x), ref=i
        )

    queries = []
    for row in load("authors"):
        if row["split"] != split:
            continue
        own = sorted(row["profile"] + row["relevant"])
        for hidden in own if every else row["relevant"][:1]:
            rest = [i for i in own if i != hidden] if every else row["profile"]
            name = f"{row['id']}#{hidden}" if every else row["id"]
            profile = Profile(id=name, documents=tuple(document(i) for i in rest))
            queries.append(Query(profile, hidden, frozenset(rest), cluster=row["id"]))
    return queries, items


def every_paper_task(split: str) -> tuple[list[Query], list[ItemText]]:
    return author_task(split, every=True)


def title_task(split: str) -> tuple[list[Query], list[ItemText]]:
    papers = {p["id"]: p for p in load("papers")}
    rows = load("titles")
    ids = [r["paper"] for r in rows]
    items = shuffled([ItemText(id=i, title="", text=papers[i]["abstract"]) for i in ids])
    queries = [
        Query(
            Profile(id=r["id"], documents=(Document(text=papers[r["paper"]]["title"], ref="t"),)),
            r["paper"],
            frozenset(),
        )
        for r in rows
        if r["split"] == split
    ]
    return queries, items


TASKS = {
    "authors (hidden paper of an author)": author_task,
    "authors, every paper hidden in turn": every_paper_task,
    "titles (known item: title → own abstract)": title_task,
}
#: The tasks the hybrid blend was swept on (the every-paper task came later; nothing was
#: tuned on it).
TUNED = ("authors (hidden paper of an author)", "titles (known item: title → own abstract)")


def ranks(mode: str, queries: list[Query], items: list[ItemText], **options) -> list[int]:
    engine = get_engine(mode)
    for name, value in options.items():
        setattr(engine, name, value)
    order = {item.id: n for n, item in enumerate(items)}
    scores: dict[str, dict[str, float]] = {}
    for hit in engine.score([q.profile for q in queries], items, explain=False):
        scores.setdefault(hit.profile, {})[hit.item] = hit.score
    out = []
    for q in queries:
        own = scores.get(q.profile.id, {})
        ranked = sorted((i for i in own if i not in q.exclude), key=lambda i: (-own[i], order[i]))
        out.append(ranked.index(q.relevant) + 1)
    return out


def metrics(found: Iterable[int]) -> dict[str, float]:
    found = list(found)
    n = len(found)
    return {
        "queries": n,
        "MRR": sum(1 / r for r in found) / n,
        "nDCG@10": sum(1 / math.log2(r + 1) for r in found if r <= 10) / n,
        "Recall@10": sum(1 for r in found if r <= 10) / n,
    }


def reciprocal(rank: int) -> float:
    return 1 / rank


def in_top_ten(rank: int) -> float:
    return 1.0 if rank <= 10 else 0.0


def difference(
    mine: list[int],
    base: list[int],
    clusters: list[str] | None = None,
    draws: int = 2000,
    measure: Callable[[int], float] = reciprocal,
) -> tuple[float, float, float]:
    """`measure` (by default MRR) of `mine` minus that of `base` on the same queries, with a
    paired bootstrap 95% range.

    With `clusters`, whole clusters are drawn (an author's queries share the author, so they
    are not independent draws), and each draw's mean is over the queries it holds.
    """
    gain = [measure(a) - measure(b) for a, b in zip(mine, base, strict=True)]
    groups: dict[str, list[float]] = {}
    for n, g in enumerate(gain):
        groups.setdefault(clusters[n] if clusters else str(n), []).append(g)
    sums = [(sum(v), len(v)) for v in groups.values()]
    rng = random.Random(SEED)
    means = []
    for _ in range(draws):
        drawn = [rng.choice(sums) for _ in sums]
        means.append(sum(s for s, _ in drawn) / sum(n for _, n in drawn))
    means.sort()
    return sum(gain) / len(gain), means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def evaluate(modes: Iterable[str], splits: Iterable[str] = SPLITS) -> None:
    modes, splits = list(modes), list(splits)
    print(
        f"{'task':<44} {'split':<5} {'mode':<9} {'queries':>7} {'MRR':>6} "
        f"{'nDCG@10':>8} {'R@10':>6}  {'MRR − lexical [95% bootstrap]':>30}"
        f"  {'R@10 − lexical [95% bootstrap]':>30}"
    )
    for task, make in TASKS.items():
        for split in splits:
            queries, items = make(split)
            found = {mode: ranks(mode, queries, items) for mode in modes}
            for mode in modes:
                m = metrics(found[mode])
                versus = ["", ""]
                if mode != "lexical" and "lexical" in found:
                    clusters = [q.cluster or q.profile.id for q in queries]
                    for n, measure in enumerate((reciprocal, in_top_ten)):
                        d, low, high = difference(
                            found[mode], found["lexical"], clusters, measure=measure
                        )
                        versus[n] = f"{d:+.3f} [{low:+.3f}, {high:+.3f}]"
                print(
                    f"{task:<44} {split:<5} {mode:<9} {m['queries']:>7} {m['MRR']:>6.3f} "
                    f"{m['nDCG@10']:>8.3f} {m['Recall@10']:>6.3f}  {versus[0]:>30}"
                    f"  {versus[1]:>30}"
                )


def tune() -> None:
    """The hybrid blend weight that gives the best mean dev MRR over both tasks."""
    print(f"{'lexical weight':>14} " + " ".join(f"{t.split()[0]:>8}" for t in TUNED) + "  mean")
    for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        values = []
        for task in TUNED:
            queries, items = TASKS[task]("dev")
            values.append(metrics(ranks("hybrid", queries, items, lexical_weight=weight))["MRR"])
        print(
            f"{weight:>14.1f} "
            + " ".join(f"{v:>8.3f}" for v in values)
            + f"  {sum(values) / len(values):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.evaluation.evaluate")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument(
        "--split", choices=SPLITS, help="one split only (default both); tune on dev alone"
    )
    parser.add_argument("--tune", action="store_true", help="sweep the hybrid blend on dev")
    args = parser.parse_args()
    if args.tune:
        tune()
    else:
        evaluate(args.modes, [args.split] if args.split else SPLITS)


if __name__ == "__main__":
    main()
