"""Signals of the semantic app; receivers that react to them live in other apps."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

from .models import NoteEmbedding

# Sent after commit when notes' embeddings were written or dropped. Argument: note_ids.
# A search index that holds the vectors (Elasticsearch) reindexes those notes.
embeddings_changed = Signal()


def notify_embeddings_changed(note_ids: Sequence[int]) -> None:
    ids = list(note_ids)
    if ids:
        transaction.on_commit(
            lambda: embeddings_changed.send(sender=NoteEmbedding, note_ids=ids), robust=True
        )
