"""Issue 19, item 5: spelling corrections never reveal words of decks the user cannot search.

PostgreSQL only (the SQLite backend makes no corrections). "quagmirezeta" is closest to
"quagmirezebra", a word of bob's private card, then to "quagmirezebras" of alice's public
card; both stem to the same lexeme, so a correction to the private word would find the
public card and be shown.
"""

from __future__ import annotations

import pytest
from django.db import connection

from recall.decks import services
from recall.decks.models import Visibility
from recall.search import receivers
from recall.search.selectors import search_cards
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.postgres

TYPO = "quagmirezeta"
PRIVATE_WORD = "quagmirezebra"
PUBLIC_WORD = "quagmirezebras"


@pytest.fixture
def decks(settings, db, django_capture_on_commit_callbacks):
    settings.SEARCH_BACKEND = "postgres"
    receivers._state.pending = None  # ids a previous test left uncommitted
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    with django_capture_on_commit_callbacks(execute=True):
        public = DeckFactory(owner=alice, visibility=Visibility.PUBLIC)
        NoteFactory(deck=public, question="Which herds graze here?", answer=f"{PUBLIC_WORD}.")
        private = DeckFactory(owner=bob, visibility=Visibility.PRIVATE)
        NoteFactory(deck=private, question="Diary", answer=f"My {PRIVATE_WORD} password hint.")
    return alice, bob, public, private


def correction(user) -> str:
    return search_cards(user=user, query=TYPO).corrected_query


def vocabulary_has(word: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_deck_word WHERE word = %s", [word])
        return bool(cursor.fetchone()[0])


def test_a_word_of_another_users_private_card_is_never_suggested(decks):
    alice, bob, _public, _private = decks
    for user in (alice, None, UserFactory(username="carol")):
        assert correction(user) == PUBLIC_WORD
    # Its owner gets their own word: the vocabulary is there, only filtered.
    assert correction(bob) == PRIVATE_WORD


def test_the_word_leaves_the_vocabulary_with_its_deck(decks, django_capture_on_commit_callbacks):
    _alice, bob, _public, private = decks
    assert vocabulary_has(PRIVATE_WORD)
    with django_capture_on_commit_callbacks(execute=True):
        services.deck_delete(deck=private)
    assert not vocabulary_has(PRIVATE_WORD)
    assert correction(bob) == PUBLIC_WORD


def test_the_word_leaves_the_vocabulary_with_its_card(decks, django_capture_on_commit_callbacks):
    _alice, _bob, _public, private = decks
    keep = NoteFactory(deck=private, question="Shopping", answer="Milk and bread.")
    with django_capture_on_commit_callbacks(execute=True):
        private.notes.exclude(pk=keep.pk).get().delete()
    assert not vocabulary_has(PRIVATE_WORD)
    assert vocabulary_has("bread")  # the deck's other words stay


def test_an_edited_card_loses_its_old_words(decks, django_capture_on_commit_callbacks):
    _alice, _bob, _public, private = decks
    card = private.notes.get()
    with django_capture_on_commit_callbacks(execute=True):
        card.answer = "Nothing to see."
        card.save()
    assert not vocabulary_has(PRIVATE_WORD)


def test_a_deck_made_private_stops_feeding_others_corrections(
    decks, django_capture_on_commit_callbacks
):
    alice, _bob, public, _private = decks
    carol = UserFactory(username="carol")
    assert correction(carol) == PUBLIC_WORD
    with django_capture_on_commit_callbacks(execute=True):
        services.deck_update(deck=public, visibility=Visibility.PRIVATE)
    assert correction(carol) == ""
    assert correction(alice) == PUBLIC_WORD  # still the owner's own word
