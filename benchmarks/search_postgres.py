"""Search and similar past questions on PostgreSQL, as the librarian, on a copy of a tier.

    rapport backup /tmp/M.zip                      # from the SQLite bench database
    createdb benchm
    RAPPORT_DATABASE_URL=postgres://…/benchm rapport restore /tmp/M.zip
    python -m benchmarks.search_postgres --db M-seed1.sqlite3 --postgres postgres://…/benchm

Words are drawn as `benchmarks.search` draws them, from the SQLite file's FTS5 vocabulary (the
same seed gives the same words); the searches run against PostgreSQL. The cases of
`benchmarks.search`: rare and common words, with a group and the last year, with a touchpoint
kind, and similar past questions for the librarian's 40 newest questions. The baseline, timed
in the same run on the same words, ranks every match of the word with ts_rank, unscoped.
"""

import argparse
import datetime as dt
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


def timed(name: str, call: Callable[[Any], object], args: list[Any], bare: Callable) -> None:
    """The median and p95 of `call` over `args`, beside the same of `bare` in the same run."""
    for arg in args[:3]:  # warm the caches and the connection
        call(arg)
        bare(arg)
    times, baseline = [], []
    # One after the other, not interleaved: the baseline reads every match of a common word,
    # which would push the search's pages out of PostgreSQL's buffers between its calls.
    for fn, into in ((call, times), (bare, baseline)):
        for arg in args:
            started = time.perf_counter()
            fn(arg)
            into.append((time.perf_counter() - started) * 1000)
    median, bare_median = statistics.median(times), statistics.median(baseline)
    line = f"{name:<40} {len(times):>3}  median {median:6.1f} ms  p95 {p95(times):6.1f} ms"
    print(f"{line}  bare {bare_median:6.1f} ms  ratio {median / bare_median:5.1f}", flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ["RAPPORT_DATABASE_URL"] = args.postgres
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from rapport.accounts.models import User
    from rapport.people.queries import served_group_ids
    from rapport.search.queries import forget_compiled, search
    from rapport.search.similar import similar_questions
    from rapport.touchpoints.models import Touchpoint

    total = Touchpoint.objects.count()
    rng = random.Random(f"bench:{args.seed}")
    rare = words(args.db, 20, 2_000, args.rounds, rng)
    common = words(args.db, total // 20, total * 35 // 100, args.rounds, rng)
    user = User.objects.get(username="librarian")
    groups = served_group_ids(user)
    today = timezone.localdate()
    year = {"date_from": today - dt.timedelta(days=365), "date_to": today}

    def bare(word: str) -> None:
        """Every match ranked, no scope and no filter: the query PostgreSQL's manual shows."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, ts_rank(search_vector, q) AS r FROM rapport_touchpoint, "
                "websearch_to_tsquery('english', %s) q WHERE search_vector @@ q "
                "ORDER BY r DESC LIMIT 20",
                [word],
            )
            cursor.fetchall()

    print(f"PostgreSQL search · {total:,} touchpoints · as {user.username} · "
          "bare: every match ranked with ts_rank, top 20")  # fmt: skip
    cases: list[tuple[str, list[str], Callable[[int], dict]]] = [
        ("search, rare word", rare, lambda n: {}),
        ("search, common word", common, lambda n: {}),
        ("search, rare word, group + last year", rare, lambda n: {"group": groups[n], **year}),
        ("search, common word, group + last year", common, lambda n: {"group": groups[n], **year}),
        (
            "search, common word, touchpoints, kind",
            common,
            lambda n: {"kinds": ["touchpoint"], "touchpoint_kind": "question"},
        ),
    ]
    for name, words_, extra in cases:
        numbered = [(n % len(groups), w) for n, w in enumerate(words_)]
        timed(
            name, lambda a, x=extra: search(user, a[1], **x(a[0])), numbered, lambda a: bare(a[1])
        )

    def first_in_process(word: str) -> None:
        """The first search of a user in a process builds the SQL the others reuse."""
        forget_compiled()
        search(user, word)

    fresh = words(args.db, 20, 2_000, args.rounds, rng)  # not searched before: cold pages too
    timed("search, rare word, nothing kept", first_in_process, fresh, bare)
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
        lambda q: bare((q[2].split() or ["library"])[0].strip(".,?!:;")),
    )


if __name__ == "__main__":
    main()
