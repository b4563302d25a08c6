"""Burying a card until the user's next study day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from recall.core.exceptions import NotFoundError
from recall.decks.models import Card

from .. import scheduling


def card_bury(*, user: Any, card: Card, buried: bool = True, now: datetime | None = None) -> Card:
    """Bury a card until the user's next study day (out of the queue and its counts), or
    unbury it. The deck's owner only, like suspending: the card is theirs."""
    if card.deck.owner_id != user.pk:
        raise NotFoundError("No such card.")
    now = now or timezone.now()
    until = scheduling.current_day(user, now).end if buried else None
    if card.buried_until != until:
        card.buried_until = until
        card.save(update_fields=["buried_until", "updated_at"])
    return card
