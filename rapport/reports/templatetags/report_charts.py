"""`{% months_chart figures %}`: the dashboards' touchpoints per month (a `stats.Figures`),
drawn by `rapport.reports.charts` like the reports' charts, with its value axis and month
labels."""

from django import template
from django.utils.safestring import SafeString

from rapport.reports import charts
from rapport.touchpoints.stats import Figures

register = template.Library()


@register.simple_tag
def months_chart(figures: Figures, chart_id: str = "chart-months") -> SafeString:
    return charts.bar(
        chart_id,
        "Touchpoints per month",
        [bar.label for bar in figures.months],
        [bar.count for bar in figures.months],
        axis_labels=[bar.label[:3] for bar in figures.months],
    ).svg()
