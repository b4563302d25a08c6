"""Server-rendered SVG charts: the review heatmap and the due forecast (pure functions).

Colours come from CSS classes (``hm-0`` to ``hm-4``, ``fc-bar``) so the charts follow the
light or dark theme without JavaScript; every cell carries a <title> for screen readers
and hover, and the whole chart an aria-label that says the totals in words.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from html import escape

CELL = 11
GAP = 2
STEP = CELL + GAP
LEFT = 32  # room for weekday labels
TOP = 18  # room for month labels
# Width a three-letter label needs at the charts' label size (13 px): a month named over
# the last column must not run past the edge ("De" for "Dec").
LABEL_WIDTH = 30
FORECAST_LEFT = 40  # room for the forecast's peak count
FORECAST_BOTTOM = 26  # room under the axis for the date labels
WEEKDAYS = ("Mon", "", "Wed", "", "Fri", "", "")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

DateCounts = Mapping[dt.date, int] | Iterable[tuple[dt.date, int]]


def as_date_counts(data: DateCounts | None) -> dict[dt.date, int]:
    """Accept a mapping or (date, count) pairs, with dates or datetimes as keys."""
    if data is None:
        return {}
    items = data.items() if isinstance(data, Mapping) else data
    result: dict[dt.date, int] = {}
    for key, value in items:
        day = key.date() if isinstance(key, dt.datetime) else key
        result[day] = result.get(day, 0) + int(value or 0)
    return result


def level(count: int, peak: int) -> int:
    """Intensity 0 to 4: 0 only for no reviews, 4 for the busiest day."""
    if count <= 0 or peak <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / peak)))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def heatmap_svg(data: DateCounts | None, *, end: dt.date, days: int = 365) -> str:
    """A GitHub-style calendar of reviews per day, ``days`` days ending on ``end``.

    Weeks are columns (Monday first), weekdays are rows.
    """
    counts = as_date_counts(data)
    start = end - dt.timedelta(days=days - 1)
    grid_start = start - dt.timedelta(days=start.weekday())
    weeks = (end - grid_start).days // 7 + 1
    window = [start + dt.timedelta(days=i) for i in range(days)]
    total = sum(counts.get(day, 0) for day in window)
    active = sum(1 for day in window if counts.get(day, 0) > 0)
    peak = max((counts.get(day, 0) for day in window), default=0)
    width = LEFT + weeks * STEP
    height = TOP + 7 * STEP
    labels: list[str] = []
    label = (
        f"Review heatmap: {_plural(total, 'review')} on {_plural(active, 'day')} "
        f"in the last {days} days"
    )
    for row, name in enumerate(WEEKDAYS):
        if name:
            y = TOP + row * STEP + CELL - 1
            labels.append(f'<text class="chart-label" x="0" y="{y}">{name}</text>')
    for week in range(weeks):
        week_days = [grid_start + dt.timedelta(days=7 * week + i) for i in range(7)]
        in_window = [d for d in week_days if start <= d <= end]
        firsts = [d for d in in_window if d.day == 1]
        # Name a month over the column holding its first day, and over the very first
        # column unless the next month's name would follow too close to read.
        month_day = firsts[0] if firsts else None
        if week == 0 and not firsts and start.day <= 7:
            month_day = start
        if month_day is not None:
            x = LEFT + week * STEP
            name = MONTHS[month_day.month - 1]
            width = max(width, x + LABEL_WIDTH)
            labels.append(f'<text class="chart-label" x="{x}" y="{TOP - 5}">{name}</text>')
    parts = [
        f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        *labels,
    ]
    for day in window:
        offset = (day - grid_start).days
        x = LEFT + (offset // 7) * STEP
        y = TOP + (offset % 7) * STEP
        n = counts.get(day, 0)
        parts.append(
            f'<rect class="hm-{level(n, peak)}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" '
            f'rx="2" data-date="{day.isoformat()}" data-count="{n}">'
            f"<title>{day.isoformat()}: {_plural(n, 'review')}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)


def forecast_svg(
    data: DateCounts | None,
    *,
    start: dt.date,
    days: int = 30,
    width: int = 600,
    height: int = 140,
    label: str | None = None,
    unit: str = "card",
) -> str:
    """A bar chart of cards falling due on each of the ``days`` days from ``start``.

    ``label`` (the chart's title) and ``unit`` (what a bar counts) let other day-by-day
    counts use it, such as an exam plan's reviews.
    """
    counts = as_date_counts(data)
    window = [start + dt.timedelta(days=i) for i in range(days)]
    values = [counts.get(day, 0) for day in window]
    total = sum(values)
    peak = max(values, default=0)
    bottom = height - FORECAST_BOTTOM
    plot_height = bottom - 16
    slot = (width - FORECAST_LEFT) / days
    bar = max(1.0, slot - 2)
    every = 7 * max(1, math.ceil(days / 84))
    if label is None:
        label = f"Due forecast: {_plural(total, 'card')} due in the next {days} days"
    parts = [
        f'<svg class="forecast" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        'preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(label)}</title>",
        f'<line class="chart-axis" x1="{FORECAST_LEFT}" y1="{bottom}" x2="{width}" y2="{bottom}"/>',
        f'<text class="chart-label" x="0" y="{bottom}">0</text>',
    ]
    if peak:  # an empty forecast has one scale label, not "0" twice
        parts.append(f'<text class="chart-label" x="0" y="20">{peak}</text>')
    for i, (day, n) in enumerate(zip(window, values, strict=True)):
        x = FORECAST_LEFT + i * slot + 1
        h = round(plot_height * n / peak, 1) if peak else 0
        what = "today" if i == 0 else day.isoformat()
        parts.append(
            f'<rect class="fc-bar" x="{x:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" '
            f'height="{h}" data-date="{day.isoformat()}" data-count="{n}">'
            f"<title>{what}: {_plural(n, unit)}{' due' if unit == 'card' else ''}</title></rect>"
        )
        # A label every week, every few weeks on long charts (a label needs about five
        # weekly slots of room on a 12-week chart: 84 days).
        if i % every == 0 and i <= days - 5 * every // 7:
            parts.append(
                f'<text class="chart-label" x="{x:.1f}" y="{height - 5}">'
                f"{'Today' if i == 0 else f'{day.day} {MONTHS[day.month - 1]}'}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
