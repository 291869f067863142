"""Geometry of server-rendered SVG charts (stacked columns); the template draws it.

No JavaScript and no style attributes: the admin runs under a CSP without inline script or style, so colours
are SVG presentation attributes (fill=...). Every chart comes with a title, a description and, on the page, a
data table with the same numbers: the SVG is the picture, the table is the accessible source of truth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

LEFT = 48  # room for the scale's numbers
TOP = 24  # room for the tallest column's total
PLOT_HEIGHT = 180
BOTTOM = 64  # room for the slanted category labels
SLOT = 40  # width per column
BAR = 26
RIGHT = 16
TICKS = 4


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


@dataclass
class Segment:
    series: Series
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Column:
    label: str
    total: int
    x: float  # left edge of the bar
    centre: float
    total_y: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Tick:
    value: int
    y: float


@dataclass
class Chart:
    title: str
    description: str
    width: float
    height: float
    left: float
    right: float  # x where the plot ends
    baseline: float  # y of the zero line
    label_y: float
    columns: list[Column]
    series: list[Series]
    ticks: list[Tick]


def nice_step(value: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * power >= value:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover (the loop always returns)


def stacked_columns(
    *,
    title: str,
    description: str,
    categories: Sequence[tuple[object, str]],
    series: Sequence[Series],
    values: Mapping[tuple[object, str], int],
) -> Chart:
    """One column per category (key, label), stacked bottom-up in `series` order; `values[(category key,
    series key)]` are the counts (missing: 0)."""
    totals = [sum(values.get((key, s.key), 0) for s in series) for key, _label in categories]
    step = nice_step(max(totals, default=0) / TICKS)
    top = step * TICKS
    scale = PLOT_HEIGHT / top
    baseline = TOP + PLOT_HEIGHT
    columns = []
    for index, ((key, label), total) in enumerate(zip(categories, totals, strict=True)):
        x = LEFT + index * SLOT + (SLOT - BAR) / 2
        column = Column(label=label, total=total, x=x, centre=round(x + BAR / 2, 1),
                        total_y=round(baseline - total * scale - 6, 1))
        bottom = float(baseline)
        for s in series:
            value = values.get((key, s.key), 0)
            if not value:
                continue
            height = value * scale
            bottom -= height
            column.segments.append(Segment(s, value, round(x, 1), round(bottom, 1), BAR, round(height, 1)))
        columns.append(column)
    width = LEFT + max(len(categories), 1) * SLOT + RIGHT
    return Chart(
        title=title, description=description, width=width, height=baseline + BOTTOM, left=LEFT,
        right=width - RIGHT, baseline=baseline, label_y=baseline + 14, columns=columns, series=list(series),
        ticks=[Tick(step * i, round(baseline - step * i * scale, 1)) for i in range(TICKS + 1)],
    )
