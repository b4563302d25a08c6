"""Issue 19, item 10: a deck made private leaves its readers' cached statistics at once.

The statistics are cached per user for ten minutes; a deck's title and counts used to stay
in a reader's stats for that long after its owner made it private (or deleted it).
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from recall.decks import services as deck_services
from recall.decks.models import Visibility
from recall.study import services as study_services
from tests.factories import CardFactory, DeckFactory, UserFactory

TITLE = "Alice's plans for the merger"
URL = "/api/v1/study/stats/"


@pytest.fixture
def studied(db):
    """alice's public deck, one card of which bob has studied; bob's stats are cached."""
    alice: Any = UserFactory(username="alice")
    bob: Any = UserFactory(username="bob")
    deck = DeckFactory(owner=alice, title=TITLE, visibility=Visibility.PUBLIC)
    card = CardFactory(deck=deck)
    CardFactory(deck=deck)
    study_services.card_grade(user=bob, card_id=card.pk, grade=3, duration_ms=1000)
    client = APIClient()
    client.force_authenticate(bob)
    assert deck_titles(client) == [TITLE]  # now cached
    return deck, client


def deck_titles(client: APIClient) -> list[str]:
    response = client.get(URL)
    assert response.status_code == 200
    return [d["title"] for d in response.json()["decks"]]


def test_a_deck_made_private_leaves_readers_cached_stats(
    studied, django_capture_on_commit_callbacks
):
    deck, client = studied
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.deck_update(deck=deck, visibility=Visibility.PRIVATE)
    assert deck_titles(client) == []
    assert TITLE not in client.get(URL).content.decode()


def test_a_deleted_deck_leaves_readers_cached_stats(studied, django_capture_on_commit_callbacks):
    deck, client = studied
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.deck_delete(deck=deck)
    assert deck_titles(client) == []


def test_other_deck_edits_keep_the_cache(studied, django_capture_on_commit_callbacks):
    """Only a change of who may read the deck drops the cache (the cache still works)."""
    deck, client = studied
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.deck_update(deck=deck, description="Now with a description.")
    # A card added behind the cache's back is not counted yet: the cached stats were served.
    CardFactory(deck=deck)
    counts = client.get(URL).json()["decks"][0]
    assert counts["total"] == 2
