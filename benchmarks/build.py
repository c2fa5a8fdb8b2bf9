"""Build (or reuse) the benchmark database of a tier, timing the load against a bare baseline.

The baseline streams the very same rows (same generator, tier, seed and end) into an empty
copy of the schema through a bare `sqlite3` connection with the same PRAGMAs, timing only the
`executemany` calls and the commit. The ratio load / bare is the price of generating the rows
and of going through Django's connection.
"""

import datetime as dt
import hashlib
import json
import sqlite3
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from rapport.demo.base import TIERS
from rapport.demo.generator import default_end, generate
from rapport.demo.loader import SQLITE_LOAD_PRAGMAS, demo_password_hash, load, sql_for

DEMO_SOURCES = Path(__file__).resolve().parent.parent / "rapport" / "demo"


def fingerprint() -> str:
    """Changes whenever the generator's code does, so a stale bench database is rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(DEMO_SOURCES.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def bare_insert(path: Path, tier_name: str, seed: int, end: dt.datetime) -> dict[str, float]:
    """Stream the tier's rows into `path` with plain sqlite3; time the inserts alone."""
    tier = TIERS[tier_name]
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "temp_store=MEMORY",
        *(f"{k}={v}" for k, v in SQLITE_LOAD_PRAGMAS.items()),
    ):
        con.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    inserting = 0.0
    con.execute("BEGIN IMMEDIATE")
    rows = 0
    tz = timezone.get_current_timezone()
    for batch in generate(tier, seed=seed, end=end, tz=tz, password=demo_password_hash(seed)):
        t = time.perf_counter()
        con.executemany(sql_for(batch, "?"), batch.rows)
        inserting += time.perf_counter() - t
        rows += len(batch.rows)
    t = time.perf_counter()
    con.execute("COMMIT")
    inserting += time.perf_counter() - t
    total = time.perf_counter() - started
    con.close()
    return {"bare_insert_s": inserting, "generate_s": total - inserting, "rows": rows}


def build_or_reuse(db: Path, tier_name: str, seed: int, rebuild: bool, say) -> dict:
    """The tier's database at `db`, built once per tier, seed and generator version."""
    sidecar = db.with_suffix(".json")
    wanted = {"tier": tier_name, "seed": seed, "generator": fingerprint()}
    if not rebuild and db.exists() and sidecar.exists():
        info = json.loads(sidecar.read_text())
        if {k: info.get(k) for k in wanted} == wanted:
            call_command("migrate", interactive=False, verbosity=0)
            info["reused"] = True
            say(f"Reusing {db} (built {info['built']}).")
            return info
    say(f"Building tier {tier_name} (seed {seed}) into {db} …")
    connection.close()
    remove_database(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    empty = db.with_name(db.stem + "-bare.sqlite3")
    remove_database(empty)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(empty)])
    tier = TIERS[tier_name]
    end = default_end(tier, timezone.get_current_timezone(), timezone.localtime())
    loaded = load(tier, seed=seed, end=end)
    say(f"  loaded in {loaded.seconds:.1f} s; now the bare sqlite3 baseline …")
    bare = bare_insert(empty, tier_name, seed, end)
    remove_database(empty)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what an operator runs after a bulk load
    info = {
        **wanted,
        "built": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "load_s": loaded.seconds,
        **bare,
        "tables": dict(loaded.rows),
        "reused": False,
    }
    sidecar.write_text(json.dumps(info, indent=2))
    return info
