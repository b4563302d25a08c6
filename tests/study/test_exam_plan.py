"""Exam plans: following the plan (Good on each planned day) brings every card of the deck
to the target recall on the exam day, as fsrs' own retrievability computes it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from recall.study import exam_plan, exams, scheduling, services
from recall.study.models import CardState, Exam, ReviewLog
from tests.factories import CardFactory

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 9)  # a Monday morning in New York; study day 2026-03-02


def _grade_good_until_review(user, card_id: int, day: date) -> None:
    """What the user does on a planned day: Good, then Good at each learning step."""
    at = scheduling.day_start(user, day) + exam_plan.REVIEW_HOUR
    for _ in range(exam_plan.MAX_STEPS):
        state = CardState.objects.filter(user=user, card_id=card_id).first()
        if state is not None:
            if state.state == 2 and state.last_review and state.last_review >= at:
                return
            if state.state != 2:
                at = max(at, state.due)
        services.card_grade(user=user, card_id=card_id, grade=3, duration_ms=1000, now=at)
        if CardState.objects.get(user=user, card_id=card_id).state == 2:
            return


@pytest.fixture
def history(user, deck):
    """Twelve cards: four new, eight with histories (some weak, some strong) before NOW."""
    cards: list[Any] = [CardFactory(deck=deck, position=i) for i in range(12)]
    start = NOW - timedelta(days=40)
    for i, card in enumerate(cards[4:]):
        at = start + timedelta(days=i)
        for grade in [3, 3] if i % 2 else [1, 3, 3]:  # a second step, or an Again first
            state = CardState.objects.filter(user=user, card=card).first()
            if state is not None and state.state != 2:
                at = max(at, state.due)
            services.card_grade(user=user, card_id=card.pk, grade=grade, duration_ms=1, now=at)
        if i % 3 == 0:  # a lapse some days later: low stability
            at = at + timedelta(days=6)
            services.card_grade(user=user, card_id=card.pk, grade=1, duration_ms=1, now=at)
            state = CardState.objects.get(user=user, card=card)
            services.card_grade(user=user, card_id=card.pk, grade=3, duration_ms=1, now=state.due)
    return cards


def _recall_on_exam(user, exam_day: date) -> dict[int, float]:
    scheduler = scheduling.scheduler_for(user)
    at = scheduling.utc(scheduling.day_start(user, exam_day) + exam_plan.REVIEW_HOUR)
    return {
        s.card_id: scheduler.get_card_retrievability(scheduling.to_fsrs_card(s), at)
        for s in CardState.objects.filter(user=user)
    }


@pytest.mark.parametrize(("days", "target"), [(14, 0.9), (30, 0.95), (5, 0.85)])
def test_following_the_plan_brings_every_card_to_the_target(
    user, deck, history, no_fuzz, days, target
):
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(
        user=user,
        deck_id=deck.pk,
        day=today + timedelta(days=days),
        target_retention=target,
        now=NOW,
    )
    plan = exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    assert plan.total_cards == 12 and plan.unreachable == 0
    # Without the plan, the new cards and some started ones would miss the target.
    before = _recall_on_exam(user, exam.date)
    assert len(before) == 8 and min(before.values()) < target
    assert all(card.days for card in plan.cards if card.card_id not in before)
    assert sum(plan.per_day.values()) == plan.reviews > 0
    assert all(today <= day < exam.date for card in plan.cards for day in card.days)

    for day in plan.days:
        for card_id in plan.cards_on(day):
            _grade_good_until_review(user, card_id, day)

    after = _recall_on_exam(user, exam.date)
    assert set(after) == {card.pk for card in history}
    assert all(r >= target for r in after.values()), after
    # The plan predicted exactly that recall (it runs the same grade and fsrs' formula).
    predicted = {card.card_id: card.recall for card in plan.cards}
    for card_id, value in after.items():
        assert value >= predicted[card_id] - 1e-9


def test_the_last_reviews_are_spread_over_their_windows(user, deck, no_fuzz):
    for i in range(30):
        CardFactory(deck=deck, position=i)
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=20), now=NOW)
    plan = exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    busy = [day for day, n in plan.per_day.items() if n]
    # 30 new cards over 20 days: learned over the first half, reviewed on many days, and no
    # day carries everything.
    assert len(busy) >= 8
    assert max(plan.per_day.values()) < 30
    learn_days = sorted(card.days[0] for card in plan.cards)
    assert learn_days[0] == today and learn_days[-1] < today + timedelta(days=10)


def test_a_card_already_strong_enough_needs_nothing(user, deck, no_fuzz):
    card = CardFactory(deck=deck)
    for days_ago, grade in ((200, 4), (190, 4), (150, 4), (60, 3)):
        at = NOW - timedelta(days=days_ago)
        services.card_grade(user=user, card_id=card.pk, grade=grade, duration_ms=1, now=at)
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=3), now=NOW)
    assert _recall_on_exam(user, exam.date)[card.pk] >= 0.9
    plan = exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    assert plan.cards[0].days == () and plan.ready == 1 and plan.reviews == 0
    # The same card with a target above its predicted recall gets one review.
    exam = exams.exam_set(user=user, deck_id=deck.pk, day=exam.date, target_retention=0.99, now=NOW)
    plan = exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    assert len(plan.cards[0].days) >= 1 and plan.ready == 0


def test_an_exam_tomorrow_with_a_high_target_reports_unreachable_cards(user, deck, no_fuzz):
    CardFactory(deck=deck)
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(
        user=user, deck_id=deck.pk, day=today + timedelta(days=1), target_retention=0.99, now=NOW
    )
    plan = exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    assert plan.unreachable == 1
    assert plan.cards[0].days == (today,)  # still learned today: the best it can do


def test_planning_writes_nothing(user, deck, history, no_fuzz):
    states = list(CardState.objects.values_list("card_id", "version", "due", "stability"))
    logs = ReviewLog.objects.count()
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=9), now=NOW)
    exam_plan.plan_exam(user=user, exam=exam, now=NOW)
    assert list(CardState.objects.values_list("card_id", "version", "due", "stability")) == states
    assert ReviewLog.objects.count() == logs
    assert Exam.objects.count() == 1


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_memory_after_is_the_memory_a_real_grade_stores(user, grade):
    """The plan's shortcut (one fsrs call) gives the state ``scheduling.review`` gives."""
    card = scheduling.new_fsrs_card(7, NOW)
    at = NOW
    for step, g in enumerate((3, 3, grade, 3, grade)):
        full = scheduling.review(user, card, g, at, reps=step, lapses=0).card
        short = scheduling.memory_after(user, card, g, at)
        assert (short.state, short.step, short.stability, short.difficulty) == (
            full.state,
            full.step,
            full.stability,
            full.difficulty,
        )
        assert short.last_review == full.last_review
        if full.state != 2:  # learning steps: the same due too
            assert short.due == full.due
        card = full
        at = max(at + timedelta(minutes=10), full.due) + timedelta(days=step)
