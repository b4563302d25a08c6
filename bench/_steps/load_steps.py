"""Judging the steps of bench/load.py: the knee, the load carried within the latency goal."""

from __future__ import annotations

import itertools
from typing import Any

GOAL_P95_MS = 100.0


def knee(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last step whose reviews/s grew >= 10% over the step before; None if none grew."""
    chosen = None
    for before, after in itertools.pairwise(steps):
        if after["reviews_per_s"] >= before["reviews_per_s"] * 1.1:
            chosen = after
        else:
            break
    return chosen


def within_goal(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The step with the most reviews/s whose grade and next-card p95 are under the goal."""
    fast = [s for s in steps if max(s["grade_p95"], s["next_p95"]) < GOAL_P95_MS]
    return max(fast, key=lambda s: s["reviews_per_s"]) if fast else None


def report(
    steps: list[dict[str, Any]], backlog: dict[str, Any] | None = None, backlog_size: int = 0
) -> None:
    best = knee(steps)
    if best is None:
        print(
            f"no knee: reviews/s did not grow by 10% over the first step ({steps[0]['users']} "
            "users), which may already be past it; start the steps lower (latency goal "
            "NOT met: not judged)",
            flush=True,
        )
    else:
        fast = max(best["grade_p95"], best["next_p95"]) < GOAL_P95_MS
        print(
            f"knee at {best['users']} users: {best['reviews_per_s']:.1f} reviews/s = "
            f"{best['per_core']:.1f} per CPU core; p95 grade {best['grade_p95']:.0f} ms, "
            f"next card {best['next_p95']:.0f} ms (goal < {GOAL_P95_MS:.0f} ms: "
            f"{'met' if fast else 'NOT met'})",
            flush=True,
        )
        if best.get("cpu_parts"):
            print(f"  CPU at the knee: {cpu_line(best)}", flush=True)
    carried = within_goal(steps)
    if carried is None:
        print(f"no step kept both p95 under {GOAL_P95_MS:.0f} ms", flush=True)
    else:
        print(
            f"within the latency goal: {carried['reviews_per_s']:.1f} reviews/s = "
            f"{carried['per_core']:.1f} per CPU core at {carried['users']} users (p95 grade "
            f"{carried['grade_p95']:.0f} ms, next card {carried['next_p95']:.0f} ms)",
            flush=True,
        )
    if backlog is not None:
        print(backlog_line(backlog, steps, backlog_size), flush=True)
    errors = sum(step["errors"] for step in [*steps, *([backlog] if backlog else [])])
    print(
        f"errors in the whole run: {errors} (goal 0: {'met' if errors == 0 else 'NOT met'})",
        flush=True,
    )


def backlog_line(step: dict[str, Any], steps: list[dict[str, Any]], size: int) -> str:
    """The backlog step against the goal and against the step of as many users without it."""
    fast = max(step["grade_p95"], step["next_p95"]) < GOAL_P95_MS
    served = step.get("served") or {}
    shown = sum(served.values())
    reviews = f"{served.get('review', 0) / shown:.0%}" if shown else "none"
    line = (
        f"with {size:,} overdue reviews per account, at {step['users']} users: "
        f"{step['reviews_per_s']:.1f} reviews/s; p95 grade {step['grade_p95']:.0f} ms, next "
        f"card {step['next_p95']:.0f} ms (goal < {GOAL_P95_MS:.0f} ms: "
        f"{'met' if fast else 'NOT met'}); {reviews} of the next cards were reviews"
    )
    same = next((s for s in steps if s["users"] == step["users"]), None)
    if same is not None:
        line += (
            f"; without the backlog: {same['reviews_per_s']:.1f} reviews/s, p95 grade "
            f"{same['grade_p95']:.0f} ms, next card {same['next_p95']:.0f} ms"
        )
    return line


def cpu_line(step: dict[str, Any]) -> str:
    """How busy the cores were in a step, and each part's share of what was spent."""
    parts: dict[str, float] = step["cpu_parts"]
    total = sum(parts.values()) or 1.0
    shares = ", ".join(
        f"{name} {used / total:.0%}"
        for name, used in sorted(parts.items(), key=lambda kv: -kv[1])
        if used / total >= 0.005
    )
    return f"{step['cpu_busy']:.0%} of the cores busy; {shares}"
