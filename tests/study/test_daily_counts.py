"""Today's per-deck counts (DailyReviewCount) always equal counting the review log.

The queue's daily limits read one DailyReviewCount row per deck; these tests compare what
``queue.deck_quotas`` gives with counting the log directly, through grades, undos, a
non-UTC day rollover, a change of time zone mid-day and a grade dated later.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count, Q

from recall.study import queue, scheduling, services
from recall.study.models import DailyReviewCount, ReviewLog, State
from tests.factories import CardFactory, DeckFactory

from .conftest import local


def from_log(user: Any, now: Any) -> dict[int, tuple[int, int]]:
    """(new, reviews) per deck since the study day began, counted in the log."""
    start = scheduling.current_day(user, now).start
    rows = (
        ReviewLog.objects.filter(user=user, reviewed_at__gte=start, deck__isnull=False)
        .values("deck_id")
        .annotate(
            new=Count("id", filter=Q(state_before=State.NEW)),
            reviews=Count("id", filter=Q(state_before=State.REVIEW)),
        )
    )
    counts = {row["deck_id"]: (row["new"], row["reviews"]) for row in rows}
    return {deck_id: done for deck_id, done in counts.items() if done != (0, 0)}


def quotas(user: Any, now: Any) -> dict[int, tuple[int, int]]:
    """(new, reviews) per deck as the queue sees them (limits minus what is left)."""
    start = scheduling.current_day(user, now).start
    out = {}
    for quota in queue.deck_quotas(user, None, start):
        done = (quota.new_per_day - quota.new_left, quota.reviews_per_day - quota.reviews_left)
        if done != (0, 0):
            out[quota.pk] = done
    return out


def grade(user: Any, card: Any, g: int, when: Any) -> Any:
    return services.card_grade(user=user, card_id=card.pk, grade=g, duration_ms=1, now=when)


@pytest.fixture
def two_decks(user):
    decks = [
        DeckFactory(owner=user, title=t, new_cards_per_day=50, reviews_per_day=50) for t in "ab"
    ]
    return {deck.pk: [CardFactory(deck=deck, position=i) for i in range(6)] for deck in decks}


@pytest.mark.django_db
def test_counts_follow_grades_and_undos_across_the_rollover(user, two_decks, no_fuzz):
    # 02:00-05:00 New York: the study day changes at 04:00 local (08:00 or 09:00 UTC).
    moments = [local(2026, 3, 2, 23, 30) + timedelta(minutes=37 * i) for i in range(10)]
    cards = [card for deck_cards in two_decks.values() for card in deck_cards]
    for i, when in enumerate(moments):
        card = cards[i % len(cards)]
        grade(user, card, 4 if i % 3 else 3, when)  # Easy: review state at once
        if i % 4 == 3:
            services.review_undo(user=user)
        assert quotas(user, when) == from_log(user, when), when
    # A new card's first grade counts as new, a review card's next grade as a review.
    later = local(2026, 3, 30, 12)
    for card in cards[:3] + cards[8:10]:
        grade(user, card, 3, later)
        assert quotas(user, later) == from_log(user, later)
    assert sum(r for _, r in from_log(user, later).values()) > 0
    for _ in range(3):
        services.review_undo(user=user)
        assert quotas(user, later) == from_log(user, later)
    # Undoing a first grade takes it off "new" again.
    assert DailyReviewCount.objects.filter(user=user).exclude(new_cards__gte=0).count() == 0


@pytest.mark.django_db
def test_a_time_zone_change_mid_day_or_a_later_grade_falls_back_to_the_log(user, two_decks):
    cards = next(iter(two_decks.values()))
    morning = local(2026, 3, 2, 9)
    for card in cards[:3]:
        grade(user, card, 3, morning)
    # Tokyo's study day began long before New York's: the rows are keyed by New York's.
    user.time_zone = "Asia/Tokyo"
    user.save()
    assert quotas(user, morning) == from_log(user, morning)
    grade(user, cards[3], 3, morning + timedelta(minutes=5))
    assert quotas(user, morning) == from_log(user, morning)
    services.review_undo(user=user)
    assert quotas(user, morning) == from_log(user, morning)
    # Back to New York, then a grade dated in a later study day: still what the log says.
    user.time_zone = "America/New_York"
    user.save()
    assert quotas(user, morning) == from_log(user, morning)
    grade(user, cards[4], 3, morning + timedelta(days=2))
    assert quotas(user, morning) == from_log(user, morning)
    services.review_undo(user=user)
    assert quotas(user, morning) == from_log(user, morning)


@pytest.mark.django_db
def test_counts_of_today_are_one_row_per_deck(user, two_decks, django_assert_num_queries):
    when = local(2026, 3, 2, 10)
    for deck_cards in two_decks.values():
        for card in deck_cards[:2]:
            grade(user, card, 3, when)
    start = scheduling.current_day(user, when).start
    rows = DailyReviewCount.objects.filter(user=user, day_start=start)
    assert sorted(r.new_cards for r in rows) == [2, 2]
    queue.deck_quotas(user, None, start)  # the first call reads the scope (cached)
    with django_assert_num_queries(1):  # no fallback: one statement reads the quotas
        queue.deck_quotas(user, None, start)
