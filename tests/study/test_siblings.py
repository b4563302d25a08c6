"""Cards of one note: each studied on its own, siblings buried until the next study day,
and queue counts that equal what the queue then serves (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from recall.decks import services as deck_services
from recall.decks.models import Card
from recall.study import selectors, services
from recall.study.models import CardState, State
from tests.factories import DeckFactory

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(user):
    """A basic note, a reversed note and a cloze note of two numbers (5 cards)."""
    deck: Any = DeckFactory(owner=user, title="Mixed", new_cards_per_day=20, reviews_per_day=100)
    deck_services.note_create(deck=deck, question="What is WSGI?", answer="A sync interface.")
    deck_services.note_create(
        deck=deck, kind="reversed", question="HEAD", answer="the commit checked out"
    )
    deck_services.note_create(
        deck=deck,
        kind="cloze",
        question="{{c1::301}} is permanent, {{c2::302}} temporary; {{c1::browsers}} cache it.",
    )
    return deck


def _grade(user, card, grade, when):
    return services.card_grade(user=user, card_id=card.pk, grade=grade, duration_ms=900, now=when)


def _drain(user, deck, when, grade=4):
    """Study the deck one card at a time (as the study page does), checking at every step
    that the counts shown equal what is served; returns the cards served."""
    served: list[Card] = []
    for _ in range(50):
        cards, counts = selectors.study_session(user=user, deck=deck, now=when, limit=1)
        assert counts == selectors.queue_counts(user=user, deck=deck, now=when)
        if not cards:
            assert counts.total == 0
            return served
        card = cards[0]
        assert getattr(counts, card.queue) >= 1
        served.append(card)
        _grade(user, card, grade, when)
        when += timedelta(seconds=5)
    raise AssertionError("the queue never emptied")


def test_first_day_serves_one_card_per_note_and_counts_them(user, mixed, no_fuzz):
    day1 = local(2026, 3, 2, 9)
    counts = selectors.queue_counts(user=user, deck=mixed, now=day1)
    assert counts.as_dict() == {"learning": 0, "review": 0, "new": 3, "exam": 0, "total": 3}
    served = _drain(user, mixed, day1)
    # Easy graduates each new card at once: each note asked once, by its first card.
    assert [(c.note.kind, c.ordinal) for c in served] == [
        ("basic", 1),
        ("reversed", 1),
        ("cloze", 1),
    ]


def test_siblings_wait_until_the_next_study_day(user, mixed, no_fuzz):
    day1 = local(2026, 3, 2, 9)
    _drain(user, mixed, day1)
    # Later the same study day (before 04:00 the next morning): still buried.
    assert selectors.queue_counts(user=user, deck=mixed, now=local(2026, 3, 3, 3)).total == 0
    day2 = local(2026, 3, 3, 9)
    assert selectors.queue_counts(user=user, deck=mixed, now=day2).new == 2
    served = _drain(user, mixed, day2)
    assert [(c.note.kind, c.ordinal) for c in served] == [("reversed", 2), ("cloze", 2)]
    # Every prompt has now been asked exactly once.
    assert CardState.objects.filter(user=user).count() == Card.objects.count() == 5


def test_two_review_siblings_due_the_same_day_are_asked_one_a_day(user, mixed, no_fuzz):
    note = mixed.notes.get(kind="reversed")
    forward, backward = note.cards.order_by("ordinal")
    day1 = local(2026, 3, 2, 9)
    _grade(user, forward, 4, day1)
    _grade(user, backward, 4, day1 - timedelta(days=1))
    when = max(CardState.objects.filter(card__note=note).values_list("due", flat=True))
    when += timedelta(hours=1)
    reviews = [
        c for c in selectors.study_queue(user=user, deck=mixed, now=when) if c.queue == "review"
    ]
    assert [c.note_id for c in reviews] == [note.pk]
    counts = selectors.queue_counts(user=user, deck=mixed, now=when)
    assert counts.review == 1
    served = [c for c in _drain(user, mixed, when) if c.note_id == note.pk]
    assert len(served) == 1


def test_burying_is_a_deck_option(user, mixed, no_fuzz):
    deck_services.deck_update(deck=mixed, bury_siblings=False)
    day1 = local(2026, 3, 2, 9)
    assert selectors.queue_counts(user=user, deck=mixed, now=day1).new == 5
    assert len(_drain(user, mixed, day1)) == 5


def test_suspended_cards_are_not_studied(user, mixed, no_fuzz):
    first = mixed.notes.get(kind="basic").cards.get()
    deck_services.card_set_flags(card=first, suspended=True)
    served = _drain(user, mixed, local(2026, 3, 2, 9))
    assert first.pk not in [c.pk for c in served]


def test_learning_cards_due_soon_are_counted_when_they_are_what_is_left(user, mixed, no_fuzz):
    day1 = local(2026, 3, 2, 9)
    deck_services.deck_update(deck=mixed, new_cards_per_day=1)
    [card], _ = selectors.study_session(user=user, deck=mixed, now=day1, limit=1)
    _grade(user, card, 1, day1)  # Again: learning, due in a minute or so
    state = CardState.objects.get(card=card)
    assert state.state == State.LEARNING and state.due > day1
    counts = selectors.queue_counts(user=user, deck=mixed, now=day1)
    cards, _ = selectors.study_session(user=user, deck=mixed, now=day1, limit=1)
    # Nothing else is left, so the card due soon is shown early: and it is counted.
    assert [c.pk for c in cards] == [card.pk]
    assert counts.as_dict() == {"learning": 1, "review": 0, "new": 0, "exam": 0, "total": 1}
