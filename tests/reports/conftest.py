"""The reports' shared data: a year of touchpoints long before the test world's own."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from rapport.relationships.services import refresh_all
from tests.factories import make_person, make_touchpoint

LONDON = ZoneInfo("Europe/London")


def at(year, month, day=10):
    return dt.datetime(year, month, day, 9, 0, tzinfo=LONDON)


@pytest.fixture
def year(world):
    """Two new people in Chemistry Lab over academic year 2023–24, and one desk question
    for Hugo in History; the next year's first touchpoint lies outside."""
    pia = make_person("Pia Park", groups=[world.chem])
    quinn = make_person("Quinn Quist", groups=[world.chem])
    chem = {"author": world.alice, "group": world.chem}
    make_touchpoint(
        people=[pia], occurred_at=at(2023, 10, 5), origin="walkby", read_level=2, **chem
    )
    make_touchpoint(
        people=[pia], occurred_at=at(2023, 11, 10), origin="desk", read_level=4, minutes=60, **chem
    )
    make_touchpoint(people=[quinn], occurred_at=at(2023, 11, 20), origin="referral", **chem)
    make_touchpoint(
        people=[pia, quinn],
        occurred_at=at(2023, 11, 25),
        origin="routine",
        read_level=4,
        confidential=True,
        question="Confidential grant worry",
        **chem,
    )
    make_touchpoint(
        world.bob,
        [world.hugo],
        occurred_at=at(2024, 2, 1),
        origin="desk",
        read_level=1,
        group=world.history,
    )
    make_touchpoint(world.alice, [pia], occurred_at=at(2024, 9, 2), group=world.chem)
    refresh_all()
    return pia, quinn
