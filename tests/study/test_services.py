"""Grading exactly once, undo, the append-only log and the card_reviewed signal."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from recall.core.exceptions import ApplicationError, ConflictError, NotFoundError
from recall.study import selectors, services
from recall.study.models import CardState, ReviewLog, State
from recall.study.signals import card_reviewed, review_undone
from tests.factories import CardFactory

from .conftest import local

STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def snapshot(card, user):
    return CardState.objects.filter(card=card, user=user).values(*STATE_FIELDS).first()


@pytest.mark.django_db
def test_undo_restores_the_previous_state_exactly_and_removes_the_review(user, cards):
    card = cards[0]
    t0 = local(2026, 3, 2, 9)
    services.card_grade(user=user, card_id=card.pk, grade=3, duration_ms=1, now=t0)
    services.card_grade(
        user=user, card_id=card.pk, grade=3, duration_ms=1, now=t0 + timedelta(minutes=11)
    )
    services.card_grade(
        user=user, card_id=card.pk, grade=4, duration_ms=1, now=t0 + timedelta(days=3)
    )
    before_last = CardState.objects.filter(card=card).values(*STATE_FIELDS).get()
    last = services.card_grade(
        user=user, card_id=card.pk, grade=1, duration_ms=1, now=t0 + timedelta(days=40)
    )
    assert snapshot(card, user)["lapses"] == 1
    version = CardState.objects.get(card=card).version

    result = services.review_undo(user=user, review_id=last.review_id)
    assert result.review_id == last.review_id
    assert snapshot(card, user) == before_last
    assert not ReviewLog.objects.filter(pk=last.review_id).exists()
    assert ReviewLog.objects.filter(user=user).count() == 3
    # The version moves on, so a client still holding the graded version gets a 409.
    assert CardState.objects.get(card=card).version == version + 1


@pytest.mark.django_db
def test_undo_of_a_first_grade_makes_the_card_new_again(user, deck, cards):
    now = local(2026, 3, 2, 9)
    services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=1, now=now)
    result = services.review_undo(user=user)
    assert result.state is None
    assert not CardState.objects.filter(card=cards[0]).exists()
    assert not ReviewLog.objects.exists()
    # It is new again and counts against no daily limit.
    assert [c.pk for c in selectors.study_queue(user=user, deck=deck, now=now)] == [
        c.pk for c in cards[:3]
    ]
    with pytest.raises(NotFoundError, match="no review to undo"):
        services.review_undo(user=user)


@pytest.mark.django_db
def test_undo_of_a_review_that_is_not_the_latest_is_refused(user, cards):
    now = local(2026, 3, 2, 9)
    first = services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=1, now=now)
    services.card_grade(user=user, card_id=cards[1].pk, grade=3, duration_ms=1, now=now)
    with pytest.raises(ConflictError):
        services.review_undo(user=user, review_id=first.review_id)
    assert ReviewLog.objects.count() == 2


@pytest.mark.django_db
def test_a_stale_version_is_refused_with_a_conflict_and_changes_nothing(user, cards):
    card = cards[0]
    now = local(2026, 3, 2, 9)
    result = services.card_grade(
        user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=0, now=now
    )
    assert result.version == 1
    state = snapshot(card, user)
    # The same click arriving twice: both carry the version the queue showed (0).
    with pytest.raises(ConflictError, match="already graded"):
        services.card_grade(
            user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=0, now=now
        )
    assert snapshot(card, user) == state
    assert ReviewLog.objects.count() == 1
    services.card_grade(
        user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=1, now=now
    )
    assert ReviewLog.objects.count() == 2


@pytest.mark.django_db
def test_a_versioned_grade_reads_the_card_and_its_state_in_one_query(
    user, cards, django_assert_num_queries
):
    card = cards[0]
    now = local(2026, 3, 2, 9)
    services.card_grade(  # the day's first grade: creates the day's count row
        user=user, card_id=cards[1].pk, grade=3, duration_ms=1, expected_version=0, now=now
    )
    # A new card: the read, then in the block (a savepoint here) the state's INSERT, with
    # no savepoint of its own, the log's INSERT and the day's count UPDATE.
    with django_assert_num_queries(6):
        services.card_grade(
            user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=0, now=now
        )
    later = now + timedelta(minutes=11)
    # One read (the card, its deck's readability, the user's state), then inside a
    # savepoint (the test's transaction is open) the compare-and-swap UPDATE and the log's
    # INSERT (a learning step: not in the day's new or review counts).
    with django_assert_num_queries(5) as captured:
        result = services.card_grade(
            user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=1, now=later
        )
    assert result.version == 2
    first = captured.captured_queries[0]["sql"]
    assert "decks_deck" in first and "study_cardstate" in first
    # Without a version from the client, the version read stands in: the same statements,
    # and the day's count UPDATE (the card graduated: this grade is a review).
    with django_assert_num_queries(6):
        result = services.card_grade(
            user=user, card_id=card.pk, grade=3, duration_ms=1, now=later + timedelta(minutes=11)
        )
    assert result.version == 3


@pytest.mark.django_db
def test_bad_grades_and_durations_are_refused_clearly(user, cards):
    for bad in (0, 5):
        with pytest.raises(ApplicationError, match="Grade must be"):
            services.card_grade(user=user, card_id=cards[0].pk, grade=bad, duration_ms=1)
    with pytest.raises(ApplicationError, match="negative"):
        services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=-1)
    with pytest.raises(NotFoundError):
        services.card_grade(user=user, card_id=999_999, grade=3, duration_ms=1)
    assert not ReviewLog.objects.exists()


@pytest.mark.django_db
def test_long_answer_times_are_capped(user, cards):
    services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=3_600_000)
    assert ReviewLog.objects.get().duration_ms == services.MAX_DURATION_MS


@pytest.mark.django_db
def test_the_log_is_append_only_and_survives_card_deletion(user, deck, cards):
    services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=1)
    log = ReviewLog.objects.get()
    log.grade = 4
    with pytest.raises(TypeError):
        log.save()
    with pytest.raises(TypeError):
        ReviewLog.objects.filter(pk=log.pk).update(grade=4)
    cards[0].delete()
    log.refresh_from_db()
    assert log.card_id is None and log.grade == 3
    deck.delete()
    assert ReviewLog.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_card_reviewed_is_sent_after_commit_and_makes_cached_stats_stale(
    user, cards, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    card_reviewed.connect(listener, dispatch_uid="test-listener")
    review_undone.connect(listener, dispatch_uid="test-listener-undo")
    try:
        stale = selectors.study_stats(user)
        assert stale["today"]["reviews"] == 0
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = services.card_grade(user=user, card_id=cards[0].pk, grade=3, duration_ms=5)
        # Nothing is announced before the transaction commits.
        assert received == []
        assert selectors.study_stats(user)["today"]["reviews"] == 0
        for callback in callbacks:
            callback()
        assert received[0]["review_id"] == result.review_id
        assert received[0]["grade"] == 3 and received[0]["user_id"] == user.pk
        assert selectors.study_stats(user)["today"]["reviews"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.review_undo(user=user)
        assert received[1]["review_id"] == result.review_id
        assert selectors.study_stats(user)["today"]["reviews"] == 0
    finally:
        card_reviewed.disconnect(dispatch_uid="test-listener")
        review_undone.disconnect(dispatch_uid="test-listener-undo")


def _race(user, card_id, expected_version):
    """Two threads grade the same card at the same instant; return what each got."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            services.card_grade(
                user=user,
                card_id=card_id,
                grade=3,
                duration_ms=1,
                expected_version=expected_version,
            )
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append("conflict: " + exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.fixture
def slow_scheduling(monkeypatch):
    """Hold each grade inside its transaction a while, so the two requests surely overlap."""
    from recall.study import scheduling

    real = scheduling.review

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "review", slow)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_grades_of_a_card_apply_exactly_once(slow_scheduling):
    from tests.factories import DeckFactory, UserFactory

    user: Any = UserFactory(username="racer")
    deck = DeckFactory(owner=user)
    card: Any = CardFactory(deck=deck)
    # A new card: both INSERT its state; the unique constraint lets one through.
    for attempt in range(3):
        outcomes = _race(user, card.pk, expected_version=attempt)
        assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"], outcomes
        assert any("already graded" in o for o in outcomes)
        state = CardState.objects.get(user=user, card=card)
        # The existing row: the second UPDATE waits for the first, then sees the new version.
        assert state.version == attempt + 1
        assert state.reps == attempt + 1
        assert ReviewLog.objects.filter(user=user, card=card).count() == attempt + 1
    assert CardState.objects.get(user=user, card=card).state in {State.LEARNING, State.REVIEW}
    # Without a version from the client, the version read before the lock stands in.
    outcomes = _race(user, card.pk, expected_version=None)
    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"], outcomes
    assert ReviewLog.objects.filter(user=user, card=card).count() == 4
