"""Timing helpers: calls interleaved or taking turns (so machine load hits all alike),
percentiles, and the time spent inside the database driver's calls."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def each_turn(
    calls: list[tuple[Callable[[], Any], Callable[[], Any]]],
) -> tuple[float, float, float, float]:
    """Median seconds of Recall's and Anki's calls, taking turns (who goes first alternates):
    wall time, then this thread's CPU time (Anki's engine runs in this thread too)."""
    spent: list[list[float]] = [[], [], [], []]
    for index, (recall_call, anki_call) in enumerate(calls):
        pair = [(recall_call, 0), (anki_call, 1)]
        for call, at in pair if index % 2 == 0 else pair[::-1]:
            start, cpu = time.perf_counter(), time.thread_time()
            call()
            spent[at + 2].append(time.thread_time() - cpu)
            spent[at].append(time.perf_counter() - start)
    medians = [statistics.median(values) for values in spent]
    return medians[0], medians[1], medians[2], medians[3]


def timed(rounds: int, steps: dict[str, Callable[[int], None]]) -> dict[str, list[float]]:
    """Wall-clock seconds per call, the operations interleaved so machine load hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in steps}
    cpu: dict[str, float] = dict.fromkeys(steps, 0.0)
    for i in range(rounds):
        for name, step in steps.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            step(i)
            samples[name].append(time.perf_counter() - start)
            cpu[name] += time.process_time() - start_cpu
    for name in steps:
        samples[name].append(cpu[name] / rounds)  # last item: mean CPU seconds of this process
    return samples


class _TimedCursor:
    """A driver cursor whose calls into the database are timed (see ``driver_share``)."""

    def __init__(self, clock: _TimedConnection, cursor: Any) -> None:
        self._clock = clock
        self._cursor = cursor

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._cursor, name)
        if name in ("execute", "executemany", "fetchone", "fetchall", "fetchmany"):
            return self._clock.timed(attr)
        return attr

    def __iter__(self) -> Any:
        return iter(self._cursor)

    def __enter__(self) -> _TimedCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cursor.close()


class _TimedConnection:
    """Stands in for the driver's connection, adding up the time spent inside its calls."""

    def __init__(self, raw: Any) -> None:
        object.__setattr__(self, "_raw", raw)
        object.__setattr__(self, "spent", 0.0)

    def timed(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                object.__setattr__(self, "spent", self.spent + time.perf_counter() - start)

        return run

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._raw, name)
        if name in ("commit", "rollback", "execute"):
            return self.timed(attr)
        return attr

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._raw, name, value)  # isolation_level, autocommit: the driver's own

    # Equal to the connection it stands for, so that what the hot path remembers per
    # connection (a WeakSet of those set up for prepared statements) still holds.
    def __eq__(self, other: object) -> bool:
        return self._raw == getattr(other, "_raw", other)

    def __hash__(self) -> int:
        return hash(self._raw)

    def cursor(self, *args: Any, **kwargs: Any) -> _TimedCursor:
        return _TimedCursor(self, self._raw.cursor(*args, **kwargs))


def driver_share(step: Callable[[int], None], rounds: int) -> tuple[float, float]:
    """Median seconds of ``step`` and of the time spent inside the database driver's calls
    during it (statements, fetches, commits): the rest is this process's Python."""
    from django.db import connection

    raw = connection.connection
    timed_connection = _TimedConnection(raw)
    totals, inside = [], []
    connection.connection = timed_connection
    try:
        for i in range(rounds):
            object.__setattr__(timed_connection, "spent", 0.0)
            start = time.perf_counter()
            step(i)
            totals.append(time.perf_counter() - start)
            inside.append(timed_connection.spent)
    finally:
        connection.connection = raw
    return statistics.median(totals), statistics.median(inside)
