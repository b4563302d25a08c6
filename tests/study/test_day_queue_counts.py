"""The counts a study session shows are read off the day queue's lists (issue 15: the full
counting queries ran on every "next card"); they must equal the full queries' counts after
any mix of grades, undo, suspending, burying, sibling burying and lists cut at the chunk."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta
from typing import Any

import pytest

from recall.core.exceptions import ConflictError, NotFoundError
from recall.decks import services as deck_services
from recall.study import queue, selectors, services
from tests.factories import CardFactory, DeckFactory

from .conftest import local, reviews_due

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 10)


# What happens between two looks at the queue, grades the likeliest.
ACTIONS = (
    "grade",
    "grade",
    "grade",
    "undo",
    "suspend",
    "bury",
    "stale tab",
    "new note",
    "new deck",
)


def full_counts(user: Any, deck: Any, when: Any) -> queue.QueueCounts:
    return queue.Plan(user, deck, when).counts()


@pytest.fixture
def world(user):
    """Two decks: plain cards with due reviews, and notes of several cards (siblings)."""
    plain: Any = DeckFactory(owner=user, title="Plain", new_cards_per_day=4, reviews_per_day=3)
    cards = [CardFactory(deck=plain, position=i) for i in range(9)]
    reviews_due(user, plain, cards[5:], NOW)
    notes: Any = DeckFactory(owner=user, title="Notes", new_cards_per_day=5, reviews_per_day=10)
    for n in range(3):
        deck_services.note_create(deck=notes, kind="reversed", question=f"Q{n}", answer=f"A{n}")
    deck_services.note_create(deck=notes, kind="cloze", question="{{c1::a}} {{c2::b}} {{c3::c}}")
    return plain, notes


# (list length, quota listed whole up to): lists longer than a day; cut lists; reviews cut
# while each deck's new cards are listed whole.
@pytest.mark.parametrize(("chunk", "whole"), [(200, 1000), (2, 0), (2, 1000)])
@pytest.mark.parametrize("seed", range(4))
def test_counts_off_the_day_queue_equal_the_full_counts(
    user, world, chunk, whole, seed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", chunk)
    monkeypatch.setattr(queue.day, "_WHOLE_QUOTA", whole)
    rng = random.Random(seed)
    when = NOW
    scopes = [None, *world]
    history: list[Any] = []
    for _ in range(25):
        scope = rng.choice(scopes)
        cards, counts = selectors.study_session(user=user, deck=scope, now=when, limit=1)
        assert counts == full_counts(user, scope, when)
        # Every other scope too: their lists were built before this step's change.
        for other in scopes:
            assert selectors.queue_counts(user=user, deck=other, now=when) == (
                full_counts(user, other, when)
            ), history
        if not cards:
            continue
        card = cards[0]
        action = rng.choice(ACTIONS)
        history.append((action, card.pk, card.queue, scope and scope.pk, when.isoformat()))
        version = card.study_state.version if card.study_state else 0  # type: ignore[attr-defined]
        if action == "new note":  # one deck's list is picked again, the others kept
            target = rng.choice(world)
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.note_create(
                    deck=target, kind=rng.choice(("basic", "reversed")), question="Q?", answer="A."
                )
        elif action == "new deck":  # the review list is kept, the new deck's list picked
            fresh: Any = DeckFactory(owner=user, title=f"Fresh {len(history)}")
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.note_create(deck=fresh, kind="basic", question="New?", answer="A.")
        elif action == "suspend":
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.cards_set_suspended(user=user, card_ids=[card.pk], suspended=True)
        elif action == "bury":
            services.card_bury(user=user, card=card, now=when)
        elif action == "undo":
            with contextlib.suppress(NotFoundError):  # nothing left to undo
                services.review_undo(user=user)
        else:
            services.card_grade(
                user=user,
                card_id=card.pk,
                grade=rng.choice((1, 3, 4)),
                duration_ms=900,
                expected_version=version,
                now=when,
            )
            if action == "stale tab":
                with pytest.raises(ConflictError):
                    services.card_grade(
                        user=user,
                        card_id=card.pk,
                        grade=3,
                        duration_ms=900,
                        expected_version=version,
                        now=when,
                    )
        when += timedelta(minutes=rng.choice((0, 1, 5, 15)))


def test_a_session_counts_without_the_full_queries(user, world, django_assert_max_num_queries):
    for n in range(6):
        more: Any = DeckFactory(owner=user, title=f"More {n}", new_cards_per_day=2)
        CardFactory.create_batch(3, deck=more)
    selectors.study_session(user=user, deck=None, now=NOW, limit=1)  # builds the day queue
    # Quotas, learning, the queue's heads, then the counts: learning, reviews, new cards,
    # whatever the number of decks (the full queries took one per deck: 12 here).
    with django_assert_max_num_queries(8):
        cards, counts = selectors.study_session(user=user, deck=None, now=NOW, limit=1)
    assert cards and counts == full_counts(user, None, NOW)
