"""Visibility: hits come only from decks the user may read; archived cards never appear."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from recall.decks.models import Visibility
from recall.search.selectors import search_cards

# Words of bob's private card, alone and combined, including its code token.
SECRET_QUERIES = ["select_related", "private note", "bob", "signals middleware", "select*"]


@pytest.mark.parametrize("query", SECRET_QUERIES)
def test_private_card_of_another_user_never_appears(indexed, query):
    secret = indexed.cards["secret"]
    for user in (indexed.alice, AnonymousUser(), None):
        for page in (1, 2):
            results = search_cards(user=user, query=query, page=page, page_size=1)
            assert secret.pk not in {h.card_id for h in results.hits}
        # Not counted either: the total is of readable cards only.
        total = search_cards(user=user, query=query, page_size=200).total
        assert total == len(search_cards(user=user, query=query, page_size=200).hits)
    # Its owner finds it.
    assert secret.pk in {h.card_id for h in search_cards(user=indexed.bob, query=query).hits}


def test_private_deck_filter_by_slug_does_not_leak(indexed):
    results = search_cards(user=indexed.alice, query="select_related", deck_slug="secrets")
    assert results.total == 0 and results.hits == []
    results = search_cards(user=indexed.alice, query="select_related deck:secrets")
    assert results.total == 0


def test_anonymous_users_search_public_decks_only(indexed):
    found = {h.card_id for h in search_cards(user=AnonymousUser(), query="instance").hits}
    assert found == set()  # both "instance" cards are in alice's private python deck
    found = {h.card_id for h in search_cards(user=AnonymousUser(), query="asgi.py").hits}
    assert found == {indexed.cards["asgi"].pk}


def test_unlisted_decks_are_found_by_their_owner_only(indexed, search_backend):
    indexed.secrets.visibility = Visibility.UNLISTED
    indexed.secrets.save()
    if search_backend.denormalises_decks:
        search_backend.refresh_decks([indexed.secrets.pk])
    secret = indexed.cards["secret"].pk
    for user in (indexed.alice, AnonymousUser()):
        found = {h.card_id for h in search_cards(user=user, query="private note").hits}
        assert secret not in found
    found = {h.card_id for h in search_cards(user=indexed.bob, query="private note").hits}
    assert found == {secret}


def test_archived_card_is_excluded_after_reindex(indexed, search_backend):
    card = indexed.cards["asgi"]
    card.is_archived = True
    card.save()
    search_backend.index([card.pk])
    for user in (indexed.alice, AnonymousUser()):
        assert search_cards(user=user, query="asgi.py").total == 0
