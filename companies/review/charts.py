"""Bar charts drawn on the server as SVG (``companies/supervisor/_chart.html``): one bar per
day, no JavaScript, with a title and a description for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

CHART_WIDTH, CHART_HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 28
# Django's date format for a bar's day ("2 Dec"); Spanish writes the month in lowercase ("j b").
DAY_LABEL = pgettext_lazy("date format of a chart's day, for Django's date filter", "j M")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    maximum: int
    bars: list[Bar]
    ticks: list[Tick]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = LEFT
    right_edge: int = CHART_WIDTH - RIGHT
    top: int = TOP
    baseline: int = CHART_HEIGHT - BOTTOM


def bar_chart(slug: str, *, title: str, series: Sequence[tuple[date, int]]) -> Chart:
    """One bar per day, scaled to the highest; a date under every day, week or fortnight."""
    maximum = max((value for _day, value in series), default=0)
    plot_width, plot_height = CHART_WIDTH - LEFT - RIGHT, CHART_HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(series), 1)
    bars = []
    for n, (day, value) in enumerate(series):
        height = plot_height * value / maximum if maximum else 0
        bars.append(
            Bar(
                x=round(LEFT + n * slot + slot * 0.1, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.8, 1),
                height=round(height, 1),
                label=date_format(day, str(DAY_LABEL)),
                value=value,
            )
        )
    step = 1 if len(series) <= 7 else 7 if len(series) <= 31 else 14
    ticks = [Tick(round(b.x + b.width / 2, 1), b.label) for b in bars[::step]]
    description = _(
        "One bar per day from %(first)s to %(last)s; the highest bar is %(maximum)s. "
        "The table below gives the same figures."
    ) % {
        "first": bars[0].label if bars else "",
        "last": bars[-1].label if bars else "",
        "maximum": maximum,
    }
    return Chart(slug, title, description, maximum, bars, ticks)
