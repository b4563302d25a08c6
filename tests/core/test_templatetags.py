"""Tests of recall/core/templatetags/recall_tags.py: intervals and percentages for the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from recall.core.templatetags.recall_tags import interval, percent, short_duration

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30s"), (600, "10m"), (3 * 3600, "3h"), (4 * 86400, "4d"), (61 * 86400, "2mo"),
     (548 * 86400, "1.5y"), (730 * 86400, "2y"), (-5, "0s")],
)  # fmt: skip
def test_short_duration(seconds, text):
    assert short_duration(seconds) == text


def test_interval_of_a_due_datetime_counts_from_now():
    assert interval(NOW + dt.timedelta(minutes=10), NOW) == "10m"
    assert interval(dt.timedelta(days=3)) == "3d"
    assert interval(None) == ""


def test_percent_is_bounded_and_safe_with_zero():
    assert percent(1, 4) == 25
    assert percent(5, 0) == 0
    assert percent(9, 3) == 100
    assert percent("x", 3) == 0
