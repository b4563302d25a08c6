"""How bench/load.py judges its steps: a knee only where throughput grew, never by default."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _steps import cpu_use
from _steps.load_steps import backlog_line, cpu_line, knee, report, within_goal


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


def fake_process(
    proc: Path, pid: int, command: str, cpu_ticks: tuple[int, int], start: int
) -> None:
    entry = proc / str(pid)
    entry.mkdir(exist_ok=True)
    # The name may hold spaces and parentheses; utime and stime are fields 14 and 15,
    # the start time field 22 (of the whole line).
    fields = ["S", *["0"] * 10, str(cpu_ticks[0]), str(cpu_ticks[1]), *["0"] * 6, str(start)]
    (entry / "stat").write_text(f"{pid} (a (b) c) {' '.join(fields)} 0 0\n")
    (entry / "cmdline").write_bytes(command.replace(" ", "\0").encode())


WEB = "/venv/bin/gunicorn --config deploy/gunicorn.conf.py"


def test_cpu_is_told_per_part_of_the_stack_between_two_snapshots(tmp_path):
    ticks = os.sysconf("SC_CLK_TCK")
    fake_process(tmp_path, 10, WEB, (ticks, 0), 5)
    fake_process(tmp_path, 11, "postgres: postgres recall 127.0.0.1(5000) idle", (0, ticks), 6)
    fake_process(tmp_path, 12, WEB, (ticks, 0), 7)
    (tmp_path / "self").mkdir()  # not a process
    before = cpu_use.snapshot(tmp_path)
    fake_process(tmp_path, 10, WEB, (3 * ticks, ticks), 5)
    fake_process(tmp_path, 11, "postgres: postgres recall 127.0.0.1(5000) idle", (0, 2 * ticks), 6)
    # Pid 12 ended and its number went to a new process: counted whole, not as a difference.
    fake_process(tmp_path, 12, "python bench/load.py --steps 2", (ticks, 0), 99)
    fake_process(tmp_path, 13, "/usr/sbin/sshd -D", (ticks, ticks), 100)
    spent = cpu_use.spent(before, cpu_use.snapshot(tmp_path))
    assert spent == {"web (gunicorn)": 3.0, "postgresql": 1.0, "client": 1.0, "other": 2.0}
    line = cpu_line({"cpu_busy": 0.9, "cpu_parts": spent})
    assert line == (
        "90% of the cores busy; web (gunicorn) 43%, other 29%, postgresql 14%, client 14%"
    )


def test_the_backlog_step_is_judged_and_set_beside_the_same_users_without_it(capsys):
    steps = [step(2, 10, 20, 30), step(4, 18, 40, 60), step(8, 19, 150, 200)]
    backlog = {**step(4, 15, 50, 120), "errors": 2, "served": {"review": 30, "learning": 10}}
    report(steps, backlog, 2000)
    out = capsys.readouterr().out
    assert (
        "with 2,000 overdue reviews per account, at 4 users: 15.0 reviews/s; p95 grade 50 ms, "
        "next card 120 ms (goal < 100 ms: NOT met); 75% of the next cards were reviews; "
        "without the backlog: 18.0 reviews/s, p95 grade 40 ms, next card 60 ms"
    ) in out
    assert "errors in the whole run: 2 (goal 0: NOT met)" in out


def test_a_backlog_step_that_served_nothing_says_so():
    line = backlog_line({**step(2, 0, 10, 10), "served": {}}, [], 50)
    assert line.endswith("(goal < 100 ms: met); none of the next cards were reviews")
