"""Issue 19, item 4: unlisted decks are readable by link only, never found by others' searches.

Runs on the database of the pass: SQLite FTS5 in the SQLite pass, PostgreSQL full-text in
the PostgreSQL pass. Cards reach the index through the real path (signals after commit).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from recall.decks import selectors as deck_selectors
from recall.decks.models import Visibility
from recall.search import receivers
from recall.search.backends import get_backend
from recall.search.backends.elasticsearch import visibility_filter
from tests.factories import DeckFactory, NoteFactory, UserFactory

QUERY = "zebrafinch"
QUESTION = "Where does the zebrafinch nest?"


@pytest.fixture
def backend_of_this_pass(settings, db) -> str:
    settings.SEARCH_BACKEND = "postgres" if connection.vendor == "postgresql" else "sqlite"
    receivers._state.pending = None  # ids a previous test left uncommitted
    return str(settings.SEARCH_BACKEND)


@pytest.fixture
def unlisted(backend_of_this_pass, django_capture_on_commit_callbacks):
    """bob's unlisted deck with one card, indexed as a real save indexes it."""
    owner = UserFactory(username="bob")
    with django_capture_on_commit_callbacks(execute=True):
        deck = DeckFactory(owner=owner, title="Link only", visibility=Visibility.UNLISTED)
        card = NoteFactory(deck=deck, question=QUESTION, answer="In reeds, by the river.")
    return owner, deck, card


def api_hits(user=None) -> set[int]:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    response = client.get("/api/v1/search/", {"q": QUERY})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"])  # not counted either
    return {hit["card_id"] for hit in body["results"]}


def page_text(client) -> str:
    response = client.get("/search/", {"q": QUERY})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_and_other_users_do_not_find_an_unlisted_deck(unlisted, client):
    _owner, deck, card = unlisted
    other = UserFactory(username="mallory")
    assert api_hits(None) == set()
    assert api_hits(other) == set()
    assert card.get_absolute_url() not in page_text(client)
    client.force_login(other)
    assert card.get_absolute_url() not in page_text(client)
    # Still readable by link: the deck's page is open to anyone who has it.
    assert client.get(deck.get_absolute_url()).status_code == 200


def test_the_owner_finds_their_unlisted_deck(unlisted, client):
    owner, _deck, card = unlisted
    assert api_hits(owner) == {card.pk}
    client.force_login(owner)
    assert card.get_absolute_url() in page_text(client)


def test_the_same_deck_made_public_is_found_by_everyone(
    unlisted, client, django_capture_on_commit_callbacks
):
    _owner, deck, card = unlisted
    with django_capture_on_commit_callbacks(execute=True):
        deck.visibility = Visibility.PUBLIC
        deck.save()
    assert api_hits(None) == {card.pk}
    assert api_hits(UserFactory(username="mallory")) == {card.pk}
    assert card.get_absolute_url() in page_text(client)


def test_every_search_path_follows_the_one_listing_rule(unlisted, monkeypatch):
    """Widen decks_listed_for to unlisted decks: the search of this pass, the PostgreSQL
    access lexemes, the Elasticsearch filter and the deck list all follow it."""
    _owner, deck, card = unlisted
    narrow = deck_selectors.decks_listed_for

    def widened(user):
        rule = narrow(user)
        return replace(rule, visibilities=(*rule.visibilities, Visibility.UNLISTED.value))

    monkeypatch.setattr(deck_selectors, "decks_listed_for", widened)
    backend = get_backend()
    if backend.denormalises_decks:
        backend.refresh_decks([deck.pk])  # as the deck_saved signal does on a change
    assert api_hits(None) == {card.pk}
    assert api_hits(UserFactory(username="mallory")) == {card.pk}
    assert visibility_filter(None) == {"terms": {"visibility": ["public", "unlisted"]}}
    listed = APIClient().get("/api/v1/decks/").json()["results"]
    assert [d["id"] for d in listed] == [deck.pk]
