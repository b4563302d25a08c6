"""Receivers of the semantic app: keep note embeddings in step with the notes (gather changed
ids, embed them after commit), and load sqlite-vec into each SQLite connection (connected in
SemanticConfig.ready()).

Bulk writes (imports) send recall.decks.signals.notes_bulk_changed (already after commit);
single edits send post_save. Nothing happens when embeddings are unavailable or switched
off by SEMANTIC_EMBED_ON_CHANGE (the test profile: most tests never need the model).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save
from django.utils import timezone

from recall.decks import signals as decks_signals
from recall.decks.models import Deck, Note

from . import index, services, tasks
from .models import NoteEmbedding

_state = threading.local()


def _wanted() -> bool:
    return bool(getattr(settings, "SEMANTIC_EMBED_ON_CHANGE", True)) and (
        services.embeddings_enabled()
    )


def dispatch(note_ids: Iterable[int]) -> None:
    """Queue one task for these notes; a big batch gets a Job its deck's owner can watch.

    Deleted notes lose their vectors by cascade; ids left by a rolled-back transaction may
    ride along: only notes that exist are sent.
    """
    ids = sorted(Note.objects.filter(id__in=set(note_ids)).values_list("id", flat=True))
    if not ids:
        return
    if len(ids) < services.JOB_THRESHOLD:
        tasks.embed_notes.delay(ids)
        return
    # Imports change one deck at a time: its owner watches the job.
    deck = Deck.objects.filter(notes__id=ids[0]).values_list("id", "owner_id").first()
    if deck is None:
        return
    job = services.embed_job_create(deck_id=deck[0], note_count=len(ids), owner_id=deck[1])
    tasks.embed_notes_job.delay(job.pk, ids)


def _flush() -> None:
    pending = getattr(_state, "pending", None)
    _state.pending = None
    if pending:
        dispatch(pending)


def schedule(note_ids: Iterable[int]) -> None:
    """Embed these notes once the transaction commits (gathered: one task per transaction)."""
    if not _wanted():
        return
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = set[int]()
    pending.update(note_ids)
    transaction.on_commit(_flush, robust=True)


def note_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        schedule([instance.pk])


def notes_bulk_changed(
    sender: Any,
    deck_id: int | None = None,
    note_ids: Iterable[int] = (),
    archived_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """An import wrote many notes: embed the changed ones, drop the archived ones' vectors."""
    schedule([*note_ids, *archived_ids])


def notes_moved(sender: Any, note_ids: Iterable[int] = (), **kwargs: Any) -> None:
    """Notes moved to another deck: mark their vectors changed (same text, no new encoding),
    so a ranking that caches each vector's deck (the numpy scan) reads them again."""
    NoteEmbedding.objects.filter(note_id__in=list(note_ids)).update(updated_at=timezone.now())


def connect() -> None:
    """Connect every receiver of this module once (SemanticConfig.ready())."""
    post_save.connect(note_saved, sender=Note, dispatch_uid="semantic.note_saved")
    decks_signals.notes_bulk_changed.connect(
        notes_bulk_changed, dispatch_uid="semantic.notes_bulk_changed"
    )
    decks_signals.notes_moved.connect(notes_moved, dispatch_uid="semantic.notes_moved")
    connection_created.connect(index.load_sqlite_vec, dispatch_uid="semantic.sqlite_vec")
