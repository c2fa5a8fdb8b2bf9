"""Coverage and the relationship report: exact counts for the test world and a few more
touchpoints, over the right touchpoints for each role, in a bounded number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from rapport.relationships.models import PersonCadence, Stage
from rapport.relationships.services import refresh_all
from rapport.reports.figures import (
    RELATIONSHIP_ORIGINS,
    academic_year,
    coverage,
    last_twelve_months,
    period_for,
    periods,
    report,
)
from rapport.touchpoints.models import Origin
from tests.factories import make_person, make_touchpoint

AY_2023 = academic_year(2023)  # September 2023 to August 2024, long before the world's own


def test_relationship_origins_are_everything_but_the_desk():
    assert Origin.DESK not in RELATIONSHIP_ORIGINS
    assert set(RELATIONSHIP_ORIGINS) | {Origin.DESK} == set(Origin.values)


def test_periods_offer_twelve_months_then_academic_years():
    today = dt.date(2026, 3, 15)

    offered = [(p.key, p.label, p.first, p.end) for p in periods(today)]

    assert offered == [
        ("12m", "Last 12 months", dt.date(2025, 4, 1), dt.date(2026, 4, 1)),
        ("ay2025", "Academic year 2025–26", dt.date(2025, 9, 1), dt.date(2026, 9, 1)),
        ("ay2024", "Academic year 2024–25", dt.date(2024, 9, 1), dt.date(2025, 9, 1)),
        ("ay2023", "Academic year 2023–24", dt.date(2023, 9, 1), dt.date(2024, 9, 1)),
    ]
    assert len(period_for("12m", today).months) == 12
    assert period_for("ay2024", today).months[0] == dt.date(2024, 9, 1)
    assert period_for("ay1999", today) == academic_year(1999)  # any past year, data or not
    for bad in [None, "ay1899", "ay2026", "ay20255", "ay２０２０", "forever"]:
        assert period_for(bad, today) == last_twelve_months(today), bad


def test_academic_year_starts_in_september():
    assert periods(dt.date(2026, 9, 1))[1].key == "ay2026"
    assert periods(dt.date(2026, 8, 31))[1].key == "ay2025"


@pytest.fixture
def covered(world):
    """Chemistry Lab gets two faculty members (one overdue, one never contacted), a walk-by
    consultation and a desk question; everyone's state is refreshed."""
    olga = make_person("Olga Old", groups=[world.chem], status="faculty")
    nina = make_person("Nina New", groups=[world.chem], status="faculty")
    make_touchpoint(
        world.alice,
        [olga],
        days_ago=200,
        kind="consultation",
        origin="walkby",
        minutes=30,
        group=world.chem,
    )
    make_touchpoint(
        world.alice, [world.ben], days_ago=10, origin="desk", minutes=15, group=world.chem
    )
    refresh_all()
    return olga, nina


def rows(found):
    return {
        row.name: (
            row.stages,
            row.never_contacted,
            row.with_cadence,
            row.overdue,
            row.minutes,
            row.requests,
            row.relationship_requests,
        )
        for row in found
    }


def test_coverage_librarian_sees_her_groups_and_herself(world, covered):
    found = coverage(world.alice, last_twelve_months(timezone.localdate()))

    # ana: client (two touchpoints), faculty cadence, fine; ben: first contact, no cadence;
    # olga: first contact, faculty, 200 days since: overdue; nina: prospect, faculty, never.
    assert rows(found.groups) == {"Chemistry Lab": ([1, 2, 1, 0, 0, 0], 1, 3, 1, 45, 3, 2)}
    # Her own confidential question counts in her own figures.
    assert rows(found.librarians) == {"Alice Liddell": ([1, 2, 1, 0, 0, 0], 1, 3, 1, 45, 4, 3)}
    chem = found.groups[0]
    assert (chem.members, chem.overdue_percent, chem.hours, chem.relationship_percent) == (
        4,
        33,
        0.8,
        67,
    )


def test_coverage_manager_sees_every_group_and_librarian_confidential_work_counted(world, covered):
    found = coverage(world.mia, last_twelve_months(timezone.localdate()))

    assert rows(found.groups) == {
        "Chemistry Lab": ([1, 2, 1, 0, 0, 0], 1, 3, 1, 45, 3, 2),
        "History Department": ([0, 1, 0, 0, 0, 0], 0, 0, 0, 0, 1, 1),
    }
    assert rows(found.librarians) == {
        "ada": ([0] * 6, 0, 0, 0, 0, 0, 0),
        "Alice Liddell": ([1, 2, 1, 0, 0, 0], 1, 3, 1, 45, 4, 3),
        "Bob Bibby": ([0, 1, 0, 0, 0, 0], 0, 0, 0, 0, 1, 1),
    }
    history = found.groups[1]
    assert (history.overdue_percent, history.relationship_percent) == (None, 100)


