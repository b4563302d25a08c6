"""Tests of recall/core/svg.py: the heatmap and forecast are well-formed, accessible SVG."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from recall.core.svg import as_date_counts, forecast_svg, heatmap_svg, level

NS = {"svg": "http://www.w3.org/2000/svg"}
END = dt.date(2026, 11, 25)  # a Wednesday


def _num(element: ET.Element, name: str) -> float:
    return float(element.get(name) or "nan")


def _rects(markup: str) -> list[ET.Element]:
    root = ET.fromstring(markup)
    return root.findall("svg:rect", NS)


def test_heatmap_has_one_cell_per_day_with_its_count():
    counts = {END: 5, END - dt.timedelta(days=1): 1, END - dt.timedelta(days=400): 9}
    markup = heatmap_svg(counts, end=END, days=365)
    cells = _rects(markup)
    assert len(cells) == 365
    by_date = {c.get("data-date"): c for c in cells}
    assert by_date[END.isoformat()].get("data-count") == "5"
    assert by_date[END.isoformat()].get("class") == "hm-4"
    assert by_date[(END - dt.timedelta(days=1)).isoformat()].get("class") == "hm-1"
    # The day outside the window is neither drawn nor counted.
    assert (END - dt.timedelta(days=400)).isoformat() not in by_date
    assert 'aria-label="Review heatmap: 6 reviews on 2 days in the last 365 days"' in markup


def test_heatmap_places_weekdays_in_rows_and_weeks_in_columns():
    markup = heatmap_svg({}, end=END, days=14)
    cells = {c.get("data-date"): c for c in _rects(markup)}
    wednesday, thursday = cells["2026-11-25"], cells["2026-11-19"]
    next_wednesday_row = cells["2026-11-18"]
    assert wednesday.get("y") == next_wednesday_row.get("y")
    assert _num(wednesday, "x") - _num(next_wednesday_row, "x") == 13
    assert _num(thursday, "y") - _num(wednesday, "y") == 13


def test_heatmap_every_cell_has_a_title_for_screen_readers():
    markup = heatmap_svg({END: 1}, end=END, days=30)
    cells = _rects(markup)
    titles = [c.find("svg:title", NS).text for c in cells]
    assert "2026-11-25: 1 review" in titles
    assert "2026-11-24: 0 reviews" in titles


def test_heatmap_accepts_pairs_and_datetimes():
    moment = dt.datetime(2026, 11, 25, 8, 30, tzinfo=dt.UTC)
    markup = heatmap_svg([(moment, 2), (END, 1)], end=END, days=7)
    cells = {c.get("data-date"): c for c in _rects(markup)}
    assert cells["2026-11-25"].get("data-count") == "3"


def test_forecast_bars_scale_to_the_busiest_day():
    counts = {END: 10, END + dt.timedelta(days=2): 5}
    markup = forecast_svg(counts, start=END, days=30)
    bars = {b.get("data-date"): b for b in _rects(markup)}
    assert len(bars) == 30
    full = _num(bars[END.isoformat()], "height")
    half = _num(bars[(END + dt.timedelta(days=2)).isoformat()], "height")
    assert full > 0
    assert half == full / 2
    assert _num(bars[(END + dt.timedelta(days=1)).isoformat()], "height") == 0
    assert "15 cards due in the next 30 days" in markup


def test_forecast_of_nothing_draws_empty_bars():
    markup = forecast_svg(None, start=END, days=7)
    assert {b.get("height") for b in _rects(markup)} == {"0"}


def test_levels():
    assert level(0, 10) == 0
    assert level(1, 100) == 1
    assert level(50, 100) == 2
    assert level(100, 100) == 4
    assert level(3, 0) == 0


def test_as_date_counts_sums_duplicates():
    assert as_date_counts([(END, 1), (END, 2)]) == {END: 3}
    assert as_date_counts(None) == {}


def _labels(markup: str) -> list[ET.Element]:
    return ET.fromstring(markup).findall("svg:text", NS)


def test_heatmap_month_labels_fit_inside_the_chart():
    # The window's last column holds 1 December: its label must not be cut at the edge.
    end = dt.date(2026, 12, 2)
    markup = heatmap_svg({}, end=end, days=365)
    width = float(ET.fromstring(markup).get("viewBox").split()[2])
    months = [t for t in _labels(markup) if t.text in ("Dec", "Nov")]
    last = max(months, key=lambda t: _num(t, "x"))
    assert last.text == "Dec"
    assert _num(last, "x") + 30 <= width


def test_empty_forecast_has_a_single_zero_label():
    markup = forecast_svg({}, start=END, days=30)
    texts = [t.text for t in _labels(markup)]
    assert texts.count("0") == 1
    busy = [t.text for t in _labels(forecast_svg({END: 7}, start=END, days=30))]
    assert busy.count("0") == 1 and "7" in busy


def test_forecast_date_labels_stay_clear_of_the_right_edge():
    markup = forecast_svg({}, start=END, days=30, width=600)
    xs = [_num(t, "x") for t in _labels(markup) if t.text not in ("0",)]
    assert max(xs) <= 600 - 5 * (600 - 40) / 30


def test_a_long_forecast_labels_every_few_weeks_and_takes_a_label():
    start = dt.date(2026, 1, 5)
    chart = forecast_svg(
        {start: 3}, start=start, days=365, label="Exam plan: 3 reviews", unit="review"
    )
    labels = chart.count('class="chart-label" x=')
    assert 10 <= labels <= 16  # 0 and the peak, then one label every five weeks
    assert 'aria-label="Exam plan: 3 reviews"' in chart
    assert "today: 3 reviews</title>" in chart
    # The dashboard's 30 days keep a label a week.
    short = forecast_svg({}, start=start, days=30)
    assert short.count('class="chart-label" x=') == 1 + 4
