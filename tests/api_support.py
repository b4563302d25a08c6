"""Fixtures of the API tests: clients, users with tokens, and decks of each visibility.

Registered for the whole suite by ``pytest_plugins`` in tests/conftest.py, as the API tests
live in their apps' folders; ``token_client`` and ``error_of`` are imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from recall.accounts.tokens import api_token_create
from recall.decks.models import Card, Deck, Note, Visibility
from tests.factories import DeckFactory, NoteFactory, TagFactory, UserFactory


@dataclass
class Seeded:
    owner: Any
    other: Any
    decks: dict[str, Deck]
    notes: dict[str, Note]
    cards: dict[str, Card]  # the first card of each note


def token_client(user: Any) -> APIClient:
    """A client that authenticates like a script does: with an API token header."""
    _, key = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def other():
    return UserFactory(username="other")


@pytest.fixture
def owner_client(owner) -> APIClient:
    return token_client(owner)


@pytest.fixture
def other_client(other) -> APIClient:
    return token_client(other)


@pytest.fixture
def seeded(owner, other) -> Seeded:
    """One deck per visibility, owned by `owner`, each with a note whose question is unique."""
    tag = TagFactory(owner=owner, name="django")
    decks: dict[str, Any] = {}
    notes: dict[str, Any] = {}
    cards: dict[str, Any] = {}
    for visibility in Visibility.values:
        deck = DeckFactory(
            owner=owner,
            title=f"{visibility} deck",
            slug=f"{visibility}-deck",
            visibility=visibility,
        )
        note = NoteFactory(deck=deck, question=f"Secret-{visibility}-question-7f3a?")
        note.tags.add(tag)
        decks[visibility], notes[visibility] = deck, note
        cards[visibility] = note.cards.get()
    return Seeded(owner=owner, other=other, decks=decks, notes=notes, cards=cards)


def error_of(response: Any) -> dict[str, Any]:
    """The single error shape every API error has."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]