def test_coverage_admin_does_not_count_others_confidential_touchpoints(world, covered):
    found = coverage(world.ada, last_twelve_months(timezone.localdate()))

    alice = next(row for row in found.librarians if row.pk == world.alice.pk)
    assert (alice.requests, alice.relationship_requests) == (3, 2)


def test_coverage_counts_a_person_in_two_groups_once_for_their_librarian(world, covered):
    world.history.librarians.add(world.alice)
    make_person("Dual Member", groups=[world.chem, world.history])

    found = coverage(world.alice, last_twelve_months(timezone.localdate()))

    assert [row.members for row in found.groups] == [5, 2]
    assert found.librarians[0].members == 6  # ana, ben, olga, nina, hugo, the dual member


def test_coverage_person_without_cadence_by_choice_leaves_the_share(world, covered):
    olga, _ = covered
    PersonCadence.objects.create(person=olga, ideal_days=None, max_days=None)

    chem = coverage(world.alice, last_twelve_months(timezone.localdate())).groups[0]

    assert (chem.with_cadence, chem.overdue, chem.overdue_percent) == (2, 0, 0)


def test_coverage_ended_membership_and_archived_person_are_not_members(world, covered):
    olga, nina = covered
    olga.memberships.update(ended_on=timezone.localdate() - dt.timedelta(days=1))
    nina.archived_at = timezone.now()
    nina.save()

    chem = coverage(world.alice, last_twelve_months(timezone.localdate())).groups[0]

    assert (chem.stages, chem.never_contacted, chem.with_cadence) == ([0, 1, 1, 0, 0, 0], 0, 1)


def test_coverage_query_count_does_not_grow_with_members(world, covered, django_assert_num_queries):
    period = last_twelve_months(timezone.localdate())
    # groups, librarians, who serves what, members, 3 for the cadences, 2 for touchpoints
    with django_assert_num_queries(9):
        coverage(world.mia, period)
    for n in range(20):
        make_person(f"Extra {n}", groups=[world.chem, world.history], status="faculty")

    with django_assert_num_queries(9):
        found = coverage(world.mia, period)

    assert found.groups[0].members == 24


def series(found):
    return {
        m.label: (m.relationship, m.desk, m.new_people, m.repeat_people)
        for m in found.months
        if m.total or m.people
    }


def test_report_manager_counts_every_touchpoint_per_month(world, year):
    found = report(world.mia, AY_2023)

    assert [m.label for m in found.months][:2] == ["Sep 2023", "Oct 2023"]
    assert len(found.months) == 12
    assert series(found) == {
        "Oct 2023": (1, 0, 1, 0),  # Pia's first contact
        "Nov 2023": (2, 1, 1, 1),  # Quinn new; Pia again (the confidential one counts too)
        "Feb 2024": (0, 1, 1, 0),  # Hugo's first contact ever
    }
    assert (found.total, found.relationship_total, found.desk_total) == (5, 3, 2)
    assert found.relationship_percent == 60
    assert found.read_levels == [
        ("READ 1", 1),
        ("READ 2", 1),
        ("READ 3", 0),
        ("READ 4", 2),
        ("READ 5", 0),
        ("READ 6", 0),
        ("Not recorded", 1),
    ]
    # ana, hugo, quinn: clients; pia (four touchpoints over a year, all hers): a supporter;
    # ben and carla never contacted.
    assert [(s.label, n) for s, n in found.stages] == [
        ("Prospect", 2),
        ("First contact", 0),
        ("Client", 3),
        ("Supporter", 1),
        ("Advocate", 0),
        ("Partner", 0),
    ]


def test_report_librarian_counts_what_she_may_read(world, year):
    found = report(world.alice, AY_2023)

    assert series(found) == {"Oct 2023": (1, 0, 1, 0), "Nov 2023": (2, 1, 1, 1)}
    assert dict(found.stages) == {
        Stage.PROSPECT: 1,  # ben
        Stage.FIRST_CONTACT: 0,
        Stage.CLIENT: 2,  # ana, quinn
        Stage.SUPPORTER: 1,  # pia
        Stage.ADVOCATE: 0,
        Stage.PARTNER: 0,
    }


def test_report_other_librarian_does_not_count_a_confidential_touchpoint(world, year):
    assert report(world.bob, AY_2023).total == 1
    assert report(world.ada, AY_2023).total == 4


def test_report_one_group(world, year):
    found = report(world.mia, AY_2023, group=world.chem)

    assert series(found) == {"Oct 2023": (1, 0, 1, 0), "Nov 2023": (2, 1, 1, 1)}
    assert [n for _, n in found.stages] == [1, 0, 2, 1, 0, 0]  # ben; ana, quinn; pia


def test_report_query_count_is_fixed(world, year, django_assert_num_queries):
    with django_assert_num_queries(4):  # origins and READ levels, people, new people, stages
        report(world.mia, AY_2023)
    with django_assert_num_queries(3):  # origins and READ levels, new and repeat, stages
        report(world.alice, AY_2023, group=world.chem)
