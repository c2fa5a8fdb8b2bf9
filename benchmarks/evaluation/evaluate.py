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
from collections.abc import Iterable
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


def load(name: str) -> list[dict]:
    with (DATA / f"{name}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def shuffled(items: list[ItemText]) -> list[ItemText]:
    items = sorted(items, key=lambda i: i.id)
    random.Random(SEED).shuffle(items)
    return items


def author_task(split: str) -> tuple[list[Query], list[ItemText]]:
    papers = {p["id"]: p for p in load("papers")}
    items = shuffled(
        [ItemText(id=p["id"], title=p["title"], text=p["abstract"]) for p in papers.values()]
    )
    queries = []
    for row in load("authors"):
        if row["split"] != split:
            continue
        documents = tuple(
            Document(
                text=". ".join(x for x in (papers[i]["title"], papers[i]["abstract"]) if x),
                ref=i,
            )
            for i in row["profile"]
        )
        profile = Profile(id=row["id"], documents=documents)
        queries.append(Query(profile, row["relevant"][0], frozenset(row["profile"])))
    return queries, items


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
    "titles (known item: title → own abstract)": title_task,
}


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


def difference(mine: list[int], base: list[int], draws: int = 2000) -> tuple[float, float, float]:
    """MRR of `mine` minus MRR of `base` on the same queries, with a paired bootstrap 95% range."""
    gain = [1 / a - 1 / b for a, b in zip(mine, base, strict=True)]
    rng = random.Random(SEED)
    means = sorted(sum(rng.choice(gain) for _ in gain) / len(gain) for _ in range(draws))
    return sum(gain) / len(gain), means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def evaluate(modes: Iterable[str], splits: Iterable[str] = SPLITS) -> None:
    modes, splits = list(modes), list(splits)
    print(
        f"{'task':<44} {'split':<5} {'mode':<9} {'queries':>7} {'MRR':>6} "
        f"{'nDCG@10':>8} {'R@10':>6}  {'MRR − lexical [95% bootstrap]':>30}"
    )
    for task, make in TASKS.items():
        for split in splits:
            queries, items = make(split)
            found = {mode: ranks(mode, queries, items) for mode in modes}
            for mode in modes:
                m = metrics(found[mode])
                versus = ""
                if mode != "lexical" and "lexical" in found:
                    d, low, high = difference(found[mode], found["lexical"])
                    versus = f"{d:+.3f} [{low:+.3f}, {high:+.3f}]"
                print(
                    f"{task:<44} {split:<5} {mode:<9} {m['queries']:>7} {m['MRR']:>6.3f} "
                    f"{m['nDCG@10']:>8.3f} {m['Recall@10']:>6.3f}  {versus:>30}"
                )


def tune() -> None:
    """The hybrid blend weight that gives the best mean dev MRR over both tasks."""
    print(f"{'lexical weight':>14} " + " ".join(f"{t.split()[0]:>8}" for t in TASKS) + "  mean")
    for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
        values = []
        for make in TASKS.values():
            queries, items = make("dev")
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
