"""Fixtures of the study tests: a user in New York with a deck of cards."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from recall.study.models import CardState, State
from tests.factories import CardFactory, DeckFactory, UserFactory

NY = ZoneInfo("America/New_York")


@pytest.fixture
def user(db):
    return UserFactory(username="ada", time_zone="America/New_York", day_starts_at_hour=4)


@pytest.fixture
def deck(user):
    return DeckFactory(owner=user, title="Django", new_cards_per_day=3, reviews_per_day=5)


@pytest.fixture
def cards(deck):
    return [CardFactory(deck=deck, position=i) for i in range(8)]


@pytest.fixture
def no_fuzz(settings):
    settings.RECALL_FSRS_FUZZ = False


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A New York wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def reviews_due(user: Any, deck: Any, cards: list[Any], now: datetime) -> None:
    """The cards as reviews of the user, due one, two, three… hours before ``now``."""
    CardState.objects.bulk_create(
        CardState(
            user=user,
            card=card,
            deck=deck,
            state=State.REVIEW,
            stability=5.0,
            difficulty=5.0,
            due=now - timedelta(hours=i + 1),
            last_review=now - timedelta(days=5),
            reps=3,
            version=3,
        )
        for i, card in enumerate(cards)
    )


def learning_past_today(user: Any, card: Any, now: datetime) -> None:
    """The card in learning since the day before ``now``, its step ending two days after:
    not due today, so it holds back no sibling until it is graded again."""
    CardState.objects.create(
        user=user,
        card=card,
        deck=card.deck,
        state=State.LEARNING,
        step=1,
        stability=1.0,
        difficulty=5.0,
        due=now + timedelta(days=2),
        last_review=now - timedelta(days=1),
        reps=1,
        version=1,
    )
