"""Aggregate figures: counts only, over the right touchpoints, in a fixed number of queries."""

import datetime as dt
from zoneinfo import ZoneInfo

from rapport.relationships.services import refresh
from rapport.touchpoints.stats import dashboard, group_counts, group_figures, month_starts
from tests.factories import make_touchpoint

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=LONDON)


def at(year, month, day=10):
    return dt.datetime(year, month, day, 9, 0, tzinfo=LONDON)


def test_month_starts_are_the_last_twelve_months():
    months = month_starts(NOW)

    assert months[0] == dt.date(2025, 4, 1)
    assert months[-1] == dt.date(2026, 3, 1)
    assert len(months) == 12


def test_dashboard_counts_per_month_kind_channel_origin_group(world):
    make_touchpoint(
        world.alice,
        [world.ben],
        occurred_at=at(2026, 2),
        kind="consultation",
        channel="video",
        origin="referral",
        initiated_by="us",
        minutes=30,
        group=world.chem,
    )
    make_touchpoint(world.bob, [world.hugo], occurred_at=at(2025, 4, 1), minutes=15)
    make_touchpoint(world.bob, [world.hugo], occurred_at=at(2025, 3, 31))  # too old

    figures = dashboard(world.mia, now=NOW)

    months = {bar.label: bar.count for bar in figures.months}
    assert months["Apr 2025"] == 1
    assert months["Feb 2026"] == 1
    assert months["Mar 2026"] == 0  # the world's touchpoints happened "yesterday" in real time
    assert figures.total == 2 + 0  # the world's own three are outside this fixed window
    assert figures.minutes == 45
    assert figures.share_initiated_by_them == 50
    assert [(b.label, b.count) for b in figures.kinds] == [("Consultation", 1), ("Question", 1)]
    assert [(b.label, b.count) for b in figures.channels] == [("In person", 1), ("Video", 1)]
    assert [(b.label, b.count) for b in figures.origins] == [("Direct contact", 1), ("Referral", 1)]
    assert [(b.label, b.count) for b in figures.groups] == [("Chemistry Lab", 1), ("No group", 1)]


def test_dashboard_manager_counts_confidential_touchpoints_librarian_sees_only_her_own(world):
    make_touchpoint(world.alice, [world.ana], occurred_at=at(2026, 3), confidential=True)
    make_touchpoint(world.bob, [world.hugo], occurred_at=at(2026, 3), confidential=True)

    assert dashboard(world.mia, now=NOW).total == 2
    assert dashboard(world.alice, now=NOW).total == 1
    assert dashboard(world.ada, now=NOW).total == 0


def test_dashboard_query_count_is_fixed(world, django_assert_num_queries):
    for month in range(1, 13):
        make_touchpoint(
            world.alice, [world.ana], occurred_at=at(2025 + (month < 4), month), group=world.chem
        )

    with django_assert_num_queries(3):  # months, breakdowns, group names
        figures = dashboard(world.mia, now=NOW)

    assert figures.total == 12
    assert figures.busiest_month == 1


def test_group_figures_count_the_groups_touchpoints(world):
    make_touchpoint(world.alice, [world.ana], occurred_at=at(2026, 1), group=world.chem)
    make_touchpoint(
        world.alice, [world.ana], occurred_at=at(2026, 1), group=world.chem, confidential=True
    )
    make_touchpoint(world.bob, [world.hugo], occurred_at=at(2026, 1), group=world.history)

    assert group_figures(world.mia, world.chem, now=NOW).total == 2
    assert group_figures(world.ada, world.chem, now=NOW).total == 1


def test_group_counts_members_never_contacted_touchpoints_and_last(
    world, django_assert_num_queries
):
    refresh([world.ana.pk, world.hugo.pk])

    with django_assert_num_queries(2):
        counts = group_counts(world.alice, [world.chem, world.history])

    chem, history = counts[world.chem.pk], counts[world.history.pk]
    assert (chem.members, chem.never_contacted, chem.touchpoints) == (2, 1, 1)
    assert chem.last_at == world.ana_question.occurred_at
    assert (history.members, history.never_contacted, history.touchpoints) == (1, 0, 1)
