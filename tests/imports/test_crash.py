"""kill -9 in the middle of an import, then `--resume` straight away: every row is in once.

Real processes on a real database of their own (a file under SQLite; a database made for the
test under PostgreSQL): `rapport import` runs until it has committed its first chunk, is
killed with SIGKILL inside a later one, and `rapport import --resume` goes on at once."""

import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROWS = 60_000  # three chunks of 25,000: the kill lands in the second
RAPPORT = [sys.executable, "-m", "rapport"]


@pytest.fixture
def own_database(tmp_path: Path):
    """Environment for processes that share one real database of their own."""
    env = {
        **os.environ,
        "RAPPORT_DATA_DIR": str(tmp_path),
        "RAPPORT_MEDIA_ROOT": str(tmp_path / "media"),
        "RAPPORT_SECRET_KEY": "x",
    }
    url = os.environ.get("RAPPORT_DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("RAPPORT_DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"rapport_kill_{os.getpid()}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["RAPPORT_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    yield env
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _export(path: Path) -> Path:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["Timestamp", "Staff", "Question", "How asked"])
        for n in range(ROWS):
            day, minute = 1 + n % 28, n % 600
            out.writerow(
                [f"2025-02-{day:02d} {8 + minute // 60:02d}:{minute % 60:02d}", "", f"Q{n}", "Chat"]
            )
    return path


def _shell(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [*RAPPORT, "shell", "-v", "0", "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_kill_9_mid_import_then_resume_loses_and_duplicates_nothing(own_database, tmp_path):
    env = own_database
    subprocess.run([*RAPPORT, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*RAPPORT, "createuser", "ana", "--role", "admin", "--password-stdin"],
        env=env,
        check=True,
        input="a long enough passphrase\n",
        text=True,
        capture_output=True,
    )
    export = _export(tmp_path / "desk.csv")

    importer = subprocess.Popen(
        [*RAPPORT, "import", str(export), "--as", "ana"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert importer.stdout is not None
    lines = []
    for line in importer.stdout:  # "Import 1: …", then "  imported 25,000 rows" per chunk
        lines.append(line)
        if "imported 25,000 rows" in line:
            break
    os.kill(importer.pid, signal.SIGKILL)  # as it starts the second chunk
    importer.wait(timeout=60)
    assert importer.returncode == -signal.SIGKILL, lines
    job = lines[0].split(":")[0].split()[-1]

    state = _shell(
        env,
        "from rapport.imports.models import ImportJob as J; "
        f"j = J.objects.get(pk={job}); print(j.status, j.checkpoint, j.created, bool(j.worker))",
    )
    status, checkpoint, created, named = state.split()
    # The killed worker could not say it stopped; what it committed is whole chunks.
    assert (status, named, checkpoint == created) == ("running", "True", True)
    assert int(checkpoint) in (25_000, 50_000)

    resumed = subprocess.run(
        [*RAPPORT, "import", "--resume", job, "--as", "ana"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert resumed.returncode == 0, resumed.stderr
    assert "Done: Touchpoints: 60,000 created" in resumed.stdout
    counts = _shell(
        env,
        "from rapport.touchpoints.models import Touchpoint as T; "
        "from rapport.imports.models import ImportJob as J; "
        "qs = T.objects.filter(source_system='generic'); "
        f"j = J.objects.get(pk={job}); "
        "print(qs.count(), len(set(qs.values_list('question', flat=True))), "
        "j.status, j.checkpoint, j.created, j.skipped, j.worker == '')",
    )
    assert counts == f"{ROWS} {ROWS} done {ROWS} {ROWS} 0 True"
