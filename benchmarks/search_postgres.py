"""Search and similar past questions on PostgreSQL, as the librarian, on a copy of a tier.

    rapport backup /tmp/M.zip                      # from the SQLite bench database
    createdb benchm
    RAPPORT_DATABASE_URL=postgres://…/benchm rapport restore /tmp/M.zip
    python -m benchmarks.search_postgres --db M-seed1.sqlite3 --postgres postgres://…/benchm

Words are drawn as `benchmarks.search` draws them, from the SQLite file's FTS5 vocabulary (the
same seed gives the same words); the searches run against PostgreSQL. Three cases: a rare word,
a common word, and similar past questions for the librarian's 40 newest questions.
"""

import argparse
import math
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_postgres")
    parser.add_argument("--db", type=Path, required=True, help="the SQLite bench database")
    parser.add_argument("--postgres", required=True, help="URL of the restored copy")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def words(db: Path, low: int, high: int, n: int, rng: random.Random) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, search_touchpoint, row)")
    found = [
        t
        for (t,) in con.execute(
            "SELECT term FROM temp.terms WHERE doc BETWEEN ? AND ? AND length(term) > 3 "
            "ORDER BY term",
            [low, high],
        )
        if t.isalpha()
    ]
    total = con.execute("SELECT count(*) FROM rapport_touchpoint").fetchone()[0]
    con.close()
    assert total, "an empty bench database"
    return rng.sample(found, min(n, len(found)))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(name: str, call: Callable[[Any], object], args: list[Any]) -> None:
    for arg in args[:3]:  # warm the caches and the connection
        call(arg)
    times = []
    for arg in args:
        started = time.perf_counter()
        call(arg)
        times.append((time.perf_counter() - started) * 1000)
    print(f"{name:<32} {len(times):>3}  median {statistics.median(times):6.1f} ms  "
          f"p95 {p95(times):6.1f} ms", flush=True)  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ["RAPPORT_DATABASE_URL"] = args.postgres
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from rapport.accounts.models import User
    from rapport.search.queries import search
    from rapport.search.similar import similar_questions
    from rapport.touchpoints.models import Touchpoint

    total = Touchpoint.objects.count()
    rng = random.Random(f"bench:{args.seed}")
    rare = words(args.db, 20, 2_000, args.rounds, rng)
    common = words(args.db, total // 20, total * 35 // 100, args.rounds, rng)
    user = User.objects.get(username="librarian")
    print(f"PostgreSQL search · {total:,} touchpoints · as {user.username}")
    timed("search, rare word", lambda w: search(user, w), rare)
    timed("search, common word", lambda w: search(user, w), common)
    questions = list(
        Touchpoint.objects.filter(author=user, confidential=False)
        .exclude(question="")
        .order_by("-id")
        .values_list("pk", "topic", "question")[: args.rounds]
    )
    timed(
        "similar past questions (5)",
        lambda q: similar_questions(user, f"{q[1]} {q[2]}", exclude_touchpoint=q[0]),
        questions,
    )


if __name__ == "__main__":
    main()
