"""Who work can be logged as: active librarians and administrators, never managers."""

import pytest

from rapport.accounts.queries import access_librarian, librarians, librarians_for
from rapport.errors import Forbidden, NotFound
from tests.factories import make_user


def test_librarians_are_the_active_non_managers_by_user_name(world):
    make_user("zed", is_active=False)
    make_user("aaron")

    assert [u.username for u in librarians()] == ["aaron", "ada", "alice", "bob"]
    assert list(librarians_for(world.alice)) == list(librarians())


def test_managers_are_refused_the_list(world):
    with pytest.raises(Forbidden) as err:
        librarians_for(world.mia)
    assert (
        err.value.message == "Managers see aggregate figures only, not individual librarians' work."
    )


def test_one_librarian_or_not_found(world):
    assert access_librarian(world.alice, world.bob.pk) == world.bob
    for pk in (world.mia.pk, make_user("gone", is_active=False).pk, 10_000):
        with pytest.raises(NotFound):
            access_librarian(world.alice, pk)
