"""`rapport token create|list|revoke`: output, and what it leaves in the database."""

import io

import pytest
from django.core.management import CommandError, call_command

from rapport.accounts.models import ApiToken
from rapport.accounts.services import user_for_token
from rapport.audit.models import AuditEntry


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_create_prints_a_working_token_once(world):
    out = run("create", "--user", "alice", "--name", "  nightly   sync ")

    token = ApiToken.objects.get(user=world.alice)
    first, raw, end = out.split("\n")
    assert first == (
        f"Created token {token.pk} “nightly sync” for alice. "
        "Copy it now; it will not be shown again:"
    )
    assert (raw[:4], raw[:8], end) == ("rpt_", token.hint, "")
    assert user_for_token(raw) == world.alice
    assert AuditEntry.objects.get(object_type="apitoken").action == "create"


def test_token_create_empty_name_is_refused(world):
    with pytest.raises(CommandError) as err:
        run("create", "--user", "alice", "--name", "   ")

    assert str(err.value) == "Give the token a name, e.g. “laptop script”."
    assert not ApiToken.objects.exists()


def test_token_unknown_user_is_refused(world):
    with pytest.raises(CommandError) as err:
        run("create", "--user", "nobody", "--name", "x")

    assert str(err.value) == "There is no active user “nobody”."
    assert not ApiToken.objects.exists()


def test_token_list_shows_state(world):
    run("create", "--user", "alice", "--name", "laptop")
    run("create", "--user", "alice", "--name", "server")
    laptop, server = ApiToken.objects.filter(user=world.alice).order_by("pk")
    run("revoke", "--user", "alice", str(laptop.pk))

    lines = run("list", "--user", "alice").splitlines()

    assert lines[0] == "id\thint\tname\tcreated\tlast used\tstate"
    assert [line.split("\t")[:3] for line in lines[1:]] == [
        [str(laptop.pk), f"{laptop.hint}…", "laptop"],
        [str(server.pk), f"{server.hint}…", "server"],
    ]
    assert lines[1].split("\t")[4:5] == ["never used"]
    assert lines[1].split("\t")[5].startswith("revoked ")
    assert lines[2].split("\t")[5] == "active"


def test_token_list_without_tokens(world):
    assert run("list", "--user", "bob") == "bob has no tokens.\n"


def test_token_revoke_stops_the_token(world):
    out = run("create", "--user", "alice", "--name", "laptop")
    raw = out.splitlines()[1]
    token = ApiToken.objects.get(user=world.alice)

    revoked = run("revoke", "--user", "alice", str(token.pk))

    token.refresh_from_db()
    assert revoked.startswith(f"Token {token.pk} “laptop” of alice is revoked (since ")
    assert token.revoked_at is not None
    assert user_for_token(raw) is None


def test_token_revoke_someone_elses_token_is_refused(world):
    run("create", "--user", "alice", "--name", "laptop")
    token = ApiToken.objects.get(user=world.alice)

    with pytest.raises(CommandError) as err:
        run("revoke", "--user", "bob", str(token.pk))

    assert str(err.value) == "There is no such token of yours."
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_revoke_absurd_id_is_refused(world):
    with pytest.raises(CommandError) as err:
        run("revoke", "--user", "alice", str(10**30))

    assert str(err.value) == f"alice has no token {10**30}."
