"""Filters the SQL backends share: listed decks and tagged cards, compiled by the ORM."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from recall.decks.models import Deck, Note
from recall.decks.selectors import deck_listed_q

from ..base import SearchFilters


def searchable_decks(filters: SearchFilters) -> QuerySet[Deck]:
    """The decks the user may search, narrowed to the deck: filters (see searchable_decks_sql)."""
    decks = Deck.objects.filter(deck_listed_q(filters.user))
    if filters.deck_slugs:
        decks = decks.filter(slug__in=filters.deck_slugs)
    return decks


def tagged_card_ids(tag: str) -> QuerySet[Any]:
    """The ids of notes carrying a tag of that name (any owner's tag): the index's ids."""
    return Note.tags.through.objects.filter(tag__name__iexact=tag).order_by().values("note_id")


def searchable_decks_sql(filters: SearchFilters) -> tuple[str, tuple[Any, ...]]:
    """SELECT of the deck ids the user may search (narrowed to the deck: filters), with params.

    Visibility is decided here, at query time, by the rule the deck lists use
    (``deck_listed_q``: own decks and others' public ones, never others' unlisted decks),
    so changing a deck's visibility needs no reindex.
    """
    return searchable_decks(filters).order_by().values("id").query.sql_with_params()


def tagged_cards_sql(tag: str) -> tuple[str, tuple[Any, ...]]:
    """SELECT of the ids of cards carrying a tag of that name (any owner's tag)."""
    return tagged_card_ids(tag).query.sql_with_params()


def filter_clauses(
    filters: SearchFilters, *, deck_col: str, card_col: str
) -> tuple[str, list[Any]]:
    """ " AND ..." clauses restricting hits to searchable decks and the requested tags."""
    sql, params = searchable_decks_sql(filters)
    clauses = [f"{deck_col} IN ({sql})"]
    all_params: list[Any] = list(params)
    for tag in filters.tags:
        tag_sql, tag_params = tagged_cards_sql(tag)
        clauses.append(f"{card_col} IN ({tag_sql})")
        all_params.extend(tag_params)
    return " AND " + " AND ".join(clauses), all_params
