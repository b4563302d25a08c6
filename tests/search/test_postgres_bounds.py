"""PostgreSQL: access lexemes filter in the GIN index; the ranking window bounds the work."""

from __future__ import annotations

from typing import cast

import pytest
from django.db import connection
from rest_framework.test import APIClient

from recall.accounts.models import User
from recall.decks.models import Visibility
from recall.search.backends.postgres import OWNER_LEXEME, SHARED_LEXEME, TABLE
from recall.search.selectors import search_cards
from tests.factories import DeckFactory, NoteFactory, UserFactory

from .conftest import use_backend

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(settings, db):
    return use_backend("postgres", settings)


def access_lexemes(card_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.lexeme FROM {TABLE} s, unnest(s.document) u "
            "WHERE s.card_id = %s AND starts_with(u.lexeme, %s) ORDER BY 1",
            [card_id, SHARED_LEXEME[0]],
        )
        return [row[0] for row in cursor.fetchall()]


def test_documents_carry_who_may_read_them(indexed, pg):
    alice = indexed.alice
    public_card = indexed.cards["select_related"]  # alice's public "django" deck
    private_card = indexed.cards["init"]  # alice's private "python" deck
    assert access_lexemes(public_card.pk) == [f"{OWNER_LEXEME}{alice.pk}", SHARED_LEXEME]
    assert access_lexemes(private_card.pk) == [f"{OWNER_LEXEME}{alice.pk}"]
    # Unlisted decks are found by their owner only: no shared lexeme either.
    indexed.python.visibility = Visibility.UNLISTED
    indexed.python.save()
    pg.refresh_decks([indexed.python.pk])
    assert access_lexemes(private_card.pk) == [f"{OWNER_LEXEME}{alice.pk}"]


def row_version(card_id: int) -> str:
    """The document row's ctid: an UPDATE moves it, so it tells whether the row was written."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ctid::text FROM {TABLE} WHERE card_id = %s", [card_id])
        return cursor.fetchone()[0]


def test_refresh_rewrites_only_documents_whose_access_changed(indexed, pg):
    deck = indexed.python
    init = indexed.cards["init"]
    before = row_version(init.pk)
    pg.refresh_decks([deck.pk])  # nothing changed: no row is written
    assert row_version(init.pk) == before
    deck.visibility = Visibility.PUBLIC
    deck.owner = indexed.bob
    deck.save()
    pg.refresh_decks([deck.pk])
    assert row_version(init.pk) != before
    assert access_lexemes(init.pk) == [f"{OWNER_LEXEME}{indexed.bob.pk}", SHARED_LEXEME]
    # The words are untouched: still found, now under the new owner.
    assert init.pk in {h.card_id for h in search_cards(user=indexed.bob, query="__init__").hits}


def test_stale_access_lexemes_never_show_a_private_card(indexed, pg):
    """The index says "shared" but the deck went private: the SQL filter still rules."""
    secret = indexed.cards["secret"]
    indexed.secrets.visibility = Visibility.PUBLIC
    indexed.secrets.save()
    pg.refresh_decks([indexed.secrets.pk])
    indexed.secrets.visibility = Visibility.PRIVATE
    indexed.secrets.save()  # no refresh: the documents still say "shared"
    assert SHARED_LEXEME in access_lexemes(secret.pk)
    results = search_cards(user=indexed.alice, query="select_related")
    assert secret.pk not in {h.card_id for h in results.hits}
    assert results.total == len(results.hits)


def test_ranking_window_caps_the_total_and_says_so(pg, settings):
    owner = cast(User, UserFactory())
    owner_deck = DeckFactory(owner=owner, visibility=Visibility.PUBLIC)
    strong = [
        NoteFactory(deck=owner_deck, question=f"Window {i} window window", answer="x")
        for i in range(3)
    ]
    weak = [NoteFactory(deck=owner_deck, question=f"Note {i}", answer="window") for i in range(5)]
    pg.rebuild()
    settings.SEARCH_RANK_WINDOW = 100
    everything = search_cards(user=owner, query="window", page_size=20)
    assert (everything.total, everything.total_exact) == (8, True)
    # Question (weight A) matches rank above answer-only (weight B) ones.
    assert {h.card_id for h in everything.hits[:3]} == {c.pk for c in strong}
    settings.SEARCH_RANK_WINDOW = 4
    capped = search_cards(user=owner, query="window", page_size=20)
    assert (capped.total, capped.total_exact) == (4, False)
    # No more hits than the total says, best first, from the matching cards.
    assert len(capped.hits) == 4
    scores = [h.score for h in capped.hits]
    assert scores == sorted(scores, reverse=True)
    assert {h.card_id for h in capped.hits} <= {c.pk for c in strong + weak}
    # The API and the page say the total is a lower bound.
    client = APIClient()
    client.force_authenticate(owner)
    body = client.get("/api/v1/search/", {"q": "window"}).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (4, False, 4)
    client.force_login(owner)
    page = client.get("/search/", {"q": "window"}).content.decode()
    assert "More than 4 cards found" in page and "Add a word to narrow" in page
    # A page past the window is empty, with the same lower bound.
    beyond = search_cards(user=owner, query="window", page=3, page_size=2)
    assert beyond.hits == [] and (beyond.total, beyond.total_exact) == (4, False)


def test_a_hit_whose_card_was_just_deleted_is_dropped_not_broken(indexed, pg):
    card = indexed.cards["asgi"]
    card_id = card.pk
    card.delete()  # its index removal runs after commit, which a test never reaches
    results = search_cards(user=indexed.alice, query="asgi.py")
    assert card_id not in {h.card_id for h in results.hits}


@pytest.mark.django_db(transaction=True)
def test_search_outside_a_transaction_needs_no_savepoint(settings):
    use_backend("postgres", settings)
    deck = DeckFactory(visibility=Visibility.PUBLIC)
    card = NoteFactory(deck=deck, question="Autocommit question", answer="x")  # indexed on commit
    assert not connection.in_atomic_block
    results = search_cards(user=None, query="autocommit")
    assert [h.card_id for h in results.hits] == [card.pk]
    assert results.hits[0].deck_slug == deck.slug


def test_reindexing_an_unchanged_card_writes_nothing(indexed, pg, monkeypatch):
    """No new row version, and no vocabulary recomputation for its deck."""
    card = indexed.cards["init"]
    before = row_version(card.pk)
    pruned: list[set[int]] = []
    monkeypatch.setattr(pg, "prune_vocabulary", lambda decks: pruned.append(set(decks)))
    pg.index([card.pk])
    assert row_version(card.pk) == before and pruned == [set()]
    card.answer = "Changed."
    card.save()
    pg.index([card.pk])
    assert row_version(card.pk) != before and pruned[-1] == {card.deck_id}
