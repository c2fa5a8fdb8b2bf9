"""The SVG chart helper: exact geometry for known data, and markup that names itself."""

from rapport.reports.charts import bar, funnel, nice_max, stacked_bar, ticks


def geometry(chart, css="bar"):
    return [(r.x, r.y, r.width, r.height, r.title) for r in chart.rects if r.css.startswith(css)]


def test_nice_max_rounds_up_to_one_two_or_five():
    assert [nice_max(v) for v in [0, 1, 2, 3, 6, 10, 12, 47, 101]] == [
        1,
        1,
        2,
        5,
        10,
        10,
        20,
        50,
        200,
    ]


def test_bar_columns_scale_to_a_round_top():
    chart = bar("c", "Per level", ["A", "B", "C", "D"], [1, 3, 2, 0])

    # Plot 324 wide from x=30 (four slots of 81, bars 60.75 wide), 156 high from y=24; top 5.
    assert geometry(chart) == [
        (40.12, 148.8, 60.75, 31.2, "A: 1"),
        (121.12, 86.4, 60.75, 93.6, "B: 3"),
        (202.12, 117.6, 60.75, 62.4, "C: 2"),
        (283.12, 180, 60.75, 0, "D: 0"),
    ]
    # The value axis: a tick every unit from 0 (the baseline, y=180) to 5 (y=24), each labelled
    # to the left of its line; the categories below their columns.
    assert [(t.x, t.y, t.text, t.css) for t in chart.texts] == [
        (26, 183, "0", "axis tick"),
        (26, 151.8, "1", "axis tick"),
        (26, 120.6, "2", "axis tick"),
        (26, 89.4, "3", "axis tick"),
        (26, 58.2, "4", "axis tick"),
        (26, 27, "5", "axis tick"),
        (70.5, 194, "A", "axis category"),
        (151.5, 194, "B", "axis category"),
        (232.5, 194, "C", "axis category"),
        (313.5, 194, "D", "axis category"),
    ]
    assert [(ln.y1, ln.y2, ln.css) for ln in chart.lines] == [
        (180, 180, "baseline"),
        (148.8, 148.8, "grid"),
        (117.6, 117.6, "grid"),
        (86.4, 86.4, "grid"),
        (55.2, 55.2, "grid"),
        (24, 24, "grid"),
    ]
    assert chart.description == "A: 1; B: 3; C: 2; D: 0. Value axis from 0 to 5."


def test_ticks_are_whole_round_steps_up_to_the_top():
    assert ticks(1) == [0, 1]
    assert ticks(2) == [0, 1, 2]
    assert ticks(5) == [0, 1, 2, 3, 4, 5]
    assert ticks(10) == [0, 2, 4, 6, 8, 10]
    assert ticks(20) == [0, 5, 10, 15, 20]
    assert ticks(50) == [0, 10, 20, 30, 40, 50]
    assert ticks(2000) == [0, 500, 1000, 1500, 2000]


def test_value_axis_labels_large_numbers_with_separators():
    chart = bar("c", "Many", ["A"], [1234])

    assert [t.text for t in chart.texts if t.css == "axis tick"] == [
        "0",
        "500",
        "1,000",
        "1,500",
        "2,000",
    ]
    assert chart.description == "A: 1,234. Value axis from 0 to 2,000."


def test_a_long_range_labels_every_kth_column_only():
    months = [f"M{i}" for i in range(30)]
    chart = bar("c", "Thirty months", months, [1] * 30)

    # 30 columns; labels of up to 3 characters take 20.5 units, so 15 fit in the 324 wide
    # plot: every second one, the first included.
    labels = [t.text for t in chart.texts if t.css == "axis category"]
    assert labels == [f"M{i}" for i in range(0, 30, 2)]
    assert len(chart.rects) == 30


def test_twelve_short_month_labels_all_fit():
    months = ["Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"]
    chart = bar("c", "A year", months, [1] * 12)

    assert [t.text for t in chart.texts if t.css == "axis category"] == months


def test_bar_of_nothing_draws_flat_bars():
    chart = bar("c", "Empty", ["A", "B"], [0, 0])

    assert [(r.y, r.height) for r in chart.rects] == [(180, 0), (180, 0)]
    assert [t.text for t in chart.texts if t.css == "axis tick"] == ["0", "1"]


def test_bar_axis_labels_replace_the_category_names_below():
    chart = bar("c", "T", ["READ 1", "Not recorded"], [2, 1], axis_labels=["1", "—"])

    assert [t.text for t in chart.texts if t.css == "axis category"] == ["1", "—"]
    assert [r.title for r in chart.rects] == ["READ 1: 2", "Not recorded: 1"]


def test_stacked_bar_stacks_the_series_bottom_up():
    chart = stacked_bar(
        "c", "By origin", ["Oct", "Nov"], [("Relationship", [2, 1]), ("Desk", [1, 4])]
    )

    # Totals 3 and 5: top 5, so one unit is 31.2 high; two slots of 162, bars 121.5 wide.
    assert geometry(chart) == [
        (50.25, 117.6, 121.5, 62.4, "Oct, relationship: 2"),
        (50.25, 86.4, 121.5, 31.2, "Oct, desk: 1"),
        (212.25, 148.8, 121.5, 31.2, "Nov, relationship: 1"),
        (212.25, 24, 121.5, 124.8, "Nov, desk: 4"),
    ]
    assert geometry(chart, "swatch") == [
        (30, 6, 10, 10, "Relationship"),
        (140, 6, 10, 10, "Desk"),
    ]
    assert chart.description == (
        "Oct: 2 relationship, 1 desk; Nov: 1 relationship, 4 desk. Value axis from 0 to 5."
    )


def test_funnel_centres_each_stage_as_wide_as_its_share():
    chart = funnel("c", "Ladder", ["Prospect", "Client", "Partner"], [8, 4, 0])

    # Bars between x=96 and x=316 (220 wide, centre 206), rows 28 high from y=4.
    assert geometry(chart) == [
        (96, 7, 220, 22, "Prospect: 8"),
        (151, 35, 110, 22, "Client: 4"),
        (206, 63, 0, 22, "Partner: 0"),
    ]
    assert chart.height == 92
    assert [(t.x, t.y, t.text, t.anchor) for t in chart.texts[:2]] == [
        (92, 22, "Prospect", "end"),
        (320, 22, "8", "start"),
    ]


def test_svg_names_itself_and_has_no_style_or_script():
    svg = str(bar("chart-read", "Touchpoints per <READ> level", ["A"], [1]).svg())

    assert svg.startswith(
        '<svg class="chart chart-bar" id="chart-read" viewBox="0 0 360 200" role="img" '
        'aria-labelledby="chart-read-title chart-read-desc">'
        '<title id="chart-read-title">Touchpoints per &lt;READ&gt; level</title>'
        '<desc id="chart-read-desc">A: 1. Value axis from 0 to 1.</desc>'
    )
    assert '<text class="axis tick" x="26" y="27" text-anchor="end">1</text>' in svg
    assert '<text class="axis category" x="192" y="194" text-anchor="middle">A</text>' in svg
    assert '<rect class="bar series-0" x="70.5" y="24" width="243" height="156"><title>A: 1' in svg
    assert "style" not in svg
    assert "<script" not in svg
