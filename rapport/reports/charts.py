"""Charts drawn on the server as inline SVG: bars, stacked bars and a funnel.

No JavaScript and no style attributes (a strict Content-Security-Policy holds): geometry is in
attributes, colours come from classes in rapport.css (`.chart .series-0`, …). Each chart names
itself for assistive technology (role="img", <title> and <desc> with every number), and the
pages put a table with the same numbers beneath it.

The functions compute geometry only; `Chart.svg()` writes it out. Coordinates are in the
viewBox's units and rounded to two decimals, so tests can assert them exactly.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 360
HEIGHT = 200
# Column charts: room for the value axis on the left, the legend on top, labels below.
LEFT, RIGHT, TOP, BOTTOM = 30, 6, 24, 20
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BAR_SHARE = 0.75  # of each slot; the rest is the gap between bars
LEGEND_STEP = 110
# Category labels below the columns: about this wide per character at their 9px size, with this
# much space between two; a long row of months labels every k-th column so none overlap.
LABEL_CHAR, LABEL_GAP = 5.5, 4
# The funnel: stage names on the left, counts on the right, one row per stage.
FUNNEL_LABELS, FUNNEL_COUNTS, FUNNEL_ROW, FUNNEL_BAR, FUNNEL_PAD = 96, 44, 28, 22, 4
FUNNEL_WIDTH = WIDTH - FUNNEL_LABELS - FUNNEL_COUNTS


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str = "axis"
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "grid"


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    kind: str
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    width: int = WIDTH

    def svg(self) -> SafeString:
        lines = format_html_join(
            "",
            '<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
            ((ln.css, _n(ln.x1), _n(ln.y1), _n(ln.x2), _n(ln.y2)) for ln in self.lines),
        )
        rects = format_html_join(
            "",
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            ((r.css, _n(r.x), _n(r.y), _n(r.width), _n(r.height), r.title) for r in self.rects),
        )
        texts = format_html_join(
            "",
            '<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>',
            ((t.css, _n(t.x), _n(t.y), t.anchor, t.text) for t in self.texts),
        )
        return format_html(
            '<svg class="chart chart-{kind}" id="{id}" viewBox="0 0 {w} {h}" role="img" '
            'aria-labelledby="{id}-title {id}-desc">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
            "{lines}{rects}{texts}</svg>",
            kind=self.kind,
            id=self.chart_id,
            w=self.width,
            h=self.height,
            title=self.title,
            desc=self.description,
            lines=lines,
            rects=rects,
            texts=texts,
        )


def _n(value: float) -> str:
    """A coordinate as written: whole numbers without a decimal point, else two decimals."""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def nice_max(value: int) -> int:
    """The top of the value axis: the smallest 1, 2 or 5 × 10ⁿ at least `value` (1 for 0)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def ticks(top: int) -> list[int]:
    """The values labelled on the value axis, from 0 to `top` (a `nice_max`) in whole, round
    steps: a fifth of a 1 × 10ⁿ or 5 × 10ⁿ top, a quarter of a 2 × 10ⁿ one, never below 1."""
    if top <= 5:
        step = 1
    else:
        lead = int(str(top)[0])
        step = top // 4 if lead == 2 else top // 5
    return list(range(0, top + 1, step))


def _frame(top: int) -> tuple[list[Line], list[Text]]:
    """The value axis: a grid line at each tick, the baseline at zero, each labelled."""
    base = TOP + PLOT_HEIGHT
    lines, texts = [], []
    for value in ticks(top):
        y = round(base - _height(value, top), 2)
        lines.append(Line(LEFT, y, WIDTH - RIGHT, y, "baseline" if value == 0 else "grid"))
        texts.append(Text(LEFT - 4, round(y + 3, 2), f"{value:,}", "axis tick", "end"))
    return lines, texts


