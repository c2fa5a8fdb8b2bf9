"""The SVG chart helper: exact geometry for known data, and markup that names itself."""

from rapport.reports.charts import bar, funnel, nice_max, stacked_bar


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
    assert [(t.x, t.y, t.text) for t in chart.texts] == [
        (26, 27, "5"),
        (26, 183, "0"),
        (70.5, 194, "A"),
        (151.5, 194, "B"),
        (232.5, 194, "C"),
        (313.5, 194, "D"),
    ]
    assert chart.description == "A: 1; B: 3; C: 2; D: 0."


def test_bar_of_nothing_draws_flat_bars():
    chart = bar("c", "Empty", ["A", "B"], [0, 0])

    assert [(r.y, r.height) for r in chart.rects] == [(180, 0), (180, 0)]
    assert chart.texts[0].text == "1"


def test_bar_axis_labels_replace_the_category_names_below():
    chart = bar("c", "T", ["READ 1", "Not recorded"], [2, 1], axis_labels=["1", "—"])

    assert [t.text for t in chart.texts[2:]] == ["1", "—"]
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
    assert chart.description == "Oct: 2 relationship, 1 desk; Nov: 1 relationship, 4 desk."


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
        '<desc id="chart-read-desc">A: 1.</desc>'
    )
    assert '<rect class="bar series-0" x="70.5" y="24" width="243" height="156"><title>A: 1' in svg
    assert "style" not in svg
    assert "<script" not in svg
