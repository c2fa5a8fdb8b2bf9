"""Concurrent writers against a real server for a while, then a count of what was lost.

    python -m benchmarks.soak --seconds 60 --clients 16 \\
        [--postgres postgres://postgres@127.0.0.1:5432/rapport_soak] [--servers N] [--threads 8]

A fresh database (a temporary SQLite file, or the PostgreSQL database named, dropped and
created afresh, and dropped again after a run that found nothing wrong: name one that holds
nothing you want) is migrated and given a few librarians with API tokens and some people in
the group they all serve. Rapport is then served as in
production, `rapport serve` (waitress) in processes of their own (the first with its
background worker), and CLIENTS processes call the API over HTTP for SECONDS, each mixing:

- captures (`POST /api/v1/touchpoints/capture`), each line with a marker of its own;
- PATCHes of one field of a shared person that this client alone writes, a new value each time;
- PATCHes of the `answer` of touchpoints it captured;
- `If-Match` PATCHes of the notes of a person two clients write (a GET for the ETag first);
  412 there is an expected answer, counted apart.

Then, from the database: every acknowledged capture is there exactly once (by its marker) and
none is there that was not acknowledged (unless its client saw no answer); each field holds
the last value acknowledged; no two If-Match writes were acknowledged on one version; the
audit trail has one entry per acknowledged write, each "before" value the previous "after";
each person's touchpoint count is their number of touchpoints. Any 5xx, connection error,
timeout or unexpected status is an error. The exit status is 1 if anything was wrong.
"""

import argparse
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.soak_client import (
    DUEL_FIELD,
    EXPECTED,
    KINDS,
    MARKER,
    OWNED_FIELDS,
    Outcome,
    Plan,
    run_client,
)

ROOT = Path(__file__).resolve().parent.parent
LIBRARIANS = 4
#: People besides the shared ones whom captures mention.
MENTIONED = 20


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--postgres", help="PostgreSQL database URL (dropped and created afresh)")
    parser.add_argument("--servers", type=int, help="server processes (1 on SQLite, else 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary folder (and the PostgreSQL database)",
    )
    args = parser.parse_args(argv)
    if args.servers is None:
        args.servers = 2 if args.postgres else 1
    if args.clients < 1 or args.servers < 1 or args.seconds <= 0:
        parser.error("--clients, --servers and --seconds must be positive")
    return args


# The parent: a fresh database, the servers, the clients, the checks.


def recreate_postgres(url: str, *, create: bool = True) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            con.execute(f'CREATE DATABASE "{name}"')


@dataclass
class World:
    tokens: list[str]
    shared: list[int]
    duels: list[int]
    emails: list[str]
    audit_mark: int
    initial: str = "initial"


def make_world(clients: int) -> World:
    """Librarians with tokens, one group they all serve, and its members."""
    from django.db.models import Max

    from rapport.accounts.services import create_api_token, create_user
    from rapport.audit.models import AuditEntry
    from rapport.people.services import add_membership, create_group, create_person

    librarians = [
        create_user(by=None, username=f"soak{i}", password="soak-password-1", check_password=False)
        for i in range(min(LIBRARIANS, clients))
    ]
    tokens = [
        create_api_token(by=librarians[i % len(librarians)], name="soak")[1] for i in range(clients)
    ]
    first = librarians[0]
    group = create_group(by=first, librarians=librarians, name="Soak lab", kind="research_team")

    def person(name: str, email: str, **fields: str) -> int:
        made = create_person(by=first, full_name=name, email=email, **fields)
        add_membership(by=first, person=made, group=group)
        return made.pk

    initial = dict.fromkeys(OWNED_FIELDS, "initial")
    shared = [
        person(f"Shared Person {i}", f"shared{i}@soak.example", **initial)
        for i in range(math.ceil(clients / len(OWNED_FIELDS)))
    ]
    duels = [
        person(f"Duel Person {i}", f"duel{i}@soak.example", notes="initial")
        for i in range(math.ceil(clients / 2))
    ]
    others = [f"person{i}@soak.example" for i in range(MENTIONED)]
    for i, email in enumerate(others):
        person(f"Mentioned Person {i}", email)
    emails = [f"shared{i}@soak.example" for i in range(len(shared))]
    emails += [f"duel{i}@soak.example" for i in range(len(duels))] + others
    mark = AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0
    return World(tokens=tokens, shared=shared, duels=duels, emails=emails, audit_mark=mark)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(args: argparse.Namespace, env: dict[str, str], work: Path) -> list[Any]:
    servers = []
    for i in range(args.servers):
        port = free_port()
        command = [sys.executable, "-m", "rapport", "serve", "--no-demo", "--port", str(port)]
        command += ["--threads", str(args.threads)] + (["--no-worker"] if i else [])
        log = work / f"server-{i}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        servers.append((process, port, log))
    return servers


