"""Grades go through the fsrs library: our card states equal what fsrs computes itself."""

from __future__ import annotations

from datetime import UTC, timedelta

import fsrs
import pytest
import time_machine

from recall.study import scheduling, selectors, services
from recall.study.models import CardState, ReviewLog, State

from .conftest import local

# (hours after the previous grade, grade): learning steps, graduation, reviews, a lapse.
SEQUENCE = [(0, 1), (0.05, 3), (0.2, 3), (30, 3), (24 * 9, 2), (24 * 20, 1), (0.5, 3), (24 * 3, 4)]


def _fsrs_after(state, grade, moment, scheduler, user):
    """What fsrs itself gives from the stored state, told the study days since the last review."""
    card = scheduling.to_fsrs_card(state) if state else scheduling.new_fsrs_card(0, moment)
    if card.last_review is not None:
        days = scheduling.study_days_between(user, card.last_review, moment)
        card.last_review = moment - timedelta(days=days)
    return scheduler.review_card(card, fsrs.Rating(grade), moment)[0]


@pytest.mark.django_db
def test_states_follow_what_fsrs_computes_through_a_sequence_of_grades(user, cards, no_fuzz):
    user.desired_retention = 0.85
    user.save()
    card = cards[0]
    moment = local(2026, 3, 2, 9).astimezone(UTC)
    expected_scheduler = fsrs.Scheduler(desired_retention=0.85, enable_fuzzing=False)
    states_seen = []
    state = None
    for hours, grade in SEQUENCE:
        moment = moment + timedelta(hours=hours)
        expected = _fsrs_after(state, grade, moment, expected_scheduler, user)
        with time_machine.travel(moment, tick=False):
            result = services.card_grade(user=user, card_id=card.pk, grade=grade, duration_ms=4000)
        state = CardState.objects.get(user=user, card=card)
        assert state.state == int(expected.state)
        assert state.step == expected.step
        assert state.last_review == moment
        # fsrs' memory state, stored as Anki stores it: stability to 4 places, difficulty to 3.
        assert state.stability == pytest.approx(expected.stability, abs=5e-5)
        assert state.difficulty == pytest.approx(expected.difficulty, abs=5e-4)
        assert state.stability == round(expected.stability, 4)
        assert state.difficulty == round(expected.difficulty, 3)
        # This sequence's intervals are fsrs' own (no button order to enforce on the grade).
        assert state.due == expected.due
        assert result.due == expected.due
        states_seen.append(State(state.state))
    # The sequence really went through every state, and the Again in review was a lapse.
    assert states_seen[:3] == [State.LEARNING, State.LEARNING, State.REVIEW]
    assert State.RELEARNING in states_seen
    assert state is not None
    assert state.reps == len(SEQUENCE)
    assert state.lapses == 1
    assert ReviewLog.objects.filter(user=user, card=card).count() == len(SEQUENCE)


@pytest.mark.django_db
def test_fitted_parameters_drive_the_schedule(user, cards, no_fuzz):
    params = list(fsrs.Scheduler().parameters)
    params[2] = 4.0  # initial stability after Good
    user.fsrs_parameters = params
    user.save()
    now = local(2026, 3, 2, 9)
    with time_machine.travel(now, tick=False):
        services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=1)
    assert CardState.objects.get(card=cards[0]).stability == pytest.approx(4.0)


@pytest.mark.django_db
def test_previews_are_exactly_what_each_grade_then_does_even_with_fuzz(user, cards, settings):
    settings.RECALL_FSRS_FUZZ = True
    card = cards[0]
    moment = local(2026, 3, 2, 9)
    services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=1, now=moment)
    state = CardState.objects.get(card=card)
    assert state.state == State.REVIEW
    # Long review intervals are fuzzed: previews must still predict the grade's outcome.
    moment = state.due + timedelta(days=3)
    card.refresh_from_db()
    previews = selectors.grade_previews(user=user, card=card, now=moment)
    assert previews == selectors.grade_previews(user=user, card=card, now=moment)
    unfuzzed = fsrs.Scheduler(enable_fuzzing=False)
    plain = {
        g: unfuzzed.review_card(
            scheduling.to_fsrs_card(state), fsrs.Rating(g), moment.astimezone(UTC)
        )[0].due
        for g in (3, 4)
    }
    result = services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=1, now=moment)
    assert result.due == previews[4]
    # Fuzz moves a long interval by a few days at most, never the grade's order.
    for grade in (3, 4):
        assert abs(previews[grade] - plain[grade]) <= timedelta(
            days=0.1 * (plain[grade] - moment).days + 1
        )
    assert previews[1] < previews[2] < previews[3] < previews[4]


@pytest.mark.django_db
def test_editing_a_card_answer_keeps_its_schedule(user, cards):
    from recall.decks import services as deck_services

    card = cards[0]
    services.card_grade(
        user=user, card_id=card.pk, grade=4, duration_ms=1, now=local(2026, 3, 2, 9)
    )
    before = CardState.objects.values().get(card=card)
    if hasattr(deck_services, "card_update"):
        deck_services.card_update(card=card, answer="A new, better answer.")
    else:  # pragma: no cover - the decks service is the agreed interface
        card.answer = "A new, better answer."
        card.save()
    card.refresh_from_db()
    assert card.answer == "A new, better answer."
    assert CardState.objects.values().get(card=card) == before


def test_study_day_changes_at_the_rollover_hour_in_the_users_zone():
    class U:
        time_zone = "America/New_York"
        day_starts_at_hour = 4

    assert scheduling.study_day(U, local(2026, 3, 2, 3, 59)).isoformat() == "2026-03-01"
    assert scheduling.study_day(U, local(2026, 3, 2, 4, 0)).isoformat() == "2026-03-02"
    day = scheduling.current_day(U, local(2026, 3, 2, 12))
    assert day.start == local(2026, 3, 2, 4)
    assert day.end == local(2026, 3, 3, 4)
    U.time_zone = "Not/AZone"
    assert scheduling.user_zone(U).key == "UTC"
