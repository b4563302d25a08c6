"""Receivers of the search app: keep the index in step with notes (keyed by note id), index
tasks after commit (connected in SearchConfig.ready()).

Every change inside one transaction is gathered and sent as one task per kind (index,
remove) when it commits, so deleting a deck of 1,000 cards is one task, not 1,000.
Bulk writes (imports) send recall.decks.signals.notes_bulk_changed instead of post_save.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from recall.decks import signals as decks_signals
from recall.decks.models import Deck, Note
from recall.semantic import signals as semantic_signals

logger = logging.getLogger(__name__)
_state = threading.local()


def _flush() -> None:
    from . import tasks

    pending = getattr(_state, "pending", None)
    _state.pending = None
    if not pending:
        return
    to_index, to_remove, decks = pending
    to_remove -= to_index  # indexing a vanished card removes it anyway
    if to_index:
        tasks.index_cards.delay(sorted(to_index))
    if to_remove:
        tasks.remove_cards.delay(sorted(to_remove))
    if decks:
        tasks.refresh_decks.delay(sorted(decks))


def schedule(
    *, index: Iterable[int] = (), remove: Iterable[int] = (), decks: Iterable[int] = ()
) -> None:
    """Index or remove these card ids (refresh these decks) once the transaction commits.

    Ids gather in one pending batch; every change registers a hook, and the first hook to
    run after commit sends the whole batch, the others find it empty. Ids left by a
    rolled-back transaction ride along with the next batch, which is harmless: indexing a
    card that is gone or unchanged just writes its current state.
    """
    pending = getattr(_state, "pending", None)
    if pending is None:
        pending = _state.pending = (set[int](), set[int](), set[int]())
    pending[0].update(index)
    pending[1].update(remove)
    pending[2].update(decks)
    transaction.on_commit(_flush, robust=True)


def _backend_denormalises(what: str) -> bool:
    from .backends import backend_class

    try:
        cls = backend_class(settings.SEARCH_BACKEND)
        if what == "vectors":
            return bool(cls.stores_vectors)
        return bool(getattr(cls, f"denormalises_{what}"))
    except Exception:
        return False


def card_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        schedule(index=[instance.pk])


def card_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    schedule(remove=[instance.pk])


def notes_bulk_changed(
    sender: Any,
    deck_id: int | None = None,
    note_ids: Iterable[int] = (),
    archived_ids: Iterable[int] = (),
    **kwargs: Any,
) -> None:
    """A bulk import wrote many notes at once: index them in one task."""
    schedule(index=[*note_ids, *archived_ids])


def card_tags_changed(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    # Only an index holding copies of the tags cares; SQL backends join the tags at query time.
    if action not in {"post_add", "post_remove", "post_clear"} or not _backend_denormalises("tags"):
        return
    if isinstance(instance, Note):
        schedule(index=[instance.pk])
    elif pk_set:
        schedule(index=list(pk_set))


def deck_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # SQLite filters visibility by join alone; PostgreSQL (access lexemes) and Elasticsearch
    # (visibility, owner, slug) hold copies of deck fields.
    if raw or not _backend_denormalises("decks"):
        return
    schedule(decks=[instance.pk])


def embeddings_changed(sender: Any, note_ids: Iterable[int] = (), **kwargs: Any) -> None:
    """Notes' embeddings changed: an index holding the vectors (Elasticsearch) reindexes them."""
    if _backend_denormalises("vectors"):
        schedule(index=note_ids)


def connect() -> None:
    """Connect every receiver of this module once (SearchConfig.ready())."""
    post_save.connect(card_saved, sender=Note, dispatch_uid="search.card_saved")
    post_delete.connect(card_deleted, sender=Note, dispatch_uid="search.card_deleted")
    m2m_changed.connect(
        card_tags_changed, sender=Note.tags.through, dispatch_uid="search.card_tags"
    )
    post_save.connect(deck_saved, sender=Deck, dispatch_uid="search.deck_saved")
    decks_signals.notes_bulk_changed.connect(
        notes_bulk_changed, dispatch_uid="search.notes_bulk_changed"
    )
    semantic_signals.embeddings_changed.connect(
        embeddings_changed, dispatch_uid="search.embeddings_changed"
    )
