"""The bench's cards studied before the run: the load test's backlog is what the queue shows."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _steps.reviewed import add_backlog

from recall.decks.models import Card
from recall.study import selectors
from recall.study.models import CardState, ReviewLog, State
from tests.factories import CardFactory, DeckFactory, UserFactory


def test_a_backlog_is_all_overdue_and_served_at_once_over_a_cached_queue(db):
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    user: Any = UserFactory()
    new_deck = DeckFactory(owner=user, new_cards_per_day=5)
    for position in range(3):
        CardFactory(deck=new_deck, position=position)
    # A queue cached before the backlog arrives: it holds new cards only.
    assert selectors.queue_counts(user=user, now=now).review == 0
    assert {c.queue for c in selectors.study_queue(user=user, now=now)} == {"new"}

    deck_id = add_backlog(user, 40, now, random.Random(1))

    states = CardState.objects.filter(user=user, deck_id=deck_id)
    assert states.count() == Card.objects.filter(deck_id=deck_id).count() == 40
    assert all(s.state == State.REVIEW and s.due < now for s in states)
    assert not ReviewLog.objects.filter(user=user).exists()  # the load test counts every row
    assert selectors.queue_counts(user=user, now=now).review == 40
    queue = selectors.study_queue(user=user, now=now)
    reviews = [c for c in queue if c.queue == "review"]
    assert len(reviews) == 40 and {c.deck_id for c in reviews} == {deck_id}
