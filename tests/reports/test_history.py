"""Reports reach imported history: any date range and any academic year holding data, the
years with data offered first, and a bad range refused with a reason (the report then shows
the last twelve months). The touchpoints lie years before the test world's own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.reports.figures import (
    academic_year,
    academic_year_of,
    date_range,
    last_twelve_months,
    report,
    years_with_data,
)
from rapport.reports.forms import ReportFilterForm
from rapport.touchpoints.models import Touchpoint
from tests.reports.test_figures import series

TODAY = dt.date(2026, 3, 15)


def recent(touchpoints):
    """The academic years of the world's own touchpoints, a day old (one year, but the day the
    tests run may fall on either side of 1 September)."""
    return {academic_year_of(timezone.localtime(tp.occurred_at).date()) for tp in touchpoints}


def test_date_range_counts_only_its_own_days_of_the_months_it_cuts(world, year):
    # From 15 November 2023 to 1 February 2024, both included: the desk question of
    # 10 November falls before it; Hugo's desk question of 1 February is its last day's.
    found = report(world.mia, date_range(dt.date(2023, 11, 15), dt.date(2024, 2, 1)))

    assert [m.label for m in found.months] == ["Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024"]
    assert series(found) == {
        "Nov 2023": (2, 0, 1, 1),  # Quinn new on the 20th; Pia again on the 25th
        "Feb 2024": (0, 1, 1, 0),  # Hugo's first contact ever
    }
    assert (found.total, found.relationship_total, found.desk_total) == (3, 2, 1)
    assert found.period.span == "15 Nov 2023 to 1 Feb 2024"
    assert found.period.label == "15 Nov 2023 to 1 Feb 2024"


def test_date_range_librarian_counts_what_she_may_read(world, year):
    found = report(world.bob, date_range(dt.date(2023, 9, 1), dt.date(2024, 8, 31)))

    assert series(found) == {"Feb 2024": (0, 1, 1, 0)}
    assert found.period.span == "1 Sep 2023 to 31 Aug 2024"


def test_whole_month_periods_read_as_months():
    assert academic_year(2019).span == "Sep 2019 to Aug 2020"
    assert last_twelve_months(TODAY).span == "Apr 2025 to Mar 2026"


def test_years_with_data_newest_first(world, year, django_assert_num_queries):
    everyone = recent(Touchpoint.objects.filter(occurred_at__year__gte=2026))
    bobs = recent(Touchpoint.objects.filter(author=world.bob, occurred_at__year__gte=2026))

    # Manager: every touchpoint, confidential ones too: 2023–24 and 2024–25, then none until
    # the world's own this week.
    with django_assert_num_queries(3):  # the first, the last, and one EXISTS per year
        found = years_with_data(world.mia)
    assert found == [*sorted(everyone, reverse=True), 2024, 2023]
    # Bob reads his own: Hugo's question of this week and of February 2024.
    assert years_with_data(world.bob) == [*sorted(bobs, reverse=True), 2023]
    # Alice reads Chemistry Lab's, the confidential one of hers included.
    Touchpoint.objects.filter(occurred_at__year=2024, occurred_at__month=9).delete()
    assert years_with_data(world.alice)[-1:] == [2023]
    assert 2024 not in years_with_data(world.alice)


def test_years_with_data_of_nothing_is_empty(db, world):
    Touchpoint.objects.all().delete()

    assert years_with_data(world.mia) == []


def form(world, **data):
    return ReportFilterForm(world.mia, data, TODAY, with_group=False)


def test_period_choices_put_the_years_holding_data_first(world, year):
    Touchpoint.objects.filter(occurred_at__year__gte=2026).delete()

    choices = form(world).fields["period"].widget.choices

    assert choices == [
        ("12m", "Last 12 months"),
        ("ay2024", "Academic year 2024–25"),
        ("ay2023", "Academic year 2023–24"),
        ("ay2025", "Academic year 2025–26 (nothing logged)"),
    ]


def test_a_year_asked_for_by_address_is_offered_and_chosen(world):
    found = form(world, period="ay2012")

    assert ("ay2012", "Academic year 2012–13 (nothing logged)") in found.fields[
        "period"
    ].widget.choices
    assert found.chosen_period == academic_year(2012)


def test_a_date_range_wins_over_the_period(world):
    found = form(world, period="ay2012", **{"from": "2021-03-03", "to": "2022-06-15"})

    assert found.chosen_period == date_range(dt.date(2021, 3, 3), dt.date(2022, 6, 15))
    assert found.range_problem is False


def test_a_range_without_an_end_runs_to_today(world):
    found = form(world, **{"from": "2025-12-24"})

    assert found.chosen_period.first == dt.date(2025, 12, 24)
    assert found.chosen_period.last_day == TODAY


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"from": "2024-05-01", "to": "2024-04-30"},
            {
                "__all__": [
                    "The range starts on 1 May 2024, after it ends on 30 Apr 2024: "
                    "give the earlier date in “From”."
                ]
            },
        ),
        (
            {"from": "2026-04-01"},
            {
                "__all__": [
                    "The range starts on 1 Apr 2026, after it would end today, 15 Mar 2026: "
                    "give the earlier date in “From”."
                ]
            },
        ),
        (
            {"from": "1/5/2024", "to": "2024-13-01"},
            {
                "from": ["Write the date as year-month-day, such as 2021-09-30."],
                "to": ["Write the date as year-month-day, such as 2021-09-30."],
            },
        ),
        ({"to": "2024-04-30"}, {"from": ["Give the first day of the range as well."]}),
        (
            {"from": "9999-12-30", "to": "9999-12-31"},
            {
                "from": ["Give a date from 1900 to 2999."],
                "to": ["Give a date from 1900 to 2999."],
            },
        ),
        ({"from": "1899-12-31"}, {"from": ["Give a date from 1900 to 2999."]}),
        (
            {"from": "2000-01-01", "to": "2024-04-30"},
            {"__all__": ["Choose a range of at most 10 years, or an academic year."]},
        ),
    ],
)
def test_a_bad_range_is_refused_with_its_reason_and_the_default_shown(world, data, errors):
    found = form(world, period="ay2023", **data)

    assert found.range_problem is True
    assert found.errors == errors
    assert found.chosen_period == academic_year(2023)  # the period chosen beside it


def page(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params).text


def test_relationship_page_reaches_a_log_from_years_ago(client, world, year):
    html = page(
        client, world.mia, "reports:relationships", **{"from": "2023-10-01", "to": "2023-11-30"}
    )

    assert '<p class="subtitle" id="report-period">1 Oct 2023 to 30 Nov 2023, every group.' in html
    assert '<strong id="report-total">4</strong>' in html
    assert '<strong id="report-relationship">75%</strong>' in html
    assert '<strong id="report-new">2</strong>' in html
    assert '<input type="date" name="from" value="2023-10-01"' in html
    assert (
        '<desc id="chart-origins-desc">Oct 2023: 1 relationship, 0 desk; '
        "Nov 2023: 2 relationship, 1 desk. Value axis from 0 to 5.</desc>"
    ) in html


def test_relationship_page_offers_and_shows_a_past_academic_year(client, world, year):
    html = page(client, world.alice, "reports:relationships", period="ay2023")

    assert '<option value="ay2023" selected>Academic year 2023–24</option>' in html
    assert "Academic year 2023–24: Sep 2023 to Aug 2024, the touchpoints you may read." in html
    assert '<strong id="report-total">4</strong>' in html


def test_coverage_takes_a_date_range(client, world, year):
    html = page(
        client, world.alice, "reports:coverage", **{"from": "2023-11-01", "to": "2023-11-30"}
    )

    assert '<p class="subtitle" id="coverage-period">1 Nov 2023 to 30 Nov 2023.' in html
    # Chemistry Lab in November 2023: 60 minutes (1.0 h), no question or consultation.
    assert '<td class="num hours" data-label="Hours">1.0</td>' in html


def test_a_bad_range_on_the_page_says_why_and_shows_the_default(client, world, year):
    html = page(
        client, world.mia, "reports:relationships", **{"from": "2024-05-01", "to": "2024-04-30"}
    )

    assert '<div class="form-errors" role="alert" id="report-filter-errors">' in html
    assert (
        "<p>The range starts on 1 May 2024, after it ends on 30 Apr 2024: "
        "give the earlier date in “From”.</p>" in html
    )
    assert "<p>Below: last 12 months instead.</p>" in html
    assert 'id="report-period">Last 12 months:' in html


def test_a_bad_range_marks_both_date_boxes_with_the_reason(client, world):
    html = page(client, world.alice, "reports:coverage", **{"from": "2024-02-30"})

    assert "<p>From: Write the date as year-month-day, such as 2021-09-30.</p>" in html
    assert (
        '<input type="date" name="from" value="2024-02-30" aria-invalid="true" '
        'aria-describedby="report-filter-errors" id="id_from">'
    ) in html


def test_the_longest_range_runs_for_every_role(world, year):
    # Ten years from mid-month: 121 monthly columns (one range query each, in a UNION ALL).
    longest = date_range(dt.date(2015, 1, 15), dt.date(2025, 1, 14))

    for user, total in [(world.mia, 6), (world.alice, 5), (world.bob, 1), (world.ada, 5)]:
        found = report(user, longest)
        assert len(found.months) == 121
        assert found.total == total, user
    assert report(world.mia, longest, group=world.chem).total == 5
