"""touchpoints_between gives exactly touchpoints_for over a period, for every kind of user."""

import datetime as dt

import pytest
from django.utils import timezone

from rapport.touchpoints.queries import touchpoints_between, touchpoints_for
from tests.factories import make_person, make_touchpoint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sharing", ["groups", "library"])
def test_touchpoints_between_matches_the_scope_for_everyone(world, settings, sharing):
    settings.RAPPORT_SHARING = sharing
    # Outside the period, in another librarian's group, about a contact, and alice's own
    # confidential one about someone she does not serve.
    make_touchpoint(world.alice, [world.ana], question="Old question", days_ago=400)
    make_touchpoint(world.bob, [world.ana], question="Bob asked Ana", days_ago=3)
    make_touchpoint(world.bob, [world.hugo], question="History only", group=world.history)
    stranger = make_person("Sam Stranger")
    make_touchpoint(world.alice, [stranger], question="Alice's private", confidential=True)
    make_touchpoint(world.bob, [world.carla], question="Bob and Carla", days_ago=2)
    end = timezone.now() + dt.timedelta(hours=1)
    start = end - dt.timedelta(days=30)
    for user in (world.alice, world.bob, world.mia, world.ada):
        expected = set(
            touchpoints_for(user)
            .filter(occurred_at__gte=start, occurred_at__lt=end)
            .values_list("question", flat=True)
        )
        found = set(touchpoints_between(user, start, end).values_list("question", flat=True))
        assert found == expected, user.username


def test_touchpoints_between_for_alice_in_groups_sharing(world):
    make_touchpoint(world.bob, [world.ana], question="Bob asked Ana", days_ago=3)
    make_touchpoint(world.alice, [world.ana], question="Old question", days_ago=400)
    end = timezone.now() + dt.timedelta(hours=1)
    found = touchpoints_between(world.alice, end - dt.timedelta(days=30), end)
    assert sorted(found.values_list("question", flat=True)) == [
        "Bob asked Ana",
        "PRISMA search strings",
        "Private worry about tenure",
    ]
