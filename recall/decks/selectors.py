"""Reads of decks and notes: who may see what, and querysets with their joins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from .models import Deck, Note, Visibility


def deck_readable_q(user: Any, *, prefix: str = "") -> Q:
    """Decks a user may read: their own, and anyone's public or unlisted decks."""
    shared = Q(**{f"{prefix}visibility__in": [Visibility.PUBLIC, Visibility.UNLISTED]})
    if user is not None and user.is_authenticated:
        return shared | Q(**{f"{prefix}owner": user})
    return shared


@dataclass(frozen=True)
class ListedDecks:
    """Which decks are listed to a user, as data an index can hold: the decks of
    ``owner_id`` (any visibility), and anyone's decks whose visibility is in ``visibilities``."""

    owner_id: int | None
    visibilities: tuple[str, ...]


def decks_listed_for(user: Any) -> ListedDecks:
    """The rule of which decks appear in a user's lists and search results: their own decks
    and other people's public ones. Unlisted decks are readable by link only, so they are
    found by nobody but their owner.

    Every list, search backend (SQLite, PostgreSQL, Elasticsearch) and spelling vocabulary
    derives its filter from this one function.
    """
    owner_id = user.pk if user is not None and user.is_authenticated else None
    return ListedDecks(owner_id=owner_id, visibilities=(Visibility.PUBLIC.value,))


def deck_listed_q(user: Any, *, prefix: str = "") -> Q:
    """``decks_listed_for`` as a filter on decks (or on a relation to them, with ``prefix``)."""
    rule = decks_listed_for(user)
    listed = Q(**{f"{prefix}visibility__in": list(rule.visibilities)})
    if rule.owner_id is not None:
        listed |= Q(**{f"{prefix}owner_id": rule.owner_id})
    return listed


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
