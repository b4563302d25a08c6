"""Burying and suspending a card: out of the queue and its counts, a buried one until the
user's next study day (SQLite and PostgreSQL: the day queue checks the same rule by id)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recall.core.exceptions import NotFoundError
from recall.decks import services as deck_services
from recall.study import selectors, services
from tests.factories import UserFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def _queue(user, deck, when):
    # The next card (from the day queue) is the whole queue's first; the counts agree.
    cards, counts = selectors.study_session(user=user, deck=deck, now=when, limit=1)
    assert counts == selectors.queue_counts(user=user, deck=deck, now=when)
    queue = [c.pk for c in selectors.study_queue(user=user, deck=deck, now=when)]
    assert [c.pk for c in cards] == queue[:1]
    return queue, counts


def test_buried_new_card_leaves_the_queue_until_the_next_study_day(user, deck, cards, no_fuzz):
    when = local(2026, 3, 2, 22)  # the study day ends at 4:00 tomorrow (New York)
    before, counts = _queue(user, deck, when)
    assert before[0] == cards[0].pk and counts.new == 3
    services.card_bury(user=user, card=cards[0], now=when)
    cards[0].refresh_from_db()
    assert cards[0].buried_until == local(2026, 3, 3, 4)
    after, counts = _queue(user, deck, when)
    assert cards[0].pk not in after and after[0] == cards[1].pk and counts.new == 3
    # Still buried at 3:59, back once the next study day begins.
    assert cards[0].pk not in _queue(user, deck, local(2026, 3, 3, 3, 59))[0]
    assert _queue(user, deck, local(2026, 3, 3, 4, 1))[0][0] == cards[0].pk


def test_buried_and_suspended_due_cards_leave_the_queue_and_counts(user, deck, cards, no_fuzz):
    day1 = local(2026, 3, 2, 9)
    for card in cards[:3]:
        services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=500, now=day1)
    later = day1 + timedelta(days=60)
    due, counts = _queue(user, deck, later)
    assert set(cards[i].pk for i in range(3)) <= set(due) and counts.review == 3
    services.card_bury(user=user, card=cards[0], now=later)
    deck_services.card_set_flags(card=cards[1], suspended=True)
    due, counts = _queue(user, deck, later)
    assert cards[0].pk not in due and cards[1].pk not in due and counts.review == 1
    # Unburying brings it straight back.
    services.card_bury(user=user, card=cards[0], buried=False, now=later)
    assert _queue(user, deck, later)[1].review == 2


def test_only_the_owner_buries(user, deck, cards):
    with pytest.raises(NotFoundError):
        services.card_bury(user=UserFactory(), card=cards[0])
    cards[0].refresh_from_db()
    assert cards[0].buried_until is None
