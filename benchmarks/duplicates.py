"""Benchmark finding duplicate people, with planted duplicates and a bare baseline.

    DJANGO_SETTINGS_MODULE=rapport.settings RAPPORT_DATA_DIR=/tmp/duplicates-bench \\
        .venv/bin/python -m benchmarks.duplicates [--people 100000] [--planted 0.02] [--seed 1]

Builds (once per size and seed) a SQLite library of people from the demo's names: departments
of a few hundred, e-mail addresses, ORCIDs for some, directory ids for most. A share of them is
entered a second time the way it happens: the same address in other case with the name written
"Last, First" or with an initial, the same ORCID or directory id under a variant name, or only a
variant name, or a surname with one letter wrong, in the same department. Then it times a whole
scan (`services.run_scan`: read everyone, block, weigh, store) against the bare baseline of one
GROUP BY over lower-cased e-mail in the same run, and prints pairs found, recall of the planted
pairs and peak memory.
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

TARGET_SECONDS = 30.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def orcid(n: int) -> str:
    """A valid ORCID (ISO 7064 11,2 check digit) made from a number."""
    digits = f"{n:015d}"
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    base = digits + ("X" if check == 10 else str(check))
    return "-".join(base[i : i + 4] for i in range(0, 16, 4))


def variant(name: str, rng: random.Random) -> str:
    first, _, last = name.partition(" ")
    return rng.choice(
        [f"{last}, {first}", f"{first[0]}. {last}", f"{first} {rng.choice('ABCDEJMR')}. {last}"]
    )


def generate(
    n: int, planted_share: float, seed: int
) -> tuple[list[dict], list[tuple[int, int, str]]]:
    """People as column dicts (ids from 1), and the planted pairs (original, copy, kind)."""
    from rapport.demo.names import FIRST_NAMES, SURNAMES

    rng = random.Random(seed)
    planted = int(n * planted_share)
    originals = n - planted
    departments = [f"Department of Study {k}" for k in range(max(1, originals // 300))]
    people: list[dict] = []
    for i in range(1, originals + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        slug = f"{first}.{last}".lower().replace(" ", "")
        people.append(
            {
                "full_name": f"{first} {last}",
                "email": f"{slug}.{i}@uni.example",
                "other_emails": [],
                "orcid": orcid(i) if rng.random() < 0.4 else "",
                "directory_id": f"U{i:07d}" if rng.random() < 0.6 else "",
                "department": rng.choice(departments),
            }
        )
    pairs = []
    for copy_id in range(originals + 1, n + 1):
        original_id = rng.randint(1, originals)
        o = people[original_id - 1]
        kind = rng.choice(["email", "orcid", "directory", "name", "typo"])
        name = variant(o["full_name"], rng)
        if kind == "typo":  # one letter of the surname wrong, as typed at a busy desk
            first, _, last = o["full_name"].partition(" ")
            at = rng.randrange(1, len(last))
            name = f"{first} {last[:at]}{rng.choice('aeiourstn')}{last[at + 1 :]}"
        copy = {
            "full_name": name,
            "email": "",
            "other_emails": [],
            "orcid": "",
            "directory_id": "",
            "department": o["department"] if kind == "name" else rng.choice(["", o["department"]]),
        }
        if kind == "email":
            copy["other_emails"] = [o["email"].upper()]
        elif kind == "orcid" and o["orcid"]:
            copy["orcid"] = o["orcid"]
        elif kind == "directory" and o["directory_id"]:
            copy["directory_id"] = o["directory_id"].lower()
        else:
            copy["department"] = o["department"]
        people.append(copy)
        pairs.append((original_id, copy_id, kind))
    return people, pairs


def build(db: Path, n: int, planted_share: float, seed: int) -> list[tuple[int, int, str]]:
    from django.core.management import call_command

    from rapport.people.models import Person

    people, pairs = generate(n, planted_share, seed)
    if db.exists() and Person.objects.count() == n:
        return pairs
    call_command("migrate", verbosity=0)
    Person.objects.all().delete()
    start = time.perf_counter()
    rows = []
    for pk, values in enumerate(people, 1):
        person = Person(pk=pk, **values)
        person.refresh_search_text()
        rows.append(person)
    Person.objects.bulk_create(rows, batch_size=2000)
    print(f"built {n:,} people in {time.perf_counter() - start:.1f} s", flush=True)
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.duplicates", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--planted", type=float, default=0.02, help="share entered twice")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / f"duplicates-{args.people}-seed{args.seed}.sqlite3"
    os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from django.db import connection

    from rapport.duplicates.models import Candidate
    from rapport.duplicates.services import run_scan, start_scan

    planted = build(db, args.people, args.planted, args.seed)

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(email), COUNT(*) FROM rapport_person WHERE email <> '' "
            "GROUP BY lower(email) HAVING COUNT(*) > 1"
        )
        cursor.fetchall()
    bare = time.perf_counter() - start

    start = time.perf_counter()
    scan = run_scan(start_scan(by=None, queue=False).pk)
    whole = time.perf_counter() - start

    found = set(Candidate.objects.values_list("person_a_id", "person_b_id"))
    hits = sum(1 for a, b, _ in planted if (a, b) in found)
    recall = hits / len(planted) if planted else 1.0
    kinds: dict[str, list[int]] = {}
    for a, b, kind in planted:
        kinds.setdefault(kind, [0, 0])
        kinds[kind][0] += (a, b) in found
        kinds[kind][1] += 1
    print()
    print(f"{'measure':<44} {'Rapport':>10} {'target':>8} {'bare':>9} {'ratio':>8}")
    print(
        f"{f'find candidates, {scan.people:,} people':<44} {whole:>9.1f}s "
        f"{TARGET_SECONDS:>7.0f}s {bare:>8.3f}s {whole / bare:>8.0f}"
    )
    print()
    print(
        f"pairs weighed {scan.total:,}; pairs found {scan.pairs_found:,}; planted {len(planted):,},"
        f" found {hits:,} (recall {recall:.1%}); peak memory {peak_mb():,.0f} MB"
    )
    print(
        "recall by kind of copy: "
        + ", ".join(f"{k} {hit / total:.1%}" for k, (hit, total) in sorted(kinds.items()))
    )
    print("bare = one GROUP BY over lower-cased e-mail in the same run (finds same-address pairs)")


if __name__ == "__main__":
    main()
