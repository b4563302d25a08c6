"""Exam dates: the reviews that bring every card of a deck to a target recall on a given day.

For each live card of the deck the user's memory of it is simulated forward with the memory
states a real grade stores (``scheduling.memory_after``: fsrs with the user's parameters,
study days, Anki's precision), grading Good on each planned day, and its predicted recall
on the exam day is fsrs' own ``Scheduler.get_card_retrievability``. Per card:

1. A new card is learned on a day of the first half of the time left (new cards spread
   evenly, in deck order, counting those first studied today); a card in (re)learning is
   finished on the day it is due.
2. While a single review on the day before the exam would not lift the card to the target,
   the card is reviewed on the last day its recall is still at the target (the rule fsrs
   schedules by, with the target as desired retention), building stability.
3. Then, unless its recall on the exam day already reaches the target without it, one last
   review, anywhere from the earliest day that is enough to the day before the exam
   (a later review never gives a lower recall: monotone, so a binary search finds it).

The last reviews are then spread: each goes, narrowest window first, to the day of its
window with the fewest reviews planned (the latest of equals). Cards that cannot reach the
target in the time left are planned as well as they can be and counted as ``unreachable``.

The plan is computed from the current card states, never stored: after each grade (an
Again too) it is computed again. ``cached_plan`` keeps it until the user's statistics
version changes (every grade and undo, imports and edits) or the study day turns.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import fsrs
from django.core.cache import cache

from recall.decks.models import Card

from . import scheduling
from .models import CardState, Exam, ReviewLog, State

MIN_TARGET = 0.7
MAX_TARGET = 0.99
# Reviews are simulated at this time after the study day starts (noon with the default 4 am):
# within a day, only learning steps depend on the hour.
REVIEW_HOUR = timedelta(hours=8)
# Learning steps a card goes through on one day (fsrs' defaults have two) and reviews one
# card can get before the exam (a month of daily reviews): bounds on the simulation.
MAX_STEPS = 8
MAX_REVIEWS = 40
PLAN_CACHE_SECONDS = 3600
_REVIEW = fsrs.State.Review


@dataclass(frozen=True)
class PlannedCard:
    card_id: int
    days: tuple[date, ...]  # the study days it is planned for, in order
    recall: float  # predicted recall on the exam day after those reviews (fsrs)
    reachable: bool  # whether ``recall`` reaches the target


@dataclass
class ExamPlanResult:
    exam_id: int
    deck_id: int
    exam_day: date
    today: date
    target: float
    total_cards: int = 0
    cards: list[PlannedCard] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        """Every study day from today to the day before the exam."""
        return [self.today + timedelta(days=i) for i in range(max(0, self.days_left))]

    @property
    def days_left(self) -> int:
        return (self.exam_day - self.today).days

    @property
    def per_day(self) -> dict[date, int]:
        counts = dict.fromkeys(self.days, 0)
        for card in self.cards:
            for day in card.days:
                counts[day] = counts.get(day, 0) + 1
        return counts

    @property
    def reviews(self) -> int:
        return sum(len(card.days) for card in self.cards)

    @property
    def unreachable(self) -> int:
        return sum(1 for card in self.cards if not card.reachable)

    @property
    def ready(self) -> int:
        """Cards already at the target on the exam day with no review at all."""
        return sum(1 for card in self.cards if card.reachable and not card.days)

    def cards_on(self, day: date) -> list[int]:
        return [card.card_id for card in self.cards if day in card.days]


@dataclass
class _Memory:
    """A card as the simulation goes: fsrs' card and its last review's study day."""

    card: fsrs.Card
    day: date | None


class _Simulator:
    def __init__(self, user: Any, exam: Exam, today: date) -> None:
        self.user = user
        self.today = today
        self.exam_day = exam.date
        self.target = float(exam.target_retention)
        self.scheduler = scheduling.scheduler_for(user)
        self._moments: dict[date, datetime] = {}

    def moment(self, day: date) -> datetime:
        at = self._moments.get(day)
        if at is None:
            at = self._moments[day] = scheduling.day_start(self.user, day) + REVIEW_HOUR
        return at

    def recall(self, memory: _Memory, on: date) -> float:
        """fsrs' retrievability of the card on day ``on`` (elapsed time in study days)."""
        if memory.day is None or memory.card.stability is None:
            return 0.0
        at = scheduling.utc(self.moment(on))
        shifted = copy(memory.card)
        shifted.last_review = at - timedelta(days=max(0, (on - memory.day).days))
        return float(self.scheduler.get_card_retrievability(shifted, at))

    def study(self, memory: _Memory, day: date) -> _Memory:
        """Good on ``day``, then Good at each learning step, until the card is in review.

        The memory states are those a real grade stores (``scheduling.memory_after``).
        """
        card = memory.card
        at = self.moment(day)
        for _ in range(MAX_STEPS):
            if card.state != _REVIEW:
                at = max(at, card.due)
            card = scheduling.memory_after(self.user, card, 3, at)
            if card.state == _REVIEW:
                break
        reviewed = day if at == self.moment(day) else scheduling.study_day(self.user, at)
        return _Memory(card, reviewed)

    def exam_recall_after(self, memory: _Memory, day: date) -> float:
        return self.recall(self.study(memory, day), self.exam_day)


