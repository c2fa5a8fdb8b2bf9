"""The `rapport` command line: each command's output and what it leaves in the database."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rapport.accounts.models import User
from rapport.touchpoints.models import Touchpoint


def run(*args, stdin=""):
    out = io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_createuser_creates_an_account_with_a_role(db):
    out = run(
        "createuser",
        "nora",
        "--role",
        "manager",
        "--email",
        "nora@lib.example",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )

    assert out == "Created manager “nora”.\n"
    nora = User.objects.get(username="nora")
    assert (nora.role, nora.email) == ("manager", "nora@lib.example")
    assert nora.check_password("a long enough passphrase")


def test_createuser_weak_password_creates_nothing(db):
    with pytest.raises(CommandError) as err:
        run("createuser", "nora", "--password-stdin", stdin="short\n")
    assert "too short" in str(err.value)
    assert not User.objects.filter(username="nora").exists()


def test_createuser_taken_username_is_refused(world):
    with pytest.raises(CommandError) as err:
        run("createuser", "Alice", "--password-stdin", stdin="a long enough passphrase\n")
    assert str(err.value) == "The username “Alice” is taken."


def test_log_records_a_touchpoint_and_prints_it(world):
    out = run(
        "log",
        "@Ben Okafor asked for a Zotero group #zotero ~15m read:2 via:chat",
        "--user",
        "alice",
    )

    tp = Touchpoint.objects.get(question="asked for a Zotero group")
    assert list(tp.people.all()) == [world.ben]
    lines = out.splitlines()
    assert lines[0].startswith(f"Logged touchpoint {tp.pk} with Ben Okafor, ")
    assert lines[1:] == [
        "  asked for a Zotero group",
        "  Question · Chat · origin direct · initiated by them · READ 2 · 15 min · #zotero",
    ]


def test_log_unknown_person_fails_clearly_and_saves_nothing(world):
    with pytest.raises(CommandError) as err:
        run("log", "@Zed Zed asked", "--user", "alice")
    assert str(err.value) == "No one called “Zed Zed” yet: create them, or check the spelling."
    assert Touchpoint.objects.count() == 3


def test_log_unknown_user(world):
    with pytest.raises(CommandError) as err:
        run("log", "hello", "--user", "nobody")
    assert str(err.value) == "There is no active user “nobody”."


def test_serve_check_migrates_and_prints_how_to_sign_in(db):
    out = run("serve", "--check", "--no-demo", "--port", "8123")
    assert "Rapport is at http://127.0.0.1:8123/" in out
    assert "rapport createuser NAME --role librarian" in out


@pytest.fixture
def separate_database(tmp_path: Path):
    """Environment for processes that share one real database of their own (not the test one)."""
    env = {**os.environ, "RAPPORT_DATA_DIR": str(tmp_path), "RAPPORT_SECRET_KEY": "x"}
    url = os.environ.get("RAPPORT_DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("RAPPORT_DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"rapport_concurrency_{os.getpid()}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env["RAPPORT_DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    yield env
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_concurrent_captures_never_fail_and_never_duplicate(separate_database):
    """Eight processes log at once, each mentioning the same new person: every capture lands
    exactly once, without "database is locked", and the person is created once."""
    env = separate_database
    rapport = [sys.executable, "-m", "rapport"]
    subprocess.run([*rapport, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*rapport, "createuser", "w", "--password-stdin"],
        env=env,
        check=True,
        input="a long enough passphrase\n",
        text=True,
        capture_output=True,
    )
    script = (
        "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE'] = 'rapport.settings'\n"
        "django.setup()\n"
        "from rapport.accounts.models import User\n"
        "from rapport.touchpoints.services import capture\n"
        "u = User.objects.get(username='w')\n"
        "for i in range(15):\n"
        "    capture(by=u, line=f'@Pat Doe question {sys.argv[1]}-{i}', create_missing=True)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(n)], env=env, stderr=subprocess.PIPE, text=True
        )
        for n in range(8)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    count = subprocess.run(
        [
            *rapport,
            "shell",
            "-v",
            "0",
            "-c",
            "from rapport.touchpoints.models import Touchpoint as T; "
            "from rapport.people.models import Person as P; "
            "print(T.objects.count(), len(set(T.objects.values_list('question', flat=True))), "
            "P.objects.count(), P.objects.get().touchpoint_count)",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert count == ["120", "120", "1", "120"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("asked \x00", "a NUL byte"), ("caf\udce9", "a lone surrogate, U+DCE9")],
    ids=["nul", "surrogate"],
)
def test_log_refuses_text_that_cannot_be_stored_and_logs_nothing(world, text, problem):
    with pytest.raises(CommandError) as err:
        run("log", f"@Ana Ruiz {text}", "--user", "alice")

    assert str(err.value) == (
        f"The text contains a character that cannot be stored ({problem}) in “line”."
    )
    assert Touchpoint.objects.count() == 3


def test_rapport_refuses_arguments_the_terminal_could_not_decode():
    """A Latin-1 terminal sends "café" as bytes that are not UTF-8; Python keeps the é as a
    lone surrogate, which no command may pass on to the database."""
    result = subprocess.run(
        [sys.executable, "-m", "rapport", "log", b"caf\xe9", "--user", "alice"],
        capture_output=True,
        env={**os.environ, "PYTHONUTF8": "1"},
    )

    assert result.returncode == 1
    assert result.stderr.decode() == (
        "rapport: The text contains a character that cannot be stored (a lone surrogate, "
        "U+DCE9) in “caf\ufffd”. Is the terminal set to UTF-8?\n"
    )
