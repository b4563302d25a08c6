"""Mock interview draws and timing: weak cards first, one card per note, overtime marked."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from recall.decks import services as deck_services
from recall.interview import selectors, services
from recall.study.models import CardState, State
from tests.factories import UserFactory

from .conftest import import_flagship

pytestmark = pytest.mark.django_db


def _state(user, card, *, stability: float, lapses: int, days_ago: int) -> None:
    now = timezone.now()
    CardState.objects.create(
        user=user,
        card=card,
        deck_id=card.deck_id,
        state=State.REVIEW,
        stability=stability,
        difficulty=5.0,
        due=now + timedelta(days=1),
        last_review=now - timedelta(days=days_ago),
        reps=5,
        lapses=lapses,
    )


def test_weak_cards_are_drawn_more_often_than_strong_ones():
    user: Any = UserFactory(username="weak")
    deck = deck_services.deck_create(owner=user, title="Weights")
    cards = []
    for i in range(6):
        note = deck_services.note_create(deck=deck, question=f"Q{i}?", answer=f"A{i} answer.")
        cards.append(note.cards.get())
    weak, *strong = cards
    _state(user, weak, stability=1.0, lapses=6, days_ago=30)  # mostly forgotten, many lapses
    for card in strong:
        _state(user, card, stability=400.0, lapses=0, days_ago=1)
    rng = random.Random(7)
    drawn = Counter(
        selectors.weak_cards_draw(user=user, decks=[deck], count=1, rng=rng)[0].pk
        for _ in range(300)
    )
    # Uniform would give the weak card 1 in 6 (50 of 300); its weight is ~4x the others'.
    assert drawn[weak.pk] > 120
    assert selectors.card_weight(0.1, 6) > selectors.card_weight(0.99, 0)


def test_a_draw_asks_each_note_once_and_skips_suspended_cards():
    user: Any = UserFactory(username="once")
    deck = deck_services.deck_create(owner=user, title="Reversed")
    for i in range(3):
        deck_services.note_create(deck=deck, question=f"Q{i}?", answer=f"A{i}", kind="reversed")
    suspended = deck_services.note_create(deck=deck, question="Hidden?", answer="Hidden.")
    suspended.cards.update(suspended=True)
    for seed in range(10):
        chosen = selectors.weak_cards_draw(
            user=user, decks=[deck], count=10, rng=random.Random(seed)
        )
        assert len(chosen) == 3
        assert len({card.note_id for card in chosen}) == 3
        assert suspended.pk not in {card.note_id for card in chosen}


def test_an_answer_after_the_time_limit_is_scored_and_marked_overtime(monkeypatch):
    monkeypatch.setenv("RECALL_SEMANTIC", "0")
    user: Any = UserFactory(username="slow")
    deck = deck_services.deck_create(owner=user, title="Timed")
    deck_services.note_create(deck=deck, question="What is beat?", answer="Beat schedules tasks.")
    session = services.session_start(user=user, count=1, time_limit_seconds=30)
    question = selectors.question_current(session)
    assert question is not None
    start = timezone.now()
    services.question_show(question=question, now=start)
    answered = services.question_answer(
        session=session,
        position=1,
        answer="Beat schedules tasks.",
        now=start + timedelta(seconds=60),
    )
    assert answered.overtime is True
    assert answered.score == 100
    assert answered.duration_ms == 60_000


def test_session_limits_are_checked():
    user: Any = UserFactory(username="limits")
    with pytest.raises(services.ApplicationError, match="1 to 50"):
        services.session_start(user=user, count=0)
    with pytest.raises(services.ApplicationError, match="time limit"):
        services.session_start(user=user, count=3, time_limit_seconds=5)


def test_an_answer_is_scored_against_its_card_question(lexical):
    user = UserFactory()
    deck = import_flagship(user)
    card = deck.cards.get(question__startswith="what is a migration")
    echo = "A migration is when you migrate your data from MySQL to PostgreSQL."
    scored = services.answer_score(user=user, card_id=card.pk, answer=echo)
    # "migration" is the question's word: it counts for nothing.
    assert scored.points[0].similarity == 0
    assert scored.suggested_grade == 1