def _first_true(lo: int, hi: int, test: Callable[[int], bool]) -> int:
    """The least i in [lo, hi] with test(i), test being monotone (False... True); hi + 1 if none."""
    return lo + bisect_left(range(lo, hi + 1), True, key=test)


def _enough_from(sim: _Simulator, memory: _Memory, first: date, span: int) -> int:
    """Days after ``first`` of the earliest review that alone brings the card to the target."""

    def enough(i: int) -> bool:
        return sim.exam_recall_after(memory, first + timedelta(days=i)) >= sim.target

    return _first_true(0, span, enough)


def _falls_below(sim: _Simulator, memory: _Memory, first: date, span: int) -> int:
    """Days after ``first`` of the first day the card's recall is below the target."""

    def below(i: int) -> bool:
        return sim.recall(memory, first + timedelta(days=i)) < sim.target

    return _first_true(0, span, below)


@dataclass
class _CardPlan:
    card_id: int
    memory: _Memory
    days: list[date]
    window: tuple[date, date] | None = None  # the last review's possible days
    reachable: bool = True


def _plan_card(sim: _Simulator, card_id: int, memory: _Memory, learn_day: date | None) -> _CardPlan:
    last = sim.exam_day - timedelta(days=1)
    plan = _CardPlan(card_id, memory, [])
    if learn_day is not None or memory.card.state != _REVIEW:
        # New: learned on its day; (re)learning: finished on the day it is due.
        day = learn_day or max(sim.today, scheduling.study_day(sim.user, memory.card.due))
        if day > last:
            plan.reachable = False
            return plan
        plan.memory = sim.study(memory, day)
        plan.days.append(day)
    for _ in range(MAX_REVIEWS):
        memory = plan.memory
        if sim.recall(memory, sim.exam_day) >= sim.target:
            return plan
        assert memory.day is not None  # every card here was studied once
        first = max(sim.today, memory.day + timedelta(days=1))
        if first > last:
            break
        span = (last - first).days
        if sim.exam_recall_after(memory, last) >= sim.target:
            plan.window = (first + timedelta(days=_enough_from(sim, memory, first, span)), last)
            return plan
        # Not enough yet: review when recall falls to the target (fsrs' own rule), then again.
        falls = _falls_below(sim, memory, first, span)
        day = first + timedelta(days=max(0, falls - 1))
        if day >= last:
            day = last
        plan.memory = sim.study(memory, day)
        plan.days.append(day)
    plan.reachable = sim.recall(plan.memory, sim.exam_day) >= sim.target
    return plan


