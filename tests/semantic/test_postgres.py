"""PostgreSQL: vectors stored in a column and ranked in Python (no pgvector needed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from recall.decks.models import Deck
from recall.semantic import index
from recall.semantic.services import embed_all
from tests.factories import DeckFactory, NoteFactory, UserFactory

from .conftest import CountingEncoder, word_vector

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_postgres_ranks_in_python_and_keeps_to_the_decks_given(encoder: CountingEncoder):
    assert connection.vendor == "postgresql"
    assert index.engine_name() == index.NUMPY
    owner: Any = UserFactory()
    other: Any = UserFactory()
    mine = DeckFactory(owner=owner)
    theirs = DeckFactory(owner=other)
    near = NoteFactory(deck=mine, question="Celery worker queue", answer="tasks run later")
    far = NoteFactory(deck=mine, question="Template filters", answer="escape html")
    hidden = NoteFactory(deck=theirs, question="Celery worker queue", answer="tasks run later")
    embed_all()
    query = word_vector("celery worker tasks")
    found = index.nearest(query, decks=Deck.objects.filter(owner=owner), k=5)
    assert [pk for pk, _ in found][:1] == [near.pk]
    assert hidden.pk not in {pk for pk, _ in found}
    assert far.pk not in {pk for pk, score in found if score > 0.3}
    # An archived note leaves the ranking even before its vector is dropped.
    near.is_archived = True
    near.save(update_fields=["is_archived"])
    assert near.pk not in {pk for pk, _ in index.nearest(query, decks=Deck.objects.all(), k=5)}
