"""A page costs the same number of queries whether it shows 2 items or 40."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.people.models import Membership
from tests.factories import make_group, make_person, make_touchpoint


def queries_for(call, who, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reply = call("GET", path, as_=who)
    assert reply.status == 200
    return len(ctx.captured_queries)


def grow(world) -> None:
    """Twenty more of everything alice can see, each with its own relations."""
    for n in range(20):
        group = make_group(f"Team {n:02}", librarians=[world.alice, world.bob])
        person = make_person(f"Member {n:02}", groups=[world.chem, group])
        make_touchpoint(world.alice, [person, world.ana], group=group, tags=["t"])


@pytest.mark.parametrize("path", ["/people", "/groups", "/memberships", "/touchpoints"])
def test_list_query_count_does_not_grow_with_the_page(call, world, path):
    call.client(world.alice)  # signs in, so the count below is one request's
    small = queries_for(call, world.alice, path)

    grow(world)
    large = queries_for(call, world.alice, path)

    assert large == small
    assert Membership.objects.count() > 40
