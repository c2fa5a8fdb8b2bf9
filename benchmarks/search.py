"""Benchmark full-text search and similar past questions, as a librarian, on a bench database.

    python -m benchmarks.search --db /path/to/M-seed1.sqlite3 [--rounds 40] [--seed 1]

Terms are drawn from the index's own vocabulary: *rare* ones (in 20–2,000 touchpoints) and
*common* ones (in 5–35% of all touchpoints), each searched with and without filters. The bare
baseline is the raw FTS5 query over all touchpoints (MATCH, bm25, LIMIT 20), with no scope,
filters, snippets or objects: the least a ranked search does. `bench_search_all` returns
`cases.Result`s for `benchmarks.run` to print with the others.
"""

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
from pathlib import Path

TARGET_MS = 50.0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, required=True, help="the bench database (SQLite)")
    parser.add_argument("--rounds", type=int, default=40, help="timed searches per case")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def vocabulary(low: int, high: int, n: int, rng: random.Random) -> list[str]:
    """`n` indexed words (touchpoints) found in between `low` and `high` touchpoints."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_touchpoint_terms "
            "USING fts5vocab(main, search_touchpoint, 'row')"
        )
        cursor.execute(
            "SELECT term FROM temp.bench_touchpoint_terms WHERE doc BETWEEN %s AND %s "
            "AND length(term) > 3 ORDER BY term",
            [low, high],
        )
        words = [t for (t,) in cursor.fetchall() if t.isalpha()]
    return rng.sample(words, min(n, len(words)))


def bare_fts(term: str) -> list:
    """The raw FTS5 query: every touchpoint, ranked, the best 20."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(search_touchpoint) AS score FROM search_touchpoint "
            "WHERE search_touchpoint MATCH %s ORDER BY score LIMIT 20",
            ['"' + term + '"'],
        )
        return cursor.fetchall()


def bench_search_all(user, rounds: int, rng: random.Random) -> list:
    """Results for each case: rare and common words, with and without filters, and similar
    questions; each with the bare FTS5 query on the same words as its baseline."""
    from django.db import connection
    from django.utils import timezone

    from benchmarks.cases import Result, queries_of, timed
    from rapport.people.queries import served_group_ids
    from rapport.search.queries import forget_compiled, search
    from rapport.search.similar import similar_questions
    from rapport.touchpoints.models import Touchpoint

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM rapport_touchpoint")
        (total,) = cursor.fetchone()
    rare = vocabulary(20, 2_000, rounds, rng)
    common = vocabulary(total // 20, total * 35 // 100, rounds, rng)
    groups = served_group_ids(user)
    today = timezone.localdate()
    year = {"date_from": today - dt.timedelta(days=365), "date_to": today}

    def filters(n: int) -> dict:
        return {"group": groups[n % len(groups)], **year} if groups else year

    def first_in_process(word: str) -> None:
        forget_compiled()
        search(user, word)

    cases = [
        ("search, rare word", rare, lambda n: {}),
        ("search, common word", common, lambda n: {}),
        ("search, rare word, group + last year", rare, filters),
        ("search, common word, group + last year", common, filters),
        (
            "search, common word, touchpoints, kind",
            common,
            lambda n: {"kinds": ["touchpoint"], "touchpoint_kind": "question"},
        ),
    ]
    results = []
    for name, words, extra in cases:
        result = Result(name, TARGET_MS, bare_name="raw FTS5 MATCH + bm25, top 20")
        for n, word in enumerate(words[:3]):  # warm the page cache and the compiled queries
            search(user, word, **extra(n))
            bare_fts(word)
        for n, word in enumerate(words):
            result.times.append(timed(lambda w=word, n=n, x=extra: search(user, w, **x(n))))
            result.bare.append(timed(lambda w=word: bare_fts(w)))
        result.queries.append(queries_of(lambda w=words[0], x=extra: search(user, w, **x(0))))
        result.note = f"{len(words)} words"
        results.append(result)
    # The first search of a user in a process builds the SQL the others reuse.
    result = Result(
        "search, rare word, nothing kept", TARGET_MS, bare_name="raw FTS5 MATCH + bm25, top 20"
    )
    # Words not searched before, so their pages are as cold as the first case's.
    fresh = vocabulary(20, 2_000, rounds, rng)
    for word in fresh:
        result.times.append(timed(lambda w=word: first_in_process(w)))
        result.bare.append(timed(lambda w=word: bare_fts(w)))
    result.queries.append(queries_of(lambda: first_in_process(fresh[0])))
    result.note = f"{len(fresh)} words, the SQL built afresh each time"
    results.append(result)

    questions = list(
        Touchpoint.objects.filter(author=user, confidential=False)
        .exclude(question="")
        .order_by("-id")
        .values_list("pk", "topic", "question")[:rounds]
    )
    result = Result("similar past questions (5)", TARGET_MS, bare_name="raw FTS5, first word")
    for pk, topic, question in questions[:3]:
        similar_questions(user, f"{topic} {question}", exclude_touchpoint=pk)
    for pk, topic, question in questions:
        result.times.append(
            timed(
                lambda t=f"{topic} {question}", pk=pk: similar_questions(
                    user, t, exclude_touchpoint=pk
                )
            )
        )
        first = (question.split() or ["library"])[0].strip(".,?!:;")
        result.bare.append(timed(lambda w=first: bare_fts(w)))
    if questions:
        pk, topic, question = questions[0]
        result.queries.append(
            queries_of(
                lambda: similar_questions(user, f"{topic} {question}", exclude_touchpoint=pk)
            )
        )
    results.append(result)
    return results


def report(results: list) -> None:
    head = f"{'measure':<44} {'n':>4} {'median':>8} {'p95':>8} {'target':>7} {'queries':>8}"
    print(head + f"  {'bare median':>11} {'ratio':>6}  baseline")
    for r in results:
        q = sorted(set(r.queries))
        queries = "-" if not q else str(q[0]) if len(q) == 1 else f"{q[0]}–{q[-1]}"
        line = (
            f"{r.name:<44} {len(r.times):>4} {statistics.median(r.times):>6.1f}ms "
            f"{p95(r.times):>6.1f}ms {r.target_ms:>7.0f} {queries:>8}"
        )
        if r.bare:
            bare = statistics.median(r.bare)
            line += f"  {bare:>9.2f}ms {statistics.median(r.times) / bare:>6.1f}  {r.bare_name}"
        if p95(r.times) > r.target_ms:
            line += "  ✗ over target"
        print(line + (f"  ({r.note})" if r.note else ""))


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{args.db.resolve()}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    import platform
    import sqlite3

    from django.core.management import call_command

    from benchmarks.cases import librarian
    from rapport.touchpoints.models import Touchpoint

    call_command("migrate", interactive=False, verbosity=0)  # the search index, if missing
    user = librarian()
    print(f"Rapport search benchmark · {args.db} · as {user.username}")
    print(
        f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"SQLite {sqlite3.sqlite_version} · {Touchpoint.objects.count():,} touchpoints"
    )
    print()
    report(bench_search_all(user, args.rounds, random.Random(f"search:{args.seed}")))


if __name__ == "__main__":
    main()
