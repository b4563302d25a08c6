"""Fixtures of the search tests: a backend chosen explicitly, and a small corpus of cards.

The ``search_backend`` fixture is parametrised over the three engines. SQLite runs in the
SQLite pass, PostgreSQL (marked ``postgres``) in the PostgreSQL pass, Elasticsearch (marked
``elasticsearch``) only when ELASTICSEARCH_URL points at a server. The backend is selected
with a settings override, never from the environment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from recall.decks.models import Visibility
from recall.search.backends import get_backend
from recall.search.base import SearchBackend
from tests.factories import DeckFactory, NoteFactory, TagFactory, UserFactory

BACKEND_PARAMS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.elasticsearch),
]


def use_backend(name: str, settings) -> SearchBackend:
    """Select a backend for this test; skip the SQLite one on a PostgreSQL run."""
    if name == "sqlite" and connection.vendor != "sqlite":
        pytest.skip("the SQLite FTS5 backend runs in the SQLite pass")
    settings.SEARCH_BACKEND = name
    if name == "elasticsearch":
        # A fresh index per test, deleted afterwards (see search_backend).
        settings.ELASTICSEARCH_INDEX = f"recall-test-{uuid.uuid4().hex[:12]}"
    return get_backend()


@pytest.fixture(params=BACKEND_PARAMS)
def search_backend(request, settings, db) -> Iterator[SearchBackend]:
    backend = use_backend(request.param, settings)
    yield backend
    if request.param == "elasticsearch":
        backend.client.indices.delete(index=backend.index_name, ignore_unavailable=True)


@pytest.fixture
def sqlite_backend(settings, db) -> SearchBackend:
    return use_backend("sqlite", settings)


@dataclass
class Corpus:
    alice: Any
    bob: Any
    django: Any  # Deck of alice, public
    python: Any  # Deck of alice, private
    secrets: Any  # Deck of bob, private
    cards: dict[str, Any]  # Note by key of CARDS


CARDS = {
    # key: (deck, question, answer, tags)
    "select_related": (
        "django",
        "What does select_related do?",
        "It follows foreign keys with a SQL JOIN, so one query fetches the related rows.",
        ["orm"],
    ),
    "prefetch": (
        "django",
        "How is prefetch_related different?",
        "It runs a second query per relation and joins in Python; use it for many-to-many.",
        ["orm"],
    ),
    "init": (
        "python",
        "What does __init__ do?",
        "It initialises a new instance after __new__ created it.",
        ["oop"],
    ),
    "asgi": (
        "django",
        "Where is the ASGI application defined?",
        "In asgi.py, next to wsgi.py; uvicorn serves it.",
        ["deploy"],
    ),
    "classmethod": (
        "python",
        "When do you use @classmethod?",
        "For alternative constructors: the method gets the class, not the instance.",
        ["oop"],
    ),
    "signals_q": (
        "django",
        "How do Django signals work?",
        "Receivers are connected to a sender and called synchronously.",
        ["signals"],
    ),
    "signals_a": (
        "django",
        "What runs after a model is saved?",
        "Receivers of the post_save signals of that model run in the same transaction.",
        ["signals"],
    ),
    "middleware": (
        "django",
        "What is middleware?",
        "A chain of hooks around every request and response; order matters.",
        [],
    ),
    "celery": (
        "django",
        "How do you run a task in the background?",
        "Queue it with Celery: the task queue hands it to a worker process.",
        ["celery"],
    ),
    "view": (
        "django",
        "What is a class based view?",
        "A view written as a class; dispatch() picks the method handler.",
        [],
    ),
    "html": (
        "python",
        "How is <script>alert(1)</script> shown safely?",
        "Escape it: <b>bold</b> & ampersands stay text.",
        [],
    ),
    "secret": (
        "secrets",
        "Bob's private note about select_related",
        "Only bob may ever see this: signals and middleware too.",
        ["orm"],
    ),
}


@pytest.fixture
def corpus(db) -> Corpus:
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    decks = {
        "django": DeckFactory(
            owner=alice, slug="django", title="Django", visibility=Visibility.PUBLIC
        ),
        "python": DeckFactory(owner=alice, slug="python", title="Python"),
        "secrets": DeckFactory(owner=bob, slug="secrets", title="Secrets"),
    }
    tags: dict[tuple[int, str], object] = {}
    cards: dict[str, Any] = {}
    for key, (deck_key, question, answer, tag_names) in CARDS.items():
        deck = decks[deck_key]
        card = NoteFactory(deck=deck, question=question, answer=answer)
        for name in tag_names:
            tag = tags.get((deck.owner_id, name))
            if tag is None:
                tag = tags[(deck.owner_id, name)] = TagFactory(owner=deck.owner, name=name)
            card.tags.add(tag)
        cards[key] = card
    return Corpus(alice, bob, decks["django"], decks["python"], decks["secrets"], cards)


@pytest.fixture
def indexed(corpus: Corpus, search_backend: SearchBackend) -> Corpus:
    search_backend.rebuild()
    return corpus
