"""Receivers of the decks app: decks reacting to changes of its own models."""

from __future__ import annotations

from typing import Any

from recall.jobs.models import Job

from .models import Deck


def deck_deleted_clear_jobs(sender: type[Deck], instance: Deck, **kwargs: Any) -> None:
    """A job keeps the id of the deck it made, not a foreign key (jobs know no decks):
    a deleted deck's id is cleared, as the foreign key's SET_NULL did."""
    Job.objects.filter(deck_id=instance.pk).update(deck_id=None)
