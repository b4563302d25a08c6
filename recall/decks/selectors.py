"""Reads of decks and notes: who may see what, and querysets with their joins."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Deck, Note, Visibility


def deck_readable_q(user: Any, *, prefix: str = "") -> Q:
    """Decks a user may read: their own, and anyone's public or unlisted decks."""
    shared = Q(**{f"{prefix}visibility__in": [Visibility.PUBLIC, Visibility.UNLISTED]})
    if user is not None and user.is_authenticated:
        return shared | Q(**{f"{prefix}owner": user})
    return shared


def deck_list_for(user: Any) -> QuerySet[Deck]:
    """Decks in a user's own list (others' public decks are in the gallery)."""
    if user is not None and user.is_authenticated:
        return Deck.objects.filter(owner=user).select_related("owner")
    return Deck.objects.none()


def deck_readable(user: Any) -> QuerySet[Deck]:
    return Deck.objects.filter(deck_readable_q(user)).select_related("owner")


def public_decks() -> QuerySet[Deck]:
    return Deck.objects.filter(visibility=Visibility.PUBLIC).select_related("owner")


def note_readable(user: Any) -> QuerySet[Note]:
    """Notes of decks the user may read, with their deck, tags and cards."""
    return (
        Note.objects.filter(deck_readable_q(user, prefix="deck__"))
        .select_related("deck", "deck__owner")
        .prefetch_related("tags", "cards")
    )
