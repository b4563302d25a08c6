"""Receivers of the study app: keep each user's cached statistics fresh."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from recall.decks.models import Deck
from recall.decks.signals import notes_bulk_changed

from .selectors import invalidate_stats
from .signals import card_reviewed, review_undone


@receiver(card_reviewed, dispatch_uid="study_stats_after_grade")
@receiver(review_undone, dispatch_uid="study_stats_after_undo")
def stats_stale_after_review(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    invalidate_stats(user_id)


@receiver(notes_bulk_changed, dispatch_uid="study_stats_after_import")
def stats_stale_after_import(sender: Any, *, deck_id: int | None = None, **kwargs: Any) -> None:
    # Sent by imports, card edits, archiving and copies. The owner sees new and archived
    # counts at once; other readers of a public deck within the stats cache lifetime
    # (ten minutes). No receiver on Card.save: it would add a query to every card write.
    if deck_id is None:
        return
    owner_id = Deck.objects.filter(pk=deck_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:
        invalidate_stats(owner_id)
