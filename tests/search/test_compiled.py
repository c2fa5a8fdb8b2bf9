"""The candidates' SQL is built once per user and filters and kept (`compiled_candidates`):
whatever changes what a user may search must change what is kept, or the search would go on
looking where it used to."""

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from rapport.accounts.models import Role
from rapport.requests.models import Request
from rapport.search import queries
from rapport.search.documents import TOUCHPOINT
from rapport.search.queries import Filters, Reach, compiled_candidates, search
from tests.factories import make_touchpoint

pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-specific: rows tested"
)


def found(user, q):
    return [(h.kind, h.object.pk) for h in search(user, q)]


def test_the_same_user_and_filters_reuse_what_was_built(world):
    reach = Reach.of(world.alice)

    first = compiled_candidates(TOUCHPOINT, reach, Filters())

    assert compiled_candidates(TOUCHPOINT, Reach.of(world.alice), Filters()) is first
    assert compiled_candidates(TOUCHPOINT, reach, Filters(group=world.chem.pk)) is not first
    assert compiled_candidates(TOUCHPOINT, Reach.of(world.bob), Filters()) is not first


def test_a_group_a_librarian_starts_serving_is_searched_at_once(world):
    """Carla belongs to no group: her touchpoint logged in History is alice's through the group
    alone, whose id the kept SQL names."""
    zebra = make_touchpoint(world.bob, [world.carla], group=world.history, question="Zebra finch")
    assert found(world.alice, "zebra") == []

    world.history.librarians.add(world.alice)

    assert found(world.alice, "zebra") == [("touchpoint", zebra.pk)]
    world.history.librarians.remove(world.alice)
    assert found(world.alice, "zebra") == []


def test_a_request_of_a_group_a_librarian_starts_serving_is_shown_at_once(world):
    """The requests' scope names the groups served by id; what is kept of it must follow. Her
    own request makes the first search fetch (and keep) her scope of requests."""

    def request(owner, group, title):
        req = Request.objects.create(
            owner=owner,
            created_by=owner,
            group=group,
            title=title,
            status_changed_at=timezone.now(),
        )
        req.people.add(world.carla)
        return ("request", req.pk)

    hers = request(world.alice, world.chem, "Zebra crossing survey")
    his = request(world.bob, world.history, "Zebra finch song archive")
    assert found(world.alice, "zebra") == [hers]

    world.history.librarians.add(world.alice)

    assert sorted(found(world.alice, "zebra")) == sorted([hers, his])
    world.history.librarians.remove(world.alice)
    assert found(world.alice, "zebra") == [hers]


def test_a_manager_is_shown_no_one(world):
    assert list(queries.scoped_rows("person", Reach.of(world.mia), [world.ana.pk])) == []
    assert [p.pk for p in queries.scoped_rows("person", Reach.of(world.alice), [world.ana.pk])] == [
        world.ana.pk
    ]


def test_a_new_role_or_library_wide_sharing_changes_the_reach_at_once(world):
    hugo = ("touchpoint", world.hugo_question.pk)
    assert hugo not in found(world.alice, "archive")

    with override_settings(RAPPORT_SHARING="library"):
        assert hugo in found(world.alice, "archive")
    assert hugo not in found(world.alice, "archive")

    world.alice.role = Role.ADMIN
    world.alice.save()
    assert hugo in found(world.alice, "archive")
    world.alice.role = Role.LIBRARIAN
    world.alice.save()
    assert hugo not in found(world.alice, "archive")


def test_what_is_kept_is_bounded(world, monkeypatch):
    monkeypatch.setattr(queries, "COMPILED_KEPT", 2)
    queries.forget_compiled()
    for day in range(1, 6):
        filters = Filters(group=world.chem.pk, tag=f"t{day}")
        compiled_candidates(TOUCHPOINT, Reach.of(world.alice), filters)
        assert len(queries._compiled) <= 2
    search(world.alice, "prisma")
    assert queries._compiled and queries._scopes

    queries.forget_compiled()

    assert not queries._compiled and not queries._scopes


@pg_only
def test_the_candidates_test_each_row_against_the_scope_kept_for_the_fetch(world):
    """The scope is built once per user: the condition the candidates test on each match is
    the one `scoped_rows` fetches the hits through, with the filters beside it."""
    queries.forget_compiled()
    reach = Reach.of(world.alice)

    where = compiled_candidates(TOUCHPOINT, reach, Filters(group=world.chem.pk))

    assert list(queries._scopes) == [(connection.alias, connection.vendor, TOUCHPOINT, reach.key())]
    scope_sql, scope_params = queries._scopes[next(iter(queries._scopes))]
    rows_sql, rows_params = where.rows
    assert rows_sql == f'(({scope_sql}) AND "rapport_touchpoint"."group_id" = %s)'
    assert list(rows_params) == [*scope_params, world.chem.pk]
