"""Receivers of the decks app: decks reacting to changes of its own models (connected in
ready())."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from recall.jobs.models import Job

from .models import Deck


def deck_deleted_clear_jobs(sender: type[Deck], instance: Deck, **kwargs: Any) -> None:
    """A job keeps the id of the deck it made, not a foreign key (jobs know no decks):
    a deleted deck's id is cleared, as the foreign key's SET_NULL did."""
    Job.objects.filter(deck_id=instance.pk).update(deck_id=None)


def connect() -> None:
    """Connect every receiver of this module once (DecksConfig.ready())."""
    post_delete.connect(
        deck_deleted_clear_jobs, sender=Deck, dispatch_uid="decks.deck_deleted_clear_jobs"
    )
