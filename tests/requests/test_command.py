"""`rapport reassign --from alice --to cara`: what it prints and what it moves."""

import io

import pytest
from django.core.management import CommandError, call_command

from rapport.audit.models import AuditEntry
from rapport.requests.models import Request
from tests.factories import make_user
from tests.requests.conftest import make_request

SAME = "Choose a different librarian to take the requests over."


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_reassign_prints_what_moved(world, today):
    cara = make_user("cara")
    due = make_request(world.alice, [world.ana], need="Due one", due_on=today)
    follow = make_request(
        world.alice, [world.ana], need="Follow one", status="delivered", follow_up_on=today
    )
    closed = make_request(world.alice, [world.ana], need="Done", status="closed")

    out = run("reassign", "--from", "alice", "--to", "Cara")

    assert out.splitlines() == [
        f"#{due.pk} Due one (new, due {today:%Y-%m-%d})",
        f"#{follow.pk} Follow one (delivered, follow-up {today:%Y-%m-%d})",
        "Moved 2 open requests from alice to cara.",
    ]
    assert set(Request.objects.filter(owner=cara)) == {due, follow}
    assert Request.objects.get(pk=closed.pk).owner == world.alice
    entries = AuditEntry.objects.filter(action="reassign")
    assert [(e.actor, e.changes) for e in entries] == [
        (None, {"owner": [world.alice.pk, cara.pk], "version": [1, 2]}),
        (None, {"owner": [world.alice.pk, cara.pk], "version": [1, 2]}),
    ]


def test_reassign_nothing_to_move(world):
    assert run("reassign", "--from", "bob", "--to", "alice") == (
        "Moved 0 open requests from bob to alice.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "nobody", "--to", "alice"], "There is no user “nobody”."),
        (["--from", "alice", "--to", "mia"], None),
        (["--from", "alice", "--to", "alice"], SAME),
    ],
)
def test_reassign_refusals_move_nothing(world, args, message):
    make_request(world.alice, [world.ana])

    with pytest.raises(CommandError) as err:
        run("reassign", *args)

    if message:
        assert str(err.value) == message
    else:
        assert str(err.value).startswith("mia cannot own a request")
    assert Request.objects.get().owner == world.alice
