"""Horizontal bar charts drawn on the server as inline SVG.

No JavaScript and nothing from another host: the page passes the strict
Content Security Policy (meldpunt/privacy/middleware.py). Colours and fonts are
SVG presentation attributes, not ``style`` attributes, which the policy blocks.
Hidden small counts get no bar, so the length cannot give them away.
"""

from dataclasses import dataclass

from .figures import Kind, Table, ranked_rows, shown_count, value_text

LABEL_WIDTH = 260
BAR_WIDTH = 360
VALUE_WIDTH = 70
ROW_HEIGHT = 22
BAR_HEIGHT = 15
MAX_LABEL = 38


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: int
    text_y: int
    width: int


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_x: int
    bar_x: int
    is_partial: bool = False

    @property
    def value_x(self) -> int:
        return self.bar_x + BAR_WIDTH + 6


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(table: Table, threshold: int) -> Chart | None:
    """A chart of the table's first measure, or None if it has no count to draw.

    A table limited to ``chart_bars`` charts its largest rows, ranked by the
    value as shown: hidden counts rank as zero, so their order says nothing.
    """
    if not table.rows or table.chart_bars == 0 or table.measures[0].kind != Kind.COUNT:
        return None
    measure = table.measures[0]
    rows = table.rows
    is_partial = table.chart_bars is not None and len(rows) > table.chart_bars
    if is_partial:
        rows = ranked_rows(table, threshold)[: table.chart_bars]
    rows = [
        (labels, values[0], shown_count(table, values[0], threshold)) for labels, values in rows
    ]
    largest = max(length for _labels, _value, length in rows) or 1
    bars = [
        Bar(
            label=_short(" – ".join(labels)),
            value=value_text(table, value, measure, threshold),
            y=index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
            text_y=index * ROW_HEIGHT + ROW_HEIGHT // 2 + 5,
            width=round(BAR_WIDTH * length / largest),
        )
        for index, (labels, value, length) in enumerate(rows)
    ]
    return Chart(
        slug=table.slug,
        title=table.title,
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 6,
        height=len(bars) * ROW_HEIGHT,
        label_x=LABEL_WIDTH - 6,
        bar_x=LABEL_WIDTH,
        is_partial=is_partial,
    )
