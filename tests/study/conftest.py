"""Fixtures of the study tests: a user in New York with a deck of cards."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

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
