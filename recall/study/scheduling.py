"""The bridge to the ``fsrs`` library, scheduling as Anki does: study days, button order, precision.

FSRS itself is never reimplemented here: every memory state (stability, difficulty) comes
from ``fsrs.Scheduler.review_card``. Around it, the rules Anki's scheduler adds, so that a
card studied in Recall gets the intervals Anki would give it (checked against the official
``anki`` package by ``tests/interop/test_anki_fsrs_parity.py``):

- Elapsed time is counted in study days crossed (``study_days_between``: the user's time
  zone and day rollover hour), not in 24-hour periods; the library is handed a last review
  that many whole days back, so both its same-day rule and its retrievability use it.
- Intervals in days: Hard, Good and Easy of a review card are each at least a day longer
  than the one before; in (re)learning, Easy is longer than Good would be on graduating.
- Fuzz (``RECALL_FSRS_FUZZ``) is Anki's: a range around the interval, narrowed to respect
  those minimums, one random factor per card and review (seeded by both, so the interval
  previewed on a button is exactly the one its grade then applies).
- Precision: Anki computes in 32-bit floats and stores stability to 4 decimals and
  difficulty to 3; we round the same way, and derive the interval from the 32-bit value.
"""

from __future__ import annotations

import functools
import math
import random
import struct
from copy import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import fsrs
from django.conf import settings

from recall.accounts.selectors import user_zone

from .models import CardState

_REVIEW = fsrs.State.Review
_LEARNING_STATES = (fsrs.State.Learning, fsrs.State.Relearning)


def scheduler_for(user: Any) -> fsrs.Scheduler:
    """A Scheduler with the user's fitted parameters (or the defaults) and retention.

    The library's own fuzz stays off: fuzz is applied here, after the ordering rules.
    """
    retention = float(user.desired_retention or getattr(settings, "RECALL_DEFAULT_RETENTION", 0.9))
    try:
        parameters = tuple(float(p) for p in user.fsrs_parameters or ())
    except (TypeError, ValueError):
        parameters = ()  # unusable stored parameters: the defaults, as fsrs' refusal gives
    return _scheduler(parameters, retention)


# Building a Scheduler validates its parameters and precomputes; a grade needs one every
# time. review_card never changes the scheduler, so one per (parameters, retention) can be
# shared by every request (and thread).
@functools.lru_cache(maxsize=256)
def _scheduler(parameters: tuple[float, ...], retention: float) -> fsrs.Scheduler:
    kwargs: dict[str, Any] = {"desired_retention": retention, "enable_fuzzing": False}
    if parameters:
        kwargs["parameters"] = parameters
    try:
        return fsrs.Scheduler(**kwargs)
    except ValueError:
        # Parameters from an older FSRS version: fall back to the defaults rather than fail.
        kwargs.pop("parameters", None)
        return fsrs.Scheduler(**kwargs)


def utc(moment: datetime) -> datetime:
    """fsrs accepts only datetimes whose tzinfo is datetime.UTC itself."""
    return moment.astimezone(UTC)


def new_fsrs_card(card_id: int, now: datetime) -> fsrs.Card:
    return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=utc(now))


def to_fsrs_card(state: CardState) -> fsrs.Card:
    return fsrs.Card(
        card_id=state.card_id,
        state=fsrs.State(state.state),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=utc(state.due),
        last_review=utc(state.last_review) if state.last_review else None,
    )


def apply_fsrs_card(state: CardState, card: fsrs.Card) -> None:
    state.state = int(card.state)
    state.step = card.step
    state.stability = card.stability
    state.difficulty = card.difficulty
    state.due = card.due
    state.last_review = card.last_review


def snapshot(card: fsrs.Card, *, reps: int, lapses: int) -> dict[str, Any]:
    """fsrs' own dict of the card, with our counters beside it."""
    data: dict[str, Any] = dict(card.to_dict())
    data["reps"] = reps
    data["lapses"] = lapses
    return data


def restore(state: CardState, data: dict[str, Any]) -> None:
    apply_fsrs_card(state, fsrs.Card.from_dict(data))  # type: ignore[arg-type]
    # from_dict treats a 0.0 stability as missing; keep the stored value exactly.
    state.stability = data["stability"]
    state.difficulty = data["difficulty"]
    state.reps = int(data.get("reps", 0))
    state.lapses = int(data.get("lapses", 0))


