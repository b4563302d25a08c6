"""Template tags: the SVG charts, short study intervals and small display helpers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from recall.core import svg
from recall.core.text import markdown_plain_text

register = template.Library()


@register.simple_tag
def heatmap(data: Any, end: dt.date | None = None, days: int = 365) -> SafeString:
    end = end or timezone.localdate()
    # svg.heatmap_svg escapes every piece of text it writes.
    return mark_safe(svg.heatmap_svg(data, end=end, days=days))  # noqa: S308


@register.simple_tag
def forecast(data: Any, start: dt.date | None = None, days: int = 30) -> SafeString:
    start = start or timezone.localdate()
    return mark_safe(svg.forecast_svg(data, start=start, days=days))  # noqa: S308


def short_duration(seconds: float) -> str:
    """Anki-style interval: 45s, 10m, 3h, 4d, 2mo, 1.5y."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{round(seconds)}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30.4)}mo"
    years = days / 365
    return f"{years:.1f}".rstrip("0").rstrip(".") + "y"


@register.filter
def plain_text(markdown: Any) -> str:
    """A question's Markdown as one line of plain text, for titles in lists (autoescaped)."""
    return markdown_plain_text(str(markdown or ""))


@register.filter
def interval(value: Any, now: dt.datetime | None = None) -> str:
    """A next-due datetime (from now) or a timedelta, as a short interval."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.timedelta):
        return short_duration(value.total_seconds())
    if isinstance(value, dt.datetime):
        return short_duration((value - (now or timezone.now())).total_seconds())
    if isinstance(value, int | float):
        return short_duration(float(value))
    return str(value)


@register.filter
def percent(part: Any, whole: Any) -> int:
    """Whole-number percentage, 0 when the whole is empty."""
    try:
        part_f, whole_f = float(part or 0), float(whole or 0)
    except (TypeError, ValueError):
        return 0
    if whole_f <= 0:
        return 0
    return max(0, min(100, round(100 * part_f / whole_f)))
