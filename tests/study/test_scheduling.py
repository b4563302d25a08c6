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


class _User:
    """The fields scheduling reads from a user (no database needed)."""

    time_zone = "America/New_York"
    day_starts_at_hour = 4
    desired_retention = 0.9
    fsrs_parameters: list[float] = []


def _review_card(card_id: int, stability: float, last_review) -> fsrs.Card:
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State.Review,
        stability=stability,
        difficulty=5.0,
        due=last_review.astimezone(UTC),
        last_review=last_review.astimezone(UTC),
    )


def _days(previews, now):
    return [(previews[g] - now.astimezone(UTC)) / timedelta(days=1) for g in (1, 2, 3, 4)]


def test_elapsed_time_is_counted_in_study_days_not_24_hour_periods(no_fuzz):
    last = local(2026, 3, 2, 12)
    card = _review_card(1, 12.0, last)
    # 08:00 twelve days later is the twelfth study day after 12:00, as 12:00 is.
    morning, noon = local(2026, 3, 14, 8), local(2026, 3, 14, 12)
    assert scheduling.study_days_between(_User, last, morning) == 12
    assert _days(scheduling.previews(_User, card, morning, reps=3), morning) == _days(
        scheduling.previews(_User, card, noon, reps=3), noon
    )
    # 03:00 still belongs to the day before: one study day fewer, shorter intervals.
    night = local(2026, 3, 14, 3)
    assert scheduling.study_days_between(_User, last, night) == 11
    assert _days(scheduling.previews(_User, card, night, reps=3), night) < _days(
        scheduling.previews(_User, card, noon, reps=3), noon
    )
    # A learning step at 23:00 and the next at 05:00 are a study day apart, not "same day".
    learning = fsrs.Card(
        card_id=2, state=fsrs.State.Learning, step=1, stability=2.3, difficulty=2.1
    )
    learning.last_review = local(2026, 3, 2, 23).astimezone(UTC)
    early, late = local(2026, 3, 3, 5), local(2026, 3, 3, 23)
    assert scheduling.study_days_between(_User, learning.last_review, early) == 1
    assert (
        _days(scheduling.previews(_User, learning, early, reps=2), early)[2:]
        == _days(scheduling.previews(_User, learning, late, reps=2), late)[2:]
    )


def test_review_buttons_are_a_day_apart_at_least_where_fsrs_gives_the_same_interval(no_fuzz):
    last = local(2026, 3, 2, 9)
    card = _review_card(3, 0.4, last)
    now = local(2026, 3, 2, 15)  # the same study day
    library = fsrs.Scheduler(enable_fuzzing=False)
    plain = {
        r: (library.review_card(card, r, now.astimezone(UTC))[0].due - now) / timedelta(days=1)
        for r in (fsrs.Rating.Hard, fsrs.Rating.Good)
    }
    assert plain[fsrs.Rating.Hard] == plain[fsrs.Rating.Good]  # fsrs alone: the same day
    again, hard, good, easy = _days(scheduling.previews(_User, card, now, reps=3), now)
    assert again < 1 <= hard < good < easy
    assert good == hard + 1 and easy == good + 1


def test_fuzz_is_anki_s_range_and_keeps_the_buttons_in_order(settings):
    settings.RECALL_FSRS_FUZZ = True
    last = local(2026, 3, 2, 9)
    now = local(2026, 3, 12, 9)
    goods = set()
    for card_id in range(1, 150):
        card = _review_card(card_id, 10.0, last)
        fuzzed = _days(scheduling.previews(_User, card, now, reps=4), now)
        assert fuzzed == _days(scheduling.previews(_User, card, now, reps=4), now)
        again, hard, good, easy = fuzzed
        assert again < 1 <= hard < good < easy
        goods.add(good)
    settings.RECALL_FSRS_FUZZ = False
    plain = _days(scheduling.previews(_User, _review_card(1, 10.0, last), now, reps=4), now)[2]
    # Anki's range around a 7-20 day interval: 1 + 0.15 * 4.5 + 0.1 * (days - 7) either side.
    spread = 1 + 0.15 * 4.5 + 0.1 * (plain - 7)
    assert min(goods) >= round(plain - spread) and max(goods) <= round(plain + spread)
    assert len(goods) >= 3  # it really spreads


@pytest.mark.django_db
def test_one_study_day_rule_for_the_scheduler_previews_and_optimiser(user, cards, monkeypatch):
    from .history import START, simulate

    simulate(user, cards, start=START, days=40, seed=3)
    card = cards[0]
    now = START + timedelta(days=60)
    before_previews = selectors.grade_previews(user=user, card=card, now=now)
    before_items = services.training_items(user)
    assert before_items
    # Change the rule (every review on the same day) and every caller follows it.
    monkeypatch.setattr(scheduling, "study_days_between", lambda user, earlier, later: 0)
    assert selectors.grade_previews(user=user, card=card, now=now) != before_previews
    assert services.training_items(user) == []


@pytest.mark.django_db
def test_a_card_scheduled_before_keeps_its_log_and_its_next_grade_counts_study_days(
    user, cards, no_fuzz
):
    card = cards[0]
    # As the former scheduler left it: full-precision memory state, last reviewed at 12:00.
    last = local(2026, 3, 2, 12)
    earlier = scheduling.snapshot(_review_card(card.pk, 11.123456789, last), reps=4, lapses=0)
    CardState.objects.create(
        user=user,
        card=card,
        deck_id=card.deck_id,
        state=State.REVIEW,
        stability=11.123456789,
        difficulty=5.987654321,
        due=last + timedelta(days=11),
        last_review=last,
        reps=4,
        version=4,
    )
    ReviewLog.objects.create(
        user=user,
        card=card,
        deck_id=card.deck_id,
        grade=3,
        reviewed_at=last,
        state_before=State.REVIEW,
        state_after=State.REVIEW,
        card_before=earlier,
        card_after=earlier,
    )
    history = list(ReviewLog.objects.filter(user=user).values())
    state = CardState.objects.get(user=user, card=card)
    # At 08:00 the next day: one study day, as at 12:00 (24-hour periods: none, "same day").
    morning, noon = local(2026, 3, 3, 8), local(2026, 3, 3, 12)
    at_noon = _days(scheduling.previews(user, scheduling.to_fsrs_card(state), noon, reps=4), noon)
    result = services.card_grade(user=user, card_id=card.pk, grade=3, duration_ms=1, now=morning)
    assert (result.due - morning) / timedelta(days=1) == at_noon[2]
    assert list(ReviewLog.objects.filter(user=user).exclude(pk=result.review_id).values()) == (
        history
    )
    state.refresh_from_db()
    assert state.stability is not None and state.stability == round(state.stability, 4)