@dataclass(frozen=True)
class Outcome:
    card: fsrs.Card
    reps: int
    lapses: int


def review(
    user: Any, card: fsrs.Card, grade: int, now: datetime, *, reps: int, lapses: int
) -> Outcome:
    """One grade: the card after it (the same rule as the previews, see the module docstring)."""
    new_card = _outcomes(user, card, now, reps=reps, grades=(int(grade),))[int(grade)]
    lapsed = card.state == _REVIEW and grade == fsrs.Rating.Again
    return Outcome(card=new_card, reps=reps + 1, lapses=lapses + int(lapsed))


def memory_after(user: Any, card: fsrs.Card, grade: int, now: datetime) -> fsrs.Card:
    """The card's memory state (stability, difficulty, state, step) after one grade.

    Exactly what ``review`` stores for them, at a fraction of the cost (one fsrs call, no
    interval rules): for simulations (``exam_plan``). Its ``due`` is fsrs' own, right for
    learning steps, not for review intervals (which ``review`` gives).
    """
    now = utc(now)
    given = copy(card)
    if card.last_review is not None:
        given.last_review = now - timedelta(
            days=max(0, study_days_between(user, card.last_review, now))
        )
    outcome = scheduler_for(user).review_card(given, fsrs.Rating(grade), now)[0]
    outcome.last_review = now
    _store_precision(outcome)
    return outcome


def previews(user: Any, card: fsrs.Card, now: datetime, *, reps: int) -> dict[int, datetime]:
    """The due time each of the four grades would give, without saving anything."""
    after = _outcomes(user, card, now, reps=reps, grades=(1, 2, 3, 4))
    return {grade: outcome.due for grade, outcome in after.items()}


def _needed(state: fsrs.State, grades: tuple[int, ...]) -> list[int]:
    """The grades whose outcomes ``grades``' intervals depend on (the button order)."""
    needed = set(grades)
    if state == _REVIEW and max(needed) >= 3:
        needed.update(range(2, max(needed) + 1))  # Good above Hard, Easy above Good
    elif state != _REVIEW and 4 in needed:
        needed.add(3)  # Easy above Good
    return sorted(needed)


def _outcomes(
    user: Any, card: fsrs.Card, now: datetime, *, reps: int, grades: tuple[int, ...]
) -> dict[int, fsrs.Card]:
    """The card after each of ``grades`` at ``now`` (and after those they depend on)."""
    scheduler = scheduler_for(user)
    now = utc(now)
    given = copy(card)
    if card.last_review is not None:
        # fsrs counts whole 24-hour periods since the last review; hand it the study days.
        days = max(0, study_days_between(user, card.last_review, now))
        given.last_review = now - timedelta(days=days)
    after = {
        g: scheduler.review_card(given, fsrs.Rating(g), now)[0] for g in _needed(card.state, grades)
    }
    raw = {grade: _raw_interval(scheduler, outcome) for grade, outcome in after.items()}
    fuzz = _fuzz_factor(card.card_id, reps)
    maximum = scheduler.maximum_interval
    days_after: dict[int, int] = {}
    if card.state == _REVIEW:
        minimum = 1
        for grade in (2, 3, 4):  # each at least a day above the one before
            if grade in raw:
                days_after[grade] = _fuzzed(raw[grade], minimum, maximum, fuzz)
                minimum = days_after[grade] + 1
    elif card.state in _LEARNING_STATES:
        for grade in (1, 2, 3):
            if grade in after and after[grade].state == _REVIEW:  # graduated
                days_after[grade] = _fuzzed(max(1.0, _round(raw[grade])), 1, maximum, fuzz)
        if 4 in raw:
            good = _fuzzed(raw[3], 1, maximum, fuzz)
            days_after[4] = _fuzzed(max(1.0, _round(raw[4])), good + 1, maximum, fuzz)
    for grade, outcome in after.items():
        outcome.last_review = now
        if grade in days_after:
            outcome.due = now + timedelta(days=days_after[grade])
        _store_precision(outcome)
    return after


