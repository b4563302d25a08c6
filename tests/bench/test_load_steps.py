"""How bench/load.py judges its steps: a knee only where throughput grew, never by default."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _steps.load_steps import knee, report, within_goal


def step(users: int, reviews: float, grade: float, next_card: float) -> dict[str, Any]:
    return {
        "users": users,
        "reviews_per_s": reviews,
        "per_core": reviews / 2,
        "grade_p95": grade,
        "next_p95": next_card,
        "errors": 0,
    }


def test_the_knee_is_the_last_step_that_grew_by_a_tenth():
    steps = [step(2, 10, 20, 30), step(4, 18, 40, 60), step(8, 19, 150, 200), step(16, 30, 1, 1)]
    assert knee(steps) is steps[1]


def test_flat_throughput_has_no_knee_and_the_latency_goal_is_not_called_met(capsys):
    # Saturated from the first step: its low p95 must not pass for the knee's.
    steps = [step(2, 10, 20, 30), step(4, 10.5, 400, 500), step(8, 10.2, 900, 1000)]
    assert knee(steps) is None
    report(steps)
    out = capsys.readouterr().out
    assert "no knee" in out and "NOT met" in out
    assert "latency goal: 10.0 reviews/s" in out


@pytest.mark.parametrize(
    ("latencies", "expected"),
    [
        ([(20, 30), (60, 99), (120, 90)], 1),
        ([(20, 30), (99, 100), (20, 30)], 2),
        ([(100, 1)], None),
    ],
)
def test_the_load_carried_within_the_goal_is_the_busiest_fast_step(latencies, expected):
    steps = [step(2**i, 10 * (i + 1), g, n) for i, (g, n) in enumerate(latencies)]
    found = within_goal(steps)
    assert (found is None) if expected is None else (found is steps[expected])