def wait_ready(servers: list[Any], token: str, deadline: float) -> None:
    for process, port, log in servers:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"A server stopped at start:\n{log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request(
                    "GET", "/api/v1/people?limit=1", headers={"Authorization": f"Bearer {token}"}
                )
                if conn.getresponse().status == 200:
                    conn.close()
                    break
                conn.close()
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit(f"A server did not answer in time:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


def stop_servers(servers: list[Any]) -> None:
    for process, _, _ in servers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, _, _ in servers:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The checks, on the database once the servers have stopped.


def acceptable(writes: list[tuple[str, str]], initial: str) -> set[str]:
    """The values a field may hold after one client's writes, in order: the last one
    acknowledged, or any later one whose answer never came."""
    values: set[str] = set()
    last_ok = initial
    for value, outcome in writes:
        if outcome == "ok":
            last_ok, values = value, set()
        elif outcome == "unknown":
            values.add(value)
    return values | {last_ok}


@dataclass
class Audit:
    """Which audit entries the writes call for: `must` exactly once, `may` at most once."""

    must: set[tuple] = field(default_factory=set)
    may: set[tuple] = field(default_factory=set)

    def expect(self, key: tuple, outcome: str) -> None:
        if outcome == "ok":
            self.must.add(key)
        elif outcome == "unknown":
            self.may.add(key)


def check(world: World, outcomes: list[Outcome]) -> Counter:
    """Every figure of the checks, by name (FAILURES must be zero)."""
    result: Counter = Counter()
    audit = Audit()
    check_captures(outcomes, result, audit)
    check_fields(world, outcomes, result, audit)
    check_duels(world, outcomes, result, audit)
    check_audit(world, result, audit)
    check_counts(result)
    return result


def check_captures(outcomes: list[Outcome], result: Counter, audit: Audit) -> None:
    """Each acknowledged capture stored once, under the id its answer gave, and no other."""
    from rapport.touchpoints.models import Touchpoint

    found: dict[str, list[int]] = defaultdict(list)
    stored = Touchpoint.objects.filter(capture_line__contains="soak-")
    for pk, line in stored.values_list("id", "capture_line"):
        match = MARKER.search(line)
        found[match.group(0) if match else line].append(pk)
    acked: dict[str, int | None] = {}
    unsure: set[str] = set()
    for out in outcomes:
        for marker, (outcome, answered) in out.captures.items():
            if outcome == "ok":
                acked[marker] = answered
            elif outcome == "unknown":
                unsure.add(marker)
    result["captures acknowledged"] = len(acked)
    for marker, answered in acked.items():
        held = found.get(marker, [])
        result["captures lost"] += not held
        result["captures stored under another id"] += bool(held) and answered not in held
    result["captures duplicated"] = sum(len(pks) - 1 for pks in found.values())
    result["captures stored unacknowledged"] = sum(
        1 for marker in found if marker not in acked and marker not in unsure
    )
    for pks in found.values():
        for pk in pks:
            audit.must.add(("create", "touchpoint", str(pk)))


def check_fields(world: World, outcomes: list[Outcome], result: Counter, audit: Audit) -> None:
    """Each owned field, and each touchpoint's answer, holds the last value acknowledged."""
    from rapport.people.models import Person
    from rapport.touchpoints.models import Touchpoint

    people = {p["id"]: p for p in Person.objects.values("id", *OWNED_FIELDS)}
    answers = dict(Touchpoint.objects.values_list("id", "answer"))
    for out in outcomes:
        person = world.shared[out.index // len(OWNED_FIELDS)]
        name = OWNED_FIELDS[out.index % len(OWNED_FIELDS)]
        result["field writes acknowledged"] += sum(o == "ok" for _, o in out.person_writes)
        if people[person][name] not in acceptable(out.person_writes, world.initial):
            result["field updates lost"] += 1
        for value, outcome in out.person_writes:
            audit.expect(("set", "person", str(person), name, value), outcome)
        for pk, writes in out.touchpoint_writes.items():
            result["touchpoint writes acknowledged"] += sum(o == "ok" for _, o in writes)
            if answers.get(pk) not in acceptable(writes, ""):
                result["touchpoint updates lost"] += 1
            for value, outcome in writes:
                audit.expect(("set", "touchpoint", str(pk), "answer", value), outcome)


def check_duels(world: World, outcomes: list[Outcome], result: Counter, audit: Audit) -> None:
    """If-Match: each acknowledged write made the version after the one it read, no two made
    the same version, and the notes hold the value of the one that made the latest."""
    from rapport.people.models import Person

    notes = dict(Person.objects.filter(pk__in=world.duels).values_list("id", DUEL_FIELD))
    for d, duel in enumerate(world.duels):
        tries = [w for out in outcomes if out.index // 2 == d for w in out.duel_writes]
        ok = [w for w in tries if w[1] == "ok"]
        result["If-Match writes acknowledged"] += len(ok)
        result["If-Match writes refused (412)"] += sum(w[1] == "refused" for w in tries)
        made = Counter(w[3] for w in ok)
        result["If-Match writes on one version"] += sum(n - 1 for n in made.values())
        result["If-Match writes not on the version read"] += sum(w[3] != w[2] + 1 for w in ok)
        last = max(ok, key=lambda w: w[3], default=None)
        allowed = {w[0] for w in tries if w[1] == "unknown"}
        allowed.add(last[0] if last else world.initial)
        result["If-Match updates lost"] += notes[duel] not in allowed
        for value, outcome, _, _ in tries:
            audit.expect(("set", "person", str(duel), DUEL_FIELD, value), outcome)


def check_audit(world: World, result: Counter, audit: Audit) -> None:
    """One entry per acknowledged write (at most one for a write never answered), and each
    entry's "before" the "after" of the entry before it on the same field."""
    from rapport.audit.models import AuditEntry

    entries = AuditEntry.objects.filter(
        id__gt=world.audit_mark,
        action__in=["create", "update"],
        object_type__in=["person", "touchpoint"],
    ).order_by("id")
    seen: Counter = Counter()
    chains: dict[tuple[str, str, str], Any] = {}
    for action, kind, pk, changes in entries.values_list(
        "action", "object_type", "object_id", "changes"
    ):
        if action == "create":
            seen[(action, kind, pk)] += 1
            continue
        for name, (before, after) in changes.items():
            if name == "version":
                continue
            seen[("set", kind, pk, name, after)] += 1
            start = "" if kind == "touchpoint" else world.initial
            result["audit entries with a stale before"] += (
                chains.get((kind, pk, name), start) != before
            )
            chains[(kind, pk, name)] = after
    result["audit entries expected"] = len(audit.must)
    result["audit entries missing"] = sum(seen[key] == 0 for key in audit.must)
    result["audit entries extra"] = sum(
        n - (key in audit.must or key in audit.may) for key, n in seen.items()
    )


def check_counts(result: Counter) -> None:
    """Derived figures written beside the edits: each person's touchpoint count."""
    from django.db.models import Count

    from rapport.people.models import Person

    counted = Person.objects.annotate(n=Count("participations"))
    result["people whose touchpoint count is wrong"] = sum(
        a != b for a, b in counted.values_list("touchpoint_count", "n")
    )


# What is wrong if it is not zero.
FAILURES = (
    "captures lost",
    "captures stored under another id",
    "captures duplicated",
    "captures stored unacknowledged",
    "field updates lost",
    "touchpoint updates lost",
    "If-Match writes on one version",
    "If-Match writes not on the version read",
    "If-Match updates lost",
    "audit entries missing",
    "audit entries extra",
    "audit entries with a stale before",
    "people whose touchpoint count is wrong",
)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else 0.0


def report(outcomes: list[Outcome], seconds: float, result: Counter, logged: int) -> int:
    """Print the table of requests and the checks; the number of errors and losses."""
    statuses: Counter = Counter()
    latencies: dict[str, list[float]] = defaultdict(list)
    for out in outcomes:
        statuses.update(out.statuses)
        for kind, values in out.latencies.items():
            latencies[kind] += values
    total = sum(statuses.values())
    errors = sum(n for (kind, s), n in statuses.items() if s not in EXPECTED[kind])
    print(f"{'kind':<20}{'requests':>10}{'ok':>9}{'412':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in KINDS:
        mine = {s: n for (k, s), n in statuses.items() if k == kind}
        bad = sum(n for s, n in mine.items() if s not in EXPECTED[kind])
        print(
            f"{kind:<20}{sum(mine.values()):>10,}{mine.get(200, 0) + mine.get(201, 0):>9,}"
            f"{mine.get(412, 0):>7,}{bad:>8,}{quantile(latencies[kind], 0.5) * 1000:>9.0f}"
            f"{quantile(latencies[kind], 0.95) * 1000:>9.0f}"
        )
    print(f"{'all':<20}{total:>10,}{'':>9}{'':>7}{errors:>8,}   {total / seconds:,.1f} requests/s")
    kinds: Counter = Counter()
    for (kind, s), n in statuses.items():
        if s not in EXPECTED[kind]:
            kinds[str(s)] += n
    if kinds:
        print("errors: " + ", ".join(f"{n:,} × {s}" for s, n in kinds.items()))
    for out in outcomes:
        for line in out.problems:
            print(f"  client {out.index}: {line}")
    print()
    for name in (
        "captures acknowledged",
        "field writes acknowledged",
        "touchpoint writes acknowledged",
        "If-Match writes acknowledged",
        "If-Match writes refused (412)",
        "audit entries expected",
        *FAILURES,
    ):
        print(f"{name:<45}{result[name]:>8,}")
    print(f"{'server errors logged':<45}{logged:>8,}")
    return errors + logged + sum(result[name] for name in FAILURES)


def logged_errors(paths: list[Path]) -> int:
    """Tracebacks the servers wrote (a 5xx logged by Django, an error in a server thread)."""
    return sum(
        p.read_text(errors="replace").count("Traceback (most recent call last)") for p in paths
    )


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    work = Path(tempfile.mkdtemp(prefix="rapport-soak-"))
    url = args.postgres or f"sqlite:///{work / 'soak.sqlite3'}"
    for name in [n for n in os.environ if n.startswith("RAPPORT_")]:
        del os.environ[name]
    os.environ.update(
        RAPPORT_DATA_DIR=str(work),
        RAPPORT_DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="rapport.settings",
        PYTHONUNBUFFERED="1",
    )
    if args.postgres:
        recreate_postgres(args.postgres)
    import multiprocessing

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", interactive=False, verbosity=0)
    world = make_world(args.clients)
    database = f"PostgreSQL {connection.pg_version // 10000}" if args.postgres else "SQLite"  # type: ignore[attr-defined]
    connections.close_all()
    print(
        f"Soak: {args.clients} clients for {args.seconds:g} s on {database}, "
        f"{args.servers} × `rapport serve --threads {args.threads}`",
        flush=True,
    )
    servers = start_servers(args, dict(os.environ), work)
    try:
        wait_ready(servers, world.tokens[0], time.time() + 180)
        start_at = time.time() + 1
        plans = [
            Plan(
                index=i,
                port=servers[i % len(servers)][1],
                token=world.tokens[i],
                person=world.shared[i // len(OWNED_FIELDS)],
                field=OWNED_FIELDS[i % len(OWNED_FIELDS)],
                duel=world.duels[i // 2],
                mentions=world.emails,
                start_at=start_at,
                stop_at=start_at + args.seconds,
                seed=args.seed * 1000 + i,
            )
            for i in range(args.clients)
        ]
        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            outcomes = pool.map(run_client, plans)
        seconds = time.time() - start_at
    finally:
        stop_servers(servers)
    result = check(world, outcomes)
    connections.close_all()
    wrong = report(outcomes, seconds, result, logged_errors([log for _, _, log in servers]))
    if wrong:
        print(f"\nFAILED: {wrong:,} errors, losses or mismatches; logs kept in {work}")
        sys.exit(1)
    print("\nOK: no errors, nothing lost, nothing duplicated, no update lost.")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
        if args.postgres:
            recreate_postgres(args.postgres, create=False)


if __name__ == "__main__":
    main()