def _category_labels(labels: Sequence[str]) -> list[tuple[int, str]]:
    """The category labels written below the columns: every one if they fit side by side,
    else every k-th (the first included), so that they never run into each other."""
    if not labels:
        return []
    longest = max(len(label) for label in labels)
    fitting = max(1, int(PLOT_WIDTH // (LABEL_CHAR * longest + LABEL_GAP)))
    stride = -(-len(labels) // fitting)
    return [(i, label) for i, label in enumerate(labels) if i % stride == 0]


def _slot(i: int, n: int) -> tuple[float, float, float]:
    """The i-th of n slots across the plot: the bar's left edge, its width, the slot centre."""
    slot = PLOT_WIDTH / n
    width = round(slot * BAR_SHARE, 2)
    left = LEFT + i * slot
    return round(left + (slot - width) / 2, 2), width, round(left + slot / 2, 2)


def _height(value: int, top: int) -> float:
    return round(PLOT_HEIGHT * value / top, 2)


def _labels_below(labels: Sequence[str]) -> list[Text]:
    return [
        Text(_slot(i, len(labels))[2], HEIGHT - 6, label, "axis category")
        for i, label in _category_labels(labels)
    ]


def _scale(top: int) -> str:
    """The end of a description: the value axis's range, as read on the chart."""
    return f". Value axis from 0 to {top:,}."


def bar(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    values: Sequence[int],
    *,
    axis_labels: Sequence[str] | None = None,
) -> Chart:
    """One column per category, on a value axis from 0 to a round number."""
    top = nice_max(max(values, default=0))
    lines, texts = _frame(top)
    rects = []
    base = TOP + PLOT_HEIGHT
    for i, (name, value) in enumerate(zip(categories, values, strict=True)):
        x, width, _ = _slot(i, len(categories))
        height = _height(value, top)
        rects.append(
            Rect(x, round(base - height, 2), width, height, "bar series-0", f"{name}: {value:,}")
        )
    texts += _labels_below(axis_labels or categories)
    description = "; ".join(
        f"{name}: {value:,}" for name, value in zip(categories, values, strict=True)
    )
    return Chart(chart_id, title, description + _scale(top), "bar", HEIGHT, rects, texts, lines)


def stacked_bar(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    axis_labels: Sequence[str] | None = None,
) -> Chart:
    """One column per category, the series stacked bottom up in the order given, with a
    legend above."""
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    top = nice_max(max(totals, default=0))
    lines, texts = _frame(top)
    rects = []
    for s, (name, _) in enumerate(series):
        key = LEFT + s * LEGEND_STEP
        rects.append(Rect(key, 6, 10, 10, f"swatch series-{s}", name))
        texts.append(Text(key + 14, 15, name, "legend", "start"))
    base = TOP + PLOT_HEIGHT
    for i, category in enumerate(categories):
        x, width, _ = _slot(i, len(categories))
        bottom = 0
        for s, (name, values) in enumerate(series):
            value = values[i]
            y = round(base - _height(bottom + value, top), 2)
            height = round(base - _height(bottom, top) - y, 2)
            title_text = f"{category}, {name.lower()}: {value:,}"
            rects.append(Rect(x, y, width, height, f"bar series-{s}", title_text))
            bottom += value
    texts += _labels_below(axis_labels or categories)
    description = "; ".join(
        f"{category}: " + ", ".join(f"{values[i]:,} {name.lower()}" for name, values in series)
        for i, category in enumerate(categories)
    )
    return Chart(chart_id, title, description + _scale(top), "stacked", HEIGHT, rects, texts, lines)


def funnel(chart_id: str, title: str, stages: Sequence[str], values: Sequence[int]) -> Chart:
    """One centred bar per stage, top to bottom, as wide as its share of the largest."""
    widest = max(values, default=0) or 1
    centre = FUNNEL_LABELS + FUNNEL_WIDTH / 2
    rects, texts = [], []
    for i, (name, value) in enumerate(zip(stages, values, strict=True)):
        width = round(FUNNEL_WIDTH * value / widest, 2)
        top = FUNNEL_PAD + i * FUNNEL_ROW + (FUNNEL_ROW - FUNNEL_BAR) / 2
        middle = FUNNEL_PAD + i * FUNNEL_ROW + FUNNEL_ROW / 2 + 4
        rects.append(
            Rect(
                round(centre - width / 2, 2),
                top,
                width,
                FUNNEL_BAR,
                f"bar stage-{i}",
                f"{name}: {value:,}",
            )
        )
        texts.append(Text(FUNNEL_LABELS - 4, middle, name, "label", "end"))
        texts.append(Text(WIDTH - FUNNEL_COUNTS + 4, middle, f"{value:,}", "label", "start"))
    height = 2 * FUNNEL_PAD + len(stages) * FUNNEL_ROW
    description = "; ".join(
        f"{name}: {value:,}" for name, value in zip(stages, values, strict=True)
    )
    return Chart(chart_id, title, description + ".", "funnel", height, rects, texts)
