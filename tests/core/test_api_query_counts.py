"""List endpoints run a fixed number of queries: 10 rows or 100 rows, the same count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from recall.accounts.models import ApiToken
from recall.decks.cards import cards_sync
from recall.decks.models import Deck, Note, Tag, Visibility
from recall.jobs.models import Job
from recall.search.services import search_rebuild
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROWS = 100


def _decks(user, other) -> None:
    Deck.objects.bulk_create(
        [
            Deck(
                owner=user if i % 2 else other,
                title=f"D{i}",
                slug=f"d{i}",
                visibility=Visibility.PUBLIC,
            )
            for i in range(ROWS)
        ]
    )
    # Each deck with cards, so card_count has something to count.
    cards_sync(Note.objects.bulk_create([Note(deck=d, question="Q") for d in Deck.objects.all()]))


def _cards(user, other) -> None:
    deck = Deck.objects.create(owner=user, title="D", slug="d")
    shared = Deck.objects.create(owner=other, title="S", slug="s", visibility=Visibility.PUBLIC)
    tags = Tag.objects.bulk_create([Tag(owner=user, name=f"t{i}") for i in range(3)])
    kinds = ["basic", "reversed", "cloze"]
    notes = Note.objects.bulk_create(
        [
            Note(
                deck=deck if i % 2 else shared,
                position=i,
                kind=kinds[i % 3],
                question=f"Q{i} {{{{c1::x}}}} {{{{c2::y}}}}",
                answer="A",
            )
            for i in range(ROWS)
        ]
    )
    cards_sync(notes)
    through = Note.tags.through
    through.objects.bulk_create([through(note_id=c.pk, tag_id=t.pk) for c in notes for t in tags])


def _tags(user, other) -> None:
    Tag.objects.bulk_create([Tag(owner=user, name=f"t{i}") for i in range(ROWS)])


def _jobs(user, other) -> None:
    Job.objects.bulk_create([Job(owner=user, filename=f"f{i}.md") for i in range(ROWS)])


def _tokens(user, other) -> None:
    ApiToken.objects.bulk_create(
        [ApiToken(user=user, name=f"t{i}", prefix="x", key_digest=f"{i:064d}") for i in range(ROWS)]
    )


def _searchable(user, other) -> None:
    _cards(user, other)
    search_rebuild()


LISTS: list[tuple[str, Callable, int | dict[str, int]]] = [
    # url, seed, pinned number of queries (count + page [+ prefetch])
    ("/api/v1/decks/", _decks, 2),
    # count + page + tags + cards
    ("/api/v1/notes/", _cards, 4),
    ("/api/v1/notes/?tag=t1&archived=false", _cards, 4),
    ("/api/v1/cards/", _cards, 2),
    ("/api/v1/cards/?archived=false&state=new", _cards, 2),
    ("/api/v1/cards/?sort=-due&kind=basic&lapses=0&q=Q", _cards, 2),
    ("/api/v1/tags/", _tags, 2),
    ("/api/v1/jobs/", _jobs, 2),
    ("/api/v1/tokens/", _tokens, 2),
    # The search app's list: the same rule holds.
    # (the search backend's own queries: one on SQLite FTS5, three on PostgreSQL)
    ("/api/v1/search/?q=Q&mode=lexical", _searchable, {"sqlite": 1, "postgresql": 3}),
    # Hybrid (the default with the semantic extra): the same, then one read of the vectors.
    ("/api/v1/search/?q=Q&mode=hybrid", _searchable, {"sqlite": 2, "postgresql": 4}),
]


@pytest.mark.parametrize(("url", "seed", "pinned"), LISTS, ids=[u for u, _, _ in LISTS])
def test_list_query_count_does_not_grow_with_page_size(url, seed, pinned):
    user: Any = UserFactory()
    other: Any = UserFactory()
    seed(user, other)
    client = APIClient()
    # force_authenticate: the count is the endpoint's own, without the auth lookup.
    client.force_authenticate(user)
    sep = "&" if "?" in url else "?"
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}{sep}page_size={size}")
        assert response.status_code == 200, response.json()
        assert len(response.json()["results"]) == min(size, response.json()["count"])
        counts[size] = len(ctx.captured_queries)
    if isinstance(pinned, dict):
        pinned = pinned[connection.vendor]
    assert counts[10] == counts[100] == pinned, counts
