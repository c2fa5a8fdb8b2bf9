"""The manager's dashboard and a group's figures page reach imported history too: a period or
a date range, the figures counted over its days only, and a bad range refused with a reason
(the page then shows the last twelve months)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from rapport.reports.figures import last_twelve_months
from rapport.touchpoints.stats import dashboard, group_figures


def test_dashboard_counts_an_academic_year_long_ago(world, year):
    found = dashboard(world.mia, window=(dt.date(2023, 9, 1), dt.date(2024, 9, 1)))

    assert [bar.label for bar in found.months] == [
        "Sep 2023", "Oct 2023", "Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024",
        "Mar 2024", "Apr 2024", "May 2024", "Jun 2024", "Jul 2024", "Aug 2024",
    ]  # fmt: skip
    assert {bar.label: bar.count for bar in found.months if bar.count} == {
        "Oct 2023": 1,
        "Nov 2023": 3,
        "Feb 2024": 1,
    }
    assert (found.total, found.minutes, found.since, found.until) == (
        5,
        60,
        dt.date(2023, 9, 1),
        dt.date(2024, 8, 31),
    )
    assert {bar.label: bar.count for bar in found.groups} == {
        "Chemistry Lab": 4,
        "History Department": 1,
    }


def test_group_figures_count_a_date_range_of_its_own_touchpoints(world, year):
    found = group_figures(
        world.mia, world.chem, window=(dt.date(2023, 11, 15), dt.date(2024, 9, 3))
    )

    assert found.total == 3  # the 20th and 25th of November, and 2 September 2024
    assert [bar.label for bar in found.months][:2] == ["Nov 2023", "Dec 2023"]
    assert found.months[-1].label == "Sep 2024"


def test_dashboard_page_takes_a_date_range(client, world, year):
    client.force_login(world.mia)

    page = client.get(reverse("home"), {"from": "2023-09-01", "to": "2024-08-31"})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="report-filters"' in html
    assert "Figures for 1 Sep 2023 to 31 Aug 2024." in html
    assert (
        '<strong id="figure-total">5</strong> touchpoints from 1 Sep 2023 to 31 Aug 2024'
    ) in html


def test_group_figures_page_takes_an_academic_year(client, world, year):
    client.force_login(world.mia)

    page = client.get(reverse("people:group_detail", args=[world.chem.pk]), {"period": "ay2023"})

    html = page.content.decode()
    assert '<strong id="figure-total">4</strong> touchpoints from 1 Sep 2023 to 31 Aug 2024' in html
    assert '<option value="ay2023" selected>Academic year 2023–24</option>' in html


def test_dashboard_refuses_a_range_backwards_and_shows_the_last_twelve_months(client, world, year):
    client.force_login(world.mia)

    page = client.get(reverse("home"), {"from": "2024-05-01", "to": "2024-04-30"})

    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "The range starts on 1 May 2024, after it ends on 30 Apr 2024: "
        "give the earlier date in “From”."
    ) in html
    shown = last_twelve_months(timezone.localdate()).span
    assert f"Figures for {shown}. Managers see counts only" in html
