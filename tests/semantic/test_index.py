"""Nearest-note ranking (recall/semantic/index.py): sqlite-vec in SQL and the numpy scan
agree, and both keep to the decks they are given."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from recall.decks.models import Deck
from recall.semantic import index
from recall.semantic.services import embed_all
from tests.factories import DeckFactory, NoteFactory

from .conftest import CountingEncoder, word_vector

pytestmark = pytest.mark.django_db

TEXTS = [
    ("Celery beat schedules", "periodic tasks every night"),
    ("Celery workers", "run queued tasks"),
    ("Template filters", "escape html output"),
    ("Database indexes", "speed up lookups"),
]


@pytest.fixture
def notes(encoder: CountingEncoder):
    deck, hidden = DeckFactory(), DeckFactory()
    created = [NoteFactory(deck=deck, question=q, answer=a) for q, a in TEXTS]
    NoteFactory(deck=hidden, question="Celery beat schedules", answer="periodic tasks")
    embed_all()
    return deck, created


def test_the_numpy_scan_ranks_by_cosine_within_the_decks(notes, monkeypatch):
    deck, created = notes
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    found = index.nearest(
        word_vector("celery periodic tasks"), decks=Deck.objects.filter(pk=deck.pk), k=3
    )
    assert [pk for pk, _ in found][:2] == [created[0].pk, created[1].pk]
    assert all(pk in {n.pk for n in created} for pk, _ in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    excluded = index.nearest(
        word_vector("celery periodic tasks"),
        decks=Deck.objects.filter(pk=deck.pk),
        k=3,
        exclude=[created[0].pk],
    )
    assert created[0].pk not in {pk for pk, _ in excluded}


def test_sqlite_vec_agrees_with_the_numpy_scan(notes, monkeypatch):
    if connection.vendor != "sqlite" or index.engine_name() != index.SQLITE_VEC:
        pytest.skip("this Python's sqlite3 cannot load extensions: sqlite-vec is not used here")
    deck, _created = notes
    query = word_vector("celery periodic tasks")
    decks = Deck.objects.filter(pk=deck.pk)
    in_sql = index.nearest(query, decks=decks, k=4)
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    in_numpy = index.nearest(query, decks=decks, k=4)
    assert [pk for pk, _ in in_sql] == [pk for pk, _ in in_numpy]
    assert [s for _, s in in_sql] == pytest.approx([s for _, s in in_numpy], abs=1e-5)


def test_a_moved_note_is_ranked_in_its_new_deck(notes, monkeypatch):
    from recall.decks.services.cards import notes_move

    deck, created = notes
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    target: Any = DeckFactory(owner=deck.owner)
    query = word_vector("celery periodic tasks")
    assert index.nearest(query, decks=Deck.objects.filter(pk=target.pk), k=3) == []
    notes_move(user=deck.owner, notes=[created[0]], deck=target)
    found = index.nearest(query, decks=Deck.objects.filter(pk=target.pk), k=3)
    assert [pk for pk, _ in found] == [created[0].pk]
    assert created[0].pk not in {
        pk for pk, _ in index.nearest(query, decks=Deck.objects.filter(pk=deck.pk), k=3)
    }
