"""An exam plan's cards of the day come into the study queue after the regular ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recall.study import exams, scheduling, selectors, services
from recall.study.models import CardState

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 9)


def _ids(cards) -> list[int]:
    return [card.pk for card in cards]


def test_without_an_exam_the_queue_is_unchanged(user, deck, cards):
    queue = selectors.study_queue(user=user, deck=deck, now=NOW)
    assert [c.queue for c in queue] == ["new"] * 3
    assert selectors.queue_counts(user=user, deck=deck, now=NOW).exam == 0


def test_planned_new_cards_beyond_the_daily_limit_follow_the_regular_ones(
    user, deck, cards, no_fuzz
):
    today = scheduling.study_day(user, NOW)
    # 8 new cards, exam in 3 days: learned over the first 2 days, 4 today. The deck's own
    # limit serves 3 of them; the plan adds the fourth.
    exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=3), now=NOW)
    queue = selectors.study_queue(user=user, deck=deck, now=NOW)
    assert _ids(queue) == _ids(cards[:4])
    assert [c.queue for c in queue] == ["new", "new", "new", "exam"]
    counts = selectors.queue_counts(user=user, deck=deck, now=NOW)
    assert (counts.new, counts.exam, counts.total) == (3, 1, 4)
    # All decks: the same.
    assert _ids(selectors.study_queue(user=user, now=NOW)) == _ids(cards[:4])
    # One card at a time: the regular ones first.
    first, session_counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert _ids(first) == [cards[0].pk] and session_counts == counts


def test_grading_the_planned_card_takes_it_off_and_suspended_ones_stay_off(
    user, deck, cards, no_fuzz
):
    today = scheduling.study_day(user, NOW)
    exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=3), now=NOW)
    for card in cards[:3]:  # the regular new cards, graded
        services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=1, now=NOW)
    queue, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=5)
    assert [(c.pk, c.queue) for c in queue] == [(cards[3].pk, "exam")]
    assert counts.exam == 1 and counts.total == 1
    services.card_grade(user=user, card_id=cards[3].pk, grade=4, duration_ms=1, now=NOW)
    assert CardState.objects.get(user=user, card=cards[3]).state == 2
    queue, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=5)
    assert queue == [] and counts.total == 0

    # Tomorrow the other four are planned; one suspended stays out.
    tomorrow = NOW + timedelta(days=1)
    cards[5].suspended = True
    cards[5].save()
    queue = selectors.study_queue(user=user, deck=deck, now=tomorrow)
    assert cards[5].pk not in _ids(queue)
    assert {cards[4].pk, cards[6].pk, cards[7].pk} <= set(_ids(queue))


def test_deleting_the_exam_empties_its_part_of_the_queue(user, deck, cards, no_fuzz):
    today = scheduling.study_day(user, NOW)
    exam = exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=3), now=NOW)
    assert selectors.queue_counts(user=user, deck=deck, now=NOW).exam == 1
    exams.exam_delete(user=user, exam_id=exam.pk)
    assert selectors.queue_counts(user=user, deck=deck, now=NOW).exam == 0


def test_the_cached_exams_follow_creation_and_a_deleted_deck(
    user, deck, cards, no_fuzz, django_capture_on_commit_callbacks
):
    today = scheduling.study_day(user, NOW)
    assert exams.exam_ids_by_deck(user) == {}  # now cached: no exams
    with django_capture_on_commit_callbacks(execute=True):
        exam = exams.exam_set(user=user, deck_id=deck.pk, day=today + timedelta(days=3), now=NOW)
    assert exams.exam_ids_by_deck(user) == {deck.pk: exam.pk}
    assert selectors.queue_counts(user=user, now=NOW).exam == 1
    with django_capture_on_commit_callbacks(execute=True):
        deck.delete()
    assert exams.exam_ids_by_deck(user) == {}
