"""Horizontal bar charts drawn on the server as inline SVG.

No JavaScript and nothing from another host: the page passes the strict
Content Security Policy (meldpunt/privacy/middleware.py). Colours and fonts are
SVG presentation attributes, not ``style`` attributes, which the policy blocks.
Hidden small counts get no bar, so the length cannot give them away.
"""

from dataclasses import dataclass

from .figures import Kind, Table, value_text

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

    @property
    def value_x(self) -> int:
        return self.bar_x + BAR_WIDTH + 6


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(table: Table, threshold: int) -> Chart | None:
    """A chart of the table's first measure, or None if it has no count to draw."""
    if not table.rows or table.measures[0].kind != Kind.COUNT:
        return None
    measure = table.measures[0]
    values = [values[0] for _labels, values in table.rows]
    shown = [
        0 if value is None or table.is_hidden(value, measure, threshold) else value
        for value in values
    ]
    largest = max(shown) or 1
    bars = [
        Bar(
            label=_short(" – ".join(labels)),
            value=value_text(table, value, measure, threshold),
            y=index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2,
            text_y=index * ROW_HEIGHT + ROW_HEIGHT // 2 + 5,
            width=round(BAR_WIDTH * length / largest),
        )
        for index, ((labels, _values), value, length) in enumerate(
            zip(table.rows, values, shown, strict=True)
        )
    ]
    return Chart(
        slug=table.slug,
        title=table.title,
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 6,
        height=len(bars) * ROW_HEIGHT,
        label_x=LABEL_WIDTH - 6,
        bar_x=LABEL_WIDTH,
    )