def _learn_days(today: date, exam_day: date, count: int, learned_today: int) -> list[date]:
    """Days to learn ``count`` new cards: evenly over the first half of the time left.

    The cards first studied today take the first places, so that learning some of today's
    cards does not bring more of them to today when the plan is computed again.
    """
    span = max(1, math.ceil((exam_day - today).days / 2))
    total = max(1, count + learned_today)
    return [today + timedelta(days=((learned_today + i) * span) // total) for i in range(count)]


def _spread(plans: list[_CardPlan], sim: _Simulator) -> None:
    """Put each last review on the least loaded day of its window (narrowest windows first)."""
    load: dict[date, int] = {}
    for plan in plans:
        for day in plan.days:
            load[day] = load.get(day, 0) + 1
    flexible = [p for p in plans if p.window is not None]
    flexible.sort(key=lambda p: (p.window[1] - p.window[0]).days if p.window else 0)
    for plan in flexible:
        assert plan.window is not None  # filtered above
        start, end = plan.window
        window = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        day = min(reversed(window), key=lambda d: load.get(d, 0))
        load[day] = load.get(day, 0) + 1
        plan.memory = sim.study(plan.memory, day)
        plan.days.append(day)
        plan.reachable = sim.recall(plan.memory, sim.exam_day) >= sim.target


def plan_exam(*, user: Any, exam: Exam, now: datetime) -> ExamPlanResult:
    """The plan of ``exam`` from the user's card states at ``now`` (see the module docstring)."""
    today = scheduling.study_day(user, now)
    result = ExamPlanResult(
        exam_id=exam.pk,
        deck_id=exam.deck_id,
        exam_day=exam.date,
        today=today,
        target=float(exam.target_retention),
    )
    if exam.date <= today:
        return result
    cards = list(
        Card.objects.filter(deck_id=exam.deck_id, is_archived=False, suspended=False)
        .order_by("position", "ordinal", "id")
        .values_list("id", flat=True)
    )
    states = {
        s.card_id: s for s in CardState.objects.filter(user=user, card_id__in=cards).iterator()
    }
    sim = _Simulator(user, exam, today)
    new_ids = [pk for pk in cards if pk not in states]
    learned_today = (
        ReviewLog.objects.filter(
            user=user,
            deck_id=exam.deck_id,
            state_before=State.NEW,
            reviewed_at__gte=scheduling.day_start(user, today),
        )
        .values("card_id")
        .distinct()
        .count()
    )
    days = _learn_days(today, exam.date, len(new_ids), learned_today)
    learn_day = dict(zip(new_ids, days, strict=True))
    plans: list[_CardPlan] = []
    for pk in cards:
        state = states.get(pk)
        if state is None:
            memory = _Memory(scheduling.new_fsrs_card(pk, now), None)
        else:
            last = state.last_review
            memory = _Memory(
                scheduling.to_fsrs_card(state), scheduling.study_day(user, last) if last else None
            )
        plans.append(_plan_card(sim, pk, memory, learn_day.get(pk)))
    _spread(plans, sim)
    result.total_cards = len(cards)
    result.cards = [
        PlannedCard(
            card_id=p.card_id,
            days=tuple(p.days),
            recall=sim.recall(p.memory, exam.date),
            reachable=p.reachable,
        )
        for p in plans
    ]
    return result


def cached_plan(*, user: Any, exam: Exam, now: datetime, version: int) -> ExamPlanResult:
    """``plan_exam``, kept until ``version`` (the user's statistics version) or the day changes."""
    today = scheduling.study_day(user, now)
    stamp = exam.updated_at.timestamp() if exam.updated_at else 0
    key = f"study:exam-plan:{exam.pk}:{stamp}:{today.isoformat()}:v{version}"
    plan = cache.get(key)
    if plan is None:
        plan = plan_exam(user=user, exam=exam, now=now)
        cache.set(key, plan, PLAN_CACHE_SECONDS)
    return plan  # type: ignore[no-any-return]
