"""The bridge to the ``fsrs`` library: schedulers per user, Card conversion, study days.

FSRS itself is never reimplemented here; every interval comes from
``fsrs.Scheduler.review_card``.

Fuzz: fsrs adds a random "fuzz" to review intervals so cards learnt together spread
out. The library draws it from ``random.random``; we hand it a generator seeded by the
card and its review count instead, so the interval previewed on the grade buttons is
exactly the one the grade then applies (as Anki does). ``RECALL_FSRS_FUZZ = False``
turns fuzz off altogether.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import fsrs
import fsrs.scheduler as _fsrs_scheduler
from django.conf import settings

from .models import CardState

_fuzz_rng: ContextVar[random.Random | None] = ContextVar("recall_fsrs_fuzz_rng", default=None)
_library_random = getattr(_fsrs_scheduler, "random", random.random)


def _seeded_random() -> float:
    rng = _fuzz_rng.get()
    return rng.random() if rng is not None else _library_random()


# The library binds ``random`` at import time (``from random import random``); swapping that
# one name is the only hook it offers. A ContextVar keeps concurrent requests independent.
if hasattr(_fsrs_scheduler, "random"):
    _fsrs_scheduler.random = _seeded_random  # type: ignore[attr-defined]


@contextlib.contextmanager
def seeded_fuzz(card_id: int, reps: int) -> Iterator[None]:
    token = _fuzz_rng.set(random.Random(card_id * 1_000_003 + reps))  # noqa: S311 - not crypto
    try:
        yield
    finally:
        _fuzz_rng.reset(token)


def scheduler_for(user: Any) -> fsrs.Scheduler:
    """A Scheduler with the user's fitted parameters (or the defaults) and retention."""
    retention = float(user.desired_retention or getattr(settings, "RECALL_DEFAULT_RETENTION", 0.9))
    fuzz = bool(getattr(settings, "RECALL_FSRS_FUZZ", True))
    try:
        parameters = tuple(float(p) for p in user.fsrs_parameters or ())
    except (TypeError, ValueError):
        parameters = ()  # unusable stored parameters: the defaults, as fsrs' refusal gives
    return _scheduler(parameters, retention, fuzz)


# Building a Scheduler validates its parameters and precomputes; a grade needs one every
# time. review_card never changes the scheduler, so one per (parameters, retention, fuzz)
# can be shared by every request (and thread).
@functools.lru_cache(maxsize=256)
def _scheduler(parameters: tuple[float, ...], retention: float, fuzz: bool) -> fsrs.Scheduler:
    kwargs: dict[str, Any] = {"desired_retention": retention, "enable_fuzzing": fuzz}
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
    scheduler: fsrs.Scheduler,
    card: fsrs.Card,
    grade: int,
    now: datetime,
    *,
    reps: int,
    lapses: int,
) -> Outcome:
    """One grade through fsrs, with the deterministic fuzz of this card and review."""
    with seeded_fuzz(card.card_id, reps):
        new_card, _log = scheduler.review_card(card, fsrs.Rating(grade), utc(now))
    lapsed = card.state == fsrs.State.Review and grade == fsrs.Rating.Again
    return Outcome(card=new_card, reps=reps + 1, lapses=lapses + int(lapsed))


def previews(
    scheduler: fsrs.Scheduler, card: fsrs.Card, now: datetime, *, reps: int
) -> dict[int, datetime]:
    """The due time each of the four grades would give, without saving anything."""
    out: dict[int, datetime] = {}
    for rating in fsrs.Rating:
        copy = fsrs.Card.from_dict(card.to_dict())
        with seeded_fuzz(card.card_id, reps):
            new_card, _log = scheduler.review_card(copy, rating, utc(now))
        out[int(rating)] = new_card.due
    return out


# Study days -----------------------------------------------------------------------------


def user_zone(user: Any) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def rollover_hour(user: Any) -> int:
    hour = user.day_starts_at_hour
    return int(hour) if hour is not None and 0 <= hour <= 23 else 4


def study_day(user: Any, moment: datetime) -> date:
    """The study day a moment belongs to: local date, with the day changing at the rollover."""
    local = moment.astimezone(user_zone(user))
    return (local - timedelta(hours=rollover_hour(user))).date()


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
