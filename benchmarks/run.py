"""Run the benchmarks on a data tier and print a table of figures and ratios.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=var \\
        python -m benchmarks.run --tier S [--seed 1] [--db PATH] [--rebuild]

The tier's SQLite database is built once (under $RAPPORT_DATA_DIR/bench/ unless --db says
otherwise) and reused while the generator's code is unchanged. Query counts are saved per tier
beside it, so running S and then M shows whether any page's count grows with the data.
Writes made while measuring (captures) are removed afterwards, so reruns see the same data.
"""

import argparse
import json
import math
import os
import platform
import random
import sqlite3
import statistics
import sys
from pathlib import Path


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tier", choices=["demo", "S", "M", "L"], default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="the bench database (SQLite file)")
    parser.add_argument("--rebuild", action="store_true", help="build the tier even if present")
    parser.add_argument("--captures", type=int, default=200)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    return parser.parse_args(argv)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", Path.cwd() / "var")).resolve()
    bench_dir = data_dir / "bench"
    db = (args.db or bench_dir / f"{args.tier}-seed{args.seed}.sqlite3").resolve()
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client

    from benchmarks import cases
    from benchmarks.build import build_or_reuse
    from benchmarks.reports import bench_reports
    from benchmarks.search import bench_search_all

    def say(text: str) -> None:
        print(text, flush=True)

    info = build_or_reuse(db, args.tier, args.seed, args.rebuild, say)
    rng = random.Random(f"bench:{args.seed}")
    user = cases.librarian()
    results = [cases.bench_capture(user, args.captures, rng)]
    people = cases.sample_people(user, 30, rng)
    results.append(cases.bench_timeline(user, people))
    terms = cases.search_terms(user, rng, 30)
    results.append(cases.bench_search(user, terms))
    results += bench_search_all(user, 40, rng)
    client = Client()
    client.force_login(user)
    skipped = []
    person_urls = [cases.page_url("people:person_detail", p.pk) for p in people]
    if None in person_urls:
        skipped.append("person page: URL name people:person_detail does not exist yet")
    else:
        results.append(
            cases.bench_page(
                client,
                "person page",
                person_urls,
                50.0,
                args.requests,
                lambda n: cases.raw_timeline(user, people[n % len(people)]),
                "raw timeline SQL",
            )
        )
    groups = list(cases.groups_for(user).order_by("id")[:20])
    group_urls = [cases.page_url("people:group_detail", g.pk) for g in groups]
    if None in group_urls:
        skipped.append("group page: URL name people:group_detail does not exist yet")
    else:
        results.append(cases.bench_page(client, "group page", group_urls, 50.0, args.requests))
    list_url = cases.page_url("people:person_list")
    if list_url is None:
        skipped.append("people list: URL name people:person_list does not exist yet")
    else:
        urls = [f"{list_url}?q={q}&group={g}" for q, g in terms]
        results.append(
            cases.bench_page(
                client,
                "people list ?q=&group=",
                urls,
                100.0,
                args.requests,
                lambda n: cases.raw_search(*terms[n % len(terms)]),
                "raw search SQL",
            )
        )
    with transaction.atomic():  # the extra groups a Today librarian may get are rolled back
        today_user, scope = cases.today_librarian()
        today_client = Client()
        today_client.force_login(today_user)
        result = cases.bench_page(
            today_client,
            f"Today page ({scope:,} people of their own)",
            ["/"],
            100.0,
            args.requests,
            lambda n: cases.raw_today_people(today_user),
            "raw SQL, my people + stage",
        )
        results.append(result)
        transaction.set_rollback(True)
    manager = Client()
    manager.force_login(cases.User.objects.get(username="manager"))
    results += bench_reports(manager, client, max(8, args.requests // 6))
    results.append(cases.bench_refresh())
    report(args, db, info, results, skipped, bench_dir)


def report(args, db: Path, info: dict, results: list, skipped: list[str], bench_dir: Path):
    tables = info["tables"]
    print()
    print(f"Rapport benchmarks · tier {args.tier} · seed {args.seed} · {db}")
    print(
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"data: {tables['rapport_person']:,} people · {tables['rapport_group']:,} groups · "
        f"{tables['rapport_touchpoint']:,} touchpoints · "
        f"{tables['rapport_participation']:,} participations"
    )
    built = "this run" if not info["reused"] else f"the build of {info['built']}"
    print(
        f"load (from {built}): generator {info['load_s']:.1f} s · bare sqlite3 executemany "
        f"of the same rows {info['bare_insert_s']:.1f} s · ratio "
        f"{info['load_s'] / info['bare_insert_s']:.2f} · generating the rows alone "
        f"{info['generate_s']:.1f} s"
    )
    print()
    head = f"{'measure':<52} {'n':>4} {'median':>8} {'p95':>8} {'target':>7} {'queries':>8}"
    print(head + f"  {'bare median':>11} {'ratio':>6}  baseline")
    counts = {}
    for r in results:
        q = sorted(set(r.queries))
        queries = "-" if not q else str(q[0]) if len(q) == 1 else f"{q[0]}–{q[-1]}"
        counts[r.name] = q
        target = f"{r.target_ms:.0f}" if r.target_ms else ""
        line = (
            f"{r.name:<52} {len(r.times):>4} {statistics.median(r.times):>6.1f}ms "
            f"{p95(r.times):>6.1f}ms {target:>7} {queries:>8}"
        )
        if r.bare:
            bare = statistics.median(r.bare)
            line += f"  {bare:>9.2f}ms {statistics.median(r.times) / bare:>6.1f}  {r.bare_name}"
        if r.target_ms and p95(r.times) > r.target_ms:
            line += "  ✗ over target"
        print(line + (f"  ({r.note})" if r.note else ""))
    for note in skipped:
        print(f"skipped: {note}")
    path = bench_dir / f"results-{args.tier}.json"
    bench_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"seed": args.seed, "queries": counts}, indent=2))
    print()
    for other in sorted(bench_dir.glob("results-*.json")):
        if other == path:
            continue
        theirs = json.loads(other.read_text())["queries"]
        shared = sorted(n for n in set(theirs) & set(counts) if theirs[n] and counts[n])
        differ = [n for n in shared if theirs[n] != counts[n]]
        tier = other.stem.removeprefix("results-")
        verdict = "the same" if not differ else "DIFFERENT for " + ", ".join(differ)
        print(f"query counts vs tier {tier}: {verdict} ({len(shared)} measures compared)")


if __name__ == "__main__":
    main()