# Anki's arithmetic --------------------------------------------------------------------------


_F32 = struct.Struct("f")


def _f32(value: float) -> float:
    """The nearest 32-bit float (Anki's FSRS computes in f32)."""
    return float(_F32.unpack(_F32.pack(value))[0])


def _round(value: float) -> float:
    """Rust's ``round``: halves away from zero (Python's round() goes to the even one)."""
    return float(math.floor(abs(value) + 0.5)) * (1.0 if value >= 0 else -1.0)


def _round_places(value: float, places: int) -> float:
    scale = _f32(10.0**places)
    return round(_f32(_f32(_round(_f32(value * scale))) / scale), places)


def _store_precision(card: fsrs.Card) -> None:
    if card.stability is not None:
        card.stability = _round_places(card.stability, 4)
    if card.difficulty is not None:
        card.difficulty = _round_places(card.difficulty, 3)


def _raw_interval(scheduler: fsrs.Scheduler, card: fsrs.Card) -> float:
    """FSRS' interval for the card's new stability, in days, unrounded (in f32, as Anki)."""
    if card.stability is None:
        return 0.0
    factor, target = _interval_terms(scheduler.parameters[20], scheduler.desired_retention)
    return _f32(_f32(_f32(card.stability) / factor) * target)


@functools.lru_cache(maxsize=256)
def _interval_terms(decay_parameter: float, retention: float) -> tuple[float, float]:
    """FSRS' forgetting-curve factor and the retention's term, as f32."""
    decay = _f32(-decay_parameter)
    factor = _f32(_f32(0.9 ** _f32(1.0 / decay)) - 1.0)
    return factor, _f32(_f32(retention ** _f32(1.0 / decay)) - 1.0)


def _fuzz_factor(card_id: int, reps: int) -> float | None:
    if not getattr(settings, "RECALL_FSRS_FUZZ", True):
        return None
    return random.Random(card_id * 1_000_003 + reps).random()  # noqa: S311 - not crypto


# Anki's fuzz ranges: (from, to, share of the days in that range) added to a day either side.
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


def _fuzzed(interval: float, minimum: int, maximum: int, factor: float | None) -> int:
    """The interval in whole days, fuzzed (factor in [0, 1)) within [minimum, maximum]."""
    minimum = max(1, min(minimum, maximum))
    if factor is None:
        return min(max(int(_round(interval)), minimum), maximum)
    interval = min(max(interval, float(minimum)), float(maximum))
    delta = 0.0
    if interval >= 2.5:
        delta = 1.0 + sum(
            share * max(min(interval, end) - start, 0.0) for start, end, share in _FUZZ_RANGES
        )
    lower = min(max(int(_round(interval - delta)), minimum), maximum)
    upper = min(max(int(_round(interval + delta)), minimum), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1  # leave fuzz some room when the minimum squeezed the range
    return math.floor(lower + factor * (1 + upper - lower))


# Study days -----------------------------------------------------------------------------


def rollover_hour(user: Any) -> int:
    hour = user.day_starts_at_hour
    return int(hour) if hour is not None and 0 <= hour <= 23 else 4


def study_day(user: Any, moment: datetime) -> date:
    """The study day a moment belongs to: local date, with the day changing at the rollover."""
    local = moment.astimezone(user_zone(user))
    return (local - timedelta(hours=rollover_hour(user))).date()


def study_days_between(user: Any, earlier: datetime, later: datetime) -> int:
    """How many study days begin after ``earlier`` up to ``later`` (0: the same study day).

    The one rule for elapsed time: the scheduler, the previews and the optimiser's
    training items all count days with it, as Anki does.
    """
    return (study_day(user, later) - study_day(user, earlier)).days


def day_start(user: Any, day: date) -> datetime:
    """The instant (UTC) a study day begins."""
    local = datetime.combine(day, time(rollover_hour(user)), tzinfo=user_zone(user))
    return local.astimezone(UTC)


@dataclass(frozen=True)
class StudyDay:
    day: date
    start: datetime
    end: datetime


def current_day(user: Any, now: datetime) -> StudyDay:
    today = study_day(user, now)
    return StudyDay(
        day=today, start=day_start(user, today), end=day_start(user, today + timedelta(days=1))
    )
