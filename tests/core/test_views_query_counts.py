"""The list pages cost a fixed number of queries, however many decks and cards there are."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recall.decks.models import Visibility
from tests.factories import CardFactory, DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sessions_in_database(settings) -> None:
    # Each measurement empties the cache; with REDIS_URL set, sessions live there too.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


def _queries(client, url: str, *, clear: bool = True) -> int:
    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_decks(owner, n: int, visibility=Visibility.PRIVATE) -> None:
    for _ in range(n):
        deck = DeckFactory(owner=owner, visibility=visibility)
        for _ in range(3):
            CardFactory(deck=deck)


@pytest.mark.parametrize("name", ["decks:deck-list", "decks:gallery"])
def test_page_queries_do_not_grow_with_the_number_of_decks(client, name):
    user = UserFactory(username="counter")
    client.force_login(user)
    _add_decks(user, 1, Visibility.PUBLIC)
    url = reverse(name)
    _queries(client, url)  # warm caches (session, stats version)
    few = _queries(client, url)
    _add_decks(user, 6, Visibility.PUBLIC)
    many = _queries(client, url)
    assert many == few, (name, few, many)


@pytest.mark.parametrize("name", ["home", "study:session"])
def test_study_pages_cost_at_most_one_query_per_deck(client, name):
    # The study queue counts each deck's new cards against that deck's own daily quota
    # (one LIMITed COUNT per deck); nothing else may grow. The day's queue itself is built
    # once per user, scope and day and kept in the cache (recall.study.queue): building it
    # reads each deck's new cards once more, so a cold cache costs one more query per deck.
    user = UserFactory(username="counter")
    client.force_login(user)
    _add_decks(user, 1)
    url = reverse(name)
    _queries(client, url)
    few_cold = _queries(client, url)
    few = _queries(client, url, clear=False)
    _add_decks(user, 6)
    many_cold = _queries(client, url)
    many = _queries(client, url, clear=False)
    assert many <= few + 6, (name, few, many)
    assert many_cold <= few_cold + 2 * 6, (name, few_cold, many_cold)
