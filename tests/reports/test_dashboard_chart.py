"""The managers' dashboards (the library's and each group's) draw touchpoints per month with
the report charts: a labelled value axis and month labels, the numbers in the description."""

import datetime as dt

from django.urls import reverse

from rapport.reports.templatetags.report_charts import months_chart
from rapport.touchpoints.stats import Bar, Figures


def test_months_chart_labels_its_value_axis_and_months():
    figures = Figures(
        since=dt.date(2025, 1, 1),
        months=[Bar("Jan 2025", 3), Bar("Feb 2025", 12), Bar("Mar 2025", 0)],
    )

    svg = str(months_chart(figures))

    # Tallest 12: top 20, a tick every 5 (y = 180 - 156 * value / 20).
    ticks = [
        '<text class="axis tick" x="26" y="183" text-anchor="end">0</text>',
        '<text class="axis tick" x="26" y="144" text-anchor="end">5</text>',
        '<text class="axis tick" x="26" y="105" text-anchor="end">10</text>',
        '<text class="axis tick" x="26" y="66" text-anchor="end">15</text>',
        '<text class="axis tick" x="26" y="27" text-anchor="end">20</text>',
    ]
    assert "".join(ticks) in svg
    assert '<text class="axis category" x="84" y="194" text-anchor="middle">Jan</text>' in svg
    assert '<text class="axis category" x="300" y="194" text-anchor="middle">Mar</text>' in svg
    assert (
        '<desc id="chart-months-desc">Jan 2025: 3; Feb 2025: 12; Mar 2025: 0. '
        "Value axis from 0 to 20.</desc>"
    ) in svg
    assert 'role="img" aria-labelledby="chart-months-title chart-months-desc"' in svg


def test_manager_dashboards_show_the_labelled_chart(client, world):
    client.force_login(world.mia)

    for url in [reverse("home"), reverse("people:group_detail", args=[world.chem.pk])]:
        html = client.get(url).text
        assert '<svg class="chart chart-bar" id="chart-months"' in html, url
        assert '<text class="axis tick" x="26" y="183" text-anchor="end">0</text>' in html, url
        assert html.count('class="axis category"') == 12, url
        assert "style=" not in html, url


def test_manager_dashboard_links_to_the_impact_stories(client, world):
    client.force_login(world.mia)

    html = client.get(reverse("home")).text

    assert (
        f'<a href="{reverse("reports:stories")}" id="dashboard-stories">'
        "Impact stories: what the work made possible</a>"
    ) in html
