"""Receivers of the study app: keep each user's cached statistics fresh (connected in ready())."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save

from recall.decks.models import Deck
from recall.decks.signals import notes_bulk_changed

from .selectors import deck_stats_users, invalidate_stats, invalidate_stats_of
from .signals import card_reviewed, review_undone

# Deck fields that decide who may read a deck, hence whose cached stats may show it.
_ACCESS_FIELDS = {"visibility", "owner", "owner_id"}
_ACCESS_BEFORE = "_study_access_before"


def stats_stale_after_review(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    invalidate_stats(user_id)


def stats_stale_after_import(sender: Any, *, deck_id: int | None = None, **kwargs: Any) -> None:
    # Sent by imports, card edits, archiving and copies. The owner sees new and archived
    # counts at once; other readers of a public deck within the stats cache lifetime
    # (ten minutes). No receiver on Card.save: it would add a query to every card write.
    if deck_id is None:
        return
    owner_id = Deck.objects.filter(pk=deck_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:
        invalidate_stats(owner_id)


def remember_deck_access(
    sender: Any, instance: Deck, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or instance.pk is None:
        return
    if update_fields is not None and not _ACCESS_FIELDS & set(update_fields):
        return
    before = Deck.objects.filter(pk=instance.pk).values_list("visibility", "owner_id").first()
    instance.__dict__[_ACCESS_BEFORE] = before


def stats_stale_after_access_change(
    sender: Any, instance: Deck, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    """A deck made private (or given away) leaves its readers' cached statistics at once,
    not when the cache expires: its title and counts must not outlive the access."""
    before = instance.__dict__.pop(_ACCESS_BEFORE, None)
    if created or raw or before is None or before == (instance.visibility, instance.owner_id):
        return
    deck_id, old_owner = instance.pk, before[1]
    # After commit: stats computed before it would still see the old visibility.
    transaction.on_commit(lambda: invalidate_stats_of({old_owner, *deck_stats_users(deck_id)}))


def stats_stale_after_deck_delete(sender: Any, instance: Deck, **kwargs: Any) -> None:
    # Read now: the deck's study states are deleted with it.
    users = deck_stats_users(instance.pk)
    transaction.on_commit(lambda: invalidate_stats_of(users))


def connect() -> None:
    """Connect every receiver of this module once (StudyConfig.ready())."""
    card_reviewed.connect(stats_stale_after_review, dispatch_uid="study_stats_after_grade")
    review_undone.connect(stats_stale_after_review, dispatch_uid="study_stats_after_undo")
    notes_bulk_changed.connect(stats_stale_after_import, dispatch_uid="study_stats_after_import")
    pre_save.connect(
        remember_deck_access, sender=Deck, dispatch_uid="study_stats_deck_access_before"
    )
    post_save.connect(
        stats_stale_after_access_change, sender=Deck, dispatch_uid="study_stats_after_deck_access"
    )
    pre_delete.connect(
        stats_stale_after_deck_delete, sender=Deck, dispatch_uid="study_stats_after_deck_delete"
    )
