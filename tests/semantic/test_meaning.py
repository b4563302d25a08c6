"""With the real model (loaded once): a question asked in other words finds its note."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from recall.search.backends import get_backend
from recall.search.selectors import search_cards
from recall.semantic.models import NoteEmbedding
from recall.semantic.services import embed_all
from recall.semantic.vectors import unpack
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTES = [
    (
        "What is the GIL?",
        "The global interpreter lock lets one thread run Python bytecode at a time.",
    ),
    ("What does select_related do?", "It follows foreign keys with a JOIN in the same query."),
    ("How do you run a task in the background?", "Queue it with Celery; a worker runs it."),
    ("What is a Python decorator?", "A callable that takes a function and returns a new one."),
]
QUESTION = "why are threads useless for CPU work in python"


@pytest.fixture
def notes(real_model, settings):
    settings.SEARCH_BACKEND = "sqlite" if connection.vendor == "sqlite" else "postgres"
    user = UserFactory()
    deck = DeckFactory(owner=user)
    created = [NoteFactory(deck=deck, question=q, answer=a) for q, a in NOTES]
    get_backend().rebuild()
    assert embed_all().encoded == len(NOTES)
    return user, created


def test_stored_vectors_are_unit_length(notes):
    for row in NoteEmbedding.objects.all():
        vector = unpack(row.vector)
        assert len(vector) == 384 and math.isclose(sum(x * x for x in vector), 1.0, rel_tol=1e-4)


def test_a_paraphrase_finds_the_gil_note_by_meaning_not_by_words(notes):
    user, created = notes
    gil = created[0].pk
    assert search_cards(user=user, query=QUESTION, mode="lexical").hits == []
    for mode in ("semantic", "hybrid"):
        results = search_cards(user=user, query=QUESTION, mode=mode)
        assert results.hits[0].card_id == gil, mode
