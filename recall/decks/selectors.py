"""Reads of decks and notes: who may see what, and querysets with their joins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Deck, Note, Tag, Visibility


@dataclass(frozen=True)
class ListedDecks:
    """A rule of which decks a user sees, as data an index or a raw SQL statement can hold:
    the decks of ``owner_id`` (any visibility), and anyone's decks whose visibility is in
    ``visibilities``."""

    owner_id: int | None
    visibilities: tuple[str, ...]


def decks_readable_for(user: Any) -> ListedDecks:
    """THE read rule, "who may read a deck": the owner, and anyone for public or unlisted
    decks (unlisted ones by link).

    Every read derives from this one function: ``deck_readable_q`` (ORM querysets of the
    API, the pages and the study selectors), ``deck_is_readable`` (a deck in hand),
    ``deck_readable_sql`` (the study hot path's raw SQL) and ``decks_listed_for`` (lists
    and search), so changing it here changes them all (tests/decks/test_read_rule.py).
    """
    owner_id = user.pk if user is not None and user.is_authenticated else None
    return ListedDecks(
        owner_id=owner_id, visibilities=(Visibility.PUBLIC.value, Visibility.UNLISTED.value)
    )


def decks_listed_for(user: Any) -> ListedDecks:
    """The rule of which decks appear in a user's lists and search results: the readable
    ones (``decks_readable_for``) except unlisted decks, which are readable by link only and
    so found by nobody but their owner.

    Every list, search backend (SQLite, PostgreSQL, Elasticsearch) and spelling vocabulary
    derives its filter from this one function.
    """
    readable = decks_readable_for(user)
    return ListedDecks(
        owner_id=readable.owner_id,
        visibilities=tuple(v for v in readable.visibilities if v != Visibility.UNLISTED.value),
    )


def _rule_q(rule: ListedDecks, prefix: str) -> Q:
    allowed = Q(**{f"{prefix}visibility__in": list(rule.visibilities)})
    if rule.owner_id is not None:
        allowed |= Q(**{f"{prefix}owner_id": rule.owner_id})
    return allowed


def deck_readable_q(user: Any, *, prefix: str = "") -> Q:
    """``decks_readable_for`` as a filter on decks (or on a relation to them, with ``prefix``)."""
    return _rule_q(decks_readable_for(user), prefix)


def deck_listed_q(user: Any, *, prefix: str = "") -> Q:
    """``decks_listed_for`` as a filter on decks (or on a relation to them, with ``prefix``)."""
    return _rule_q(decks_listed_for(user), prefix)


def deck_is_readable(user: Any, deck: Deck) -> bool:
    """``decks_readable_for`` for one deck already loaded."""
    rule = decks_readable_for(user)
    if rule.owner_id is not None and deck.owner_id == rule.owner_id:
        return True
    return deck.visibility in rule.visibilities


def deck_readable_sql(user_id: int, *, alias: str) -> tuple[str, list[Any]]:
    """``decks_readable_for`` as a raw SQL condition on the deck table aliased ``alias``,
    with its parameters, for statements written by hand (the study hot path). The text
    depends only on the rule's shape, so callers may cache statements keyed by it."""
    rule = decks_readable_for(_UserId(user_id))
    parts: list[str] = []
    params: list[Any] = []
    if rule.visibilities:
        parts.append(f"{alias}.visibility IN ({', '.join(['%s'] * len(rule.visibilities))})")
        params.extend(rule.visibilities)
    if rule.owner_id is not None:
        parts.append(f"{alias}.owner_id = %s")
        params.append(rule.owner_id)
    return f"({' OR '.join(parts) or '1 = 0'})", params


@dataclass(frozen=True)
class _UserId:
    """A signed-in user known only by id (the hot path never loads the user row)."""

    pk: int
    is_authenticated: bool = True


def deck_list_for(user: Any) -> QuerySet[Deck]:
    """Decks in a user's own list (others' public decks are in the gallery)."""
    if user is not None and user.is_authenticated:
        return Deck.objects.filter(owner=user).select_related("owner")
    return Deck.objects.none()


def deck_readable(user: Any) -> QuerySet[Deck]:
    return Deck.objects.filter(deck_readable_q(user)).select_related("owner")


def public_decks() -> QuerySet[Deck]:
    """The decks listed to everyone (the gallery): ``decks_listed_for`` an anonymous user."""
    return Deck.objects.filter(deck_listed_q(None)).select_related("owner")


def note_readable(user: Any) -> QuerySet[Note]:
    """Notes of decks the user may read, with their deck, tags and cards."""
    return (
        Note.objects.filter(deck_readable_q(user, prefix="deck__"))
        .select_related("deck", "deck__owner")
        .prefetch_related("tags", "cards")
    )


def decks_owned_by(user: Any) -> QuerySet[Deck]:
    """The user's own decks (the ones they may edit, delete or import into)."""
    return Deck.objects.filter(owner_id=user.pk)


def deck_fresh(deck_id: int) -> Deck:
    """The deck as stored now (a form may have filled an instance in while validating)."""
    return Deck.objects.get(pk=deck_id)


def deck_live_notes(deck: Deck) -> QuerySet[Note]:
    """The deck's notes that are not archived, with their tags, for its page."""
    return deck.notes.filter(is_archived=False).prefetch_related("tags")


def deck_tag_counts(deck: Deck) -> QuerySet[Tag]:
    """The tags used by the deck's live notes, each with its count ``n`` of notes."""
    return (
        Tag.objects.filter(owner_id=deck.owner_id, notes__deck=deck, notes__is_archived=False)
        .annotate(n=Count("notes"))
        .order_by("name")
    )


def notes_owned_by(user: Any) -> QuerySet[Note]:
    """The notes in the user's own decks, with their deck and tags (the editor's reads)."""
    return (
        Note.objects.filter(deck__owner_id=user.pk).select_related("deck").prefetch_related("tags")
    )


def note_fresh(note_id: int) -> Note:
    """The note as stored now, with its deck and owner (a form may have filled it in)."""
    return Note.objects.select_related("deck__owner").get(pk=note_id)
