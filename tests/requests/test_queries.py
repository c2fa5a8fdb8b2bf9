"""Scoped request reads, and the lists the Today page and briefs call."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.errors import Forbidden, NotFound
from rapport.requests.queries import (
    access_request,
    follow_ups_due,
    open_requests_for_group,
    open_requests_for_person,
    requests_due,
    requests_for,
    stories_for,
)
from tests.factories import make_person
from tests.requests.conftest import make_request


@pytest.fixture
def reqs(world):
    return {
        "alice_ana": make_request(world.alice, [world.ana], need="alice for ana"),
        "bob_hugo": make_request(world.bob, [world.hugo], need="bob for hugo"),
        "bob_chem": make_request(world.bob, [world.carla], need="bob, chem", group=world.chem),
        "bob_carla": make_request(world.bob, [world.carla], need="bob for carla"),
    }


def needs(qs):
    return sorted(r.need for r in qs)


def test_requests_for_each_role(world, reqs):
    assert needs(requests_for(world.ada)) == sorted(r.need for r in reqs.values())
    # alice: her own, and the one for her group although bob owns it and carla is not hers.
    assert needs(requests_for(world.alice)) == ["alice for ana", "bob, chem"]
    assert needs(requests_for(world.bob)) == ["bob for carla", "bob for hugo", "bob, chem"]
    with pytest.raises(Forbidden) as err:
        requests_for(world.mia)
    assert err.value.message == "Managers see aggregate figures only, not individual requests."


def test_requests_for_people_in_scope(world):
    req = make_request(world.bob, [world.ben], need="bob asked about ben")

    assert needs(requests_for(world.alice)) == ["bob asked about ben"]
    assert access_request(world.alice, req.pk) == req


def test_requests_for_library_wide_sharing(world, reqs, settings):
    settings.RAPPORT_SHARING = "library"

    assert len(requests_for(world.alice)) == 4


def test_get_request_for_out_of_scope_is_not_found(world, reqs):
    with pytest.raises(NotFound) as err:
        access_request(world.alice, reqs["bob_hugo"].pk)
    assert err.value.message == f"There is no request {reqs['bob_hugo'].pk} that you can see."
    with pytest.raises(NotFound):
        access_request(world.alice, "abc")
    with pytest.raises(Forbidden):
        access_request(world.mia, reqs["alice_ana"].pk)


def test_follow_ups_due_owned_delivered_and_due(world, today):
    day = dt.timedelta(days=1)
    late = make_request(world.alice, [world.ana], status="delivered", follow_up_on=today - day)
    due = make_request(world.alice, [world.ana], status="delivered", follow_up_on=today)
    make_request(world.alice, [world.ana], status="delivered", follow_up_on=today + day)
    make_request(world.alice, [world.ana], status="followed_up", follow_up_on=today - day)
    make_request(world.bob, [world.hugo], status="delivered", follow_up_on=today - day)

    assert list(follow_ups_due(world.alice, today)) == [late, due]
    assert list(follow_ups_due(world.mia, today)) == []


def test_requests_due_within_the_window(world, today):
    def on(days, status="new", owner=None):
        return make_request(
            owner or world.alice, [world.ana], status=status, due_on=today + dt.timedelta(days)
        )

    overdue, soon, edge = on(-3), on(2, "in_progress"), on(7)
    on(8)
    on(1, "delivered")
    on(1, owner=world.bob)
    make_request(world.alice, [world.ana])  # no due date

    assert list(requests_due(world.alice, today)) == [overdue, soon, edge]
    assert list(requests_due(world.alice, today, within_days=0)) == [overdue]


def test_open_requests_for_person_and_group(world, reqs):
    closed = make_request(world.alice, [world.ana], status="closed")
    follow = make_request(world.alice, [world.ana], status="followed_up", group=world.chem)

    assert list(open_requests_for_person(world.alice, world.ana)) == [
        follow,
        reqs["alice_ana"],
    ]
    assert closed not in open_requests_for_group(world.alice, world.chem)
    assert needs(open_requests_for_group(world.alice, world.chem)) == [
        "A literature search",
        "bob, chem",
    ]


def test_stories_for_newest_first_with_tag(world):
    old = make_request(
        world.alice, [world.ana], story="Old", story_tags=["grant"],
        story_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    new = make_request(
        world.alice, [world.ana], story="New", story_tags=["teaching", "grant-x"],
        story_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    make_request(world.alice, [world.ana])  # no story
    make_request(world.bob, [world.hugo], story="Bob's", story_tags=["grant"])

    assert list(stories_for(world.alice)) == [new, old]
    assert list(stories_for(world.alice, tag="#Grant")) == [old]
    with pytest.raises(Forbidden):
        stories_for(world.mia)


def test_lists_query_count_does_not_grow_with_rows(world, today):
    def count(n):
        for i in range(n):
            person = make_person(f"P {n} {i}", groups=[world.chem])
            make_request(world.alice, [person, world.ana], group=world.chem, due_on=today)
        with CaptureQueriesContext(connection) as ctx:
            rows = list(requests_due(world.alice, today))
            for r in rows:
                _ = (
                    r.owner.username,
                    r.group and r.group.name,
                    [p.full_name for p in r.people.all()],
                )
        return len(ctx.captured_queries)

    assert count(2) == count(10) == 2
