"""The soak benchmark (benchmarks/soak.py) in small: a few clients for a few seconds against a
real `rapport serve`, so the script keeps working and the checks it makes keep passing. The
figures in docs/reliability.md come from the same script run for a minute."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def soak_database() -> list[str]:
    """SQLite by default; on PostgreSQL runs, a database of its own beside the test one."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return []
    host, port, user = database["HOST"] or "127.0.0.1", database["PORT"] or 5432, database["USER"]
    return ["--postgres", f"postgres://{user}@{host}:{port}/{database['NAME']}_soak"]


def test_soak_loses_nothing_under_concurrent_writers():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.soak",
            "--seconds",
            "3",
            "--clients",
            "4",
            *soak_database(),
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")},
        capture_output=True,
        text=True,
        timeout=300,
    )

    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    figures = dict(re.findall(r"^([A-Za-z][\w ()-]+?)\s{2,}([\d,]+)$", out, re.MULTILINE))
    assert int(figures["captures acknowledged"].replace(",", "")) > 0
    assert int(figures["field writes acknowledged"].replace(",", "")) > 0
    assert int(figures["If-Match writes acknowledged"].replace(",", "")) > 0
    for failure in (
        "captures lost",
        "captures duplicated",
        "captures stored unacknowledged",
        "field updates lost",
        "touchpoint updates lost",
        "If-Match updates lost",
        "audit entries missing",
        "audit entries extra",
        "audit entries with a stale before",
        "server errors logged",
    ):
        assert figures[failure] == "0", failure
    assert out.splitlines()[-1].startswith("OK: ")
