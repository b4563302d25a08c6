"""Reads of the semantic app: notes nearest in meaning to a query or to another note."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from recall.core.text import markdown_plain_text
from recall.decks.models import Deck, Note
from recall.decks.selectors import deck_listed_q

from . import embeddings, index
from .models import NoteEmbedding
from .vectors import unpack

RELATED_COUNT = 5
# Below this cosine similarity a "related" note is noise for this model (measured on the
# bench's notes: unrelated Python/Django questions score 0.1-0.3).
RELATED_MIN_SIMILARITY = 0.35


def semantic_search_available() -> bool:
    """True when a query can be encoded here (the optional extra is installed and enabled)."""
    return embeddings.is_available()


def has_embeddings() -> bool:
    return NoteEmbedding.objects.exists()


def encode_query(text: str) -> list[float]:
    """The query's vector (raises RuntimeError without the extra: check availability first).

    Remembered for the last queries: every page of a search, and the semantic and hybrid
    runs of one query, need the same vector, and encoding costs far more than ranking.
    """
    return list(_encode_cached(text))


@lru_cache(maxsize=512)
def _encode_cached(text: str) -> tuple[float, ...]:
    return tuple(embeddings.encode([text])[0])


def nearest_notes(
    vector: list[float],
    *,
    decks: QuerySet[Deck],
    notes: QuerySet[Note] | None = None,
    k: int,
    exclude: Collection[int] = (),
) -> list[tuple[int, float]]:
    """(note id, similarity) of the closest live notes of these decks, best first."""
    return index.nearest(vector, decks=decks, notes=notes, k=k, exclude=exclude)


@dataclass(frozen=True)
class RelatedNote:
    note_id: int
    question: str
    deck_title: str
    similarity: float

    @property
    def url(self) -> str:
        return reverse("decks:card-detail", kwargs={"pk": self.note_id})

    @property
    def percent(self) -> int:
        return round(max(0.0, self.similarity) * 100)


def related_notes(*, user: Any, note: Note, k: int = RELATED_COUNT) -> list[RelatedNote]:
    """The notes nearest in meaning to ``note`` that ``user`` finds in lists and search
    (``deck_listed_q``: own decks and others' public ones) plus the note's own deck, which
    the user is reading. Empty when the note has no embedding yet."""
    stored = NoteEmbedding.objects.filter(note_id=note.pk).values_list("vector", flat=True).first()
    if stored is None:
        return []
    decks = Deck.objects.filter(deck_listed_q(user) | Q(pk=note.deck_id))
    found = [
        (pk, score)
        for pk, score in nearest_notes(unpack(stored), decks=decks, k=k, exclude=[note.pk])
        if score >= RELATED_MIN_SIMILARITY
    ]
    rows = {
        pk: (question, title)
        for pk, question, title in Note.objects.filter(id__in=[pk for pk, _ in found]).values_list(
            "id", "question", "deck__title"
        )
    }
    return [
        RelatedNote(pk, markdown_plain_text(rows[pk][0]), rows[pk][1], score)
        for pk, score in found
        if pk in rows
    ]
