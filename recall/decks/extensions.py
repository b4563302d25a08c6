"""What the study app adds to decks' card page and cards API, plugged in from study's ready().

decks sits below study, so it never imports it; yet the card page shows the reader's own
schedule, the cards API filters and sorts by the reader's study data (the card browser's
rule, recall.study.browser) and buries a card until the next study day. study registers
those functions here at start-up (recall.study.apps); without it the card page has no
panel, the study filters know only new cards, sorting keeps the order and bury is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from recall.core.exceptions import ApplicationError

from .models import Card


@dataclass(frozen=True)
class StudyExtension:
    # (user, cards) -> one info row per card: state, retrievability, review history.
    card_info: Callable[[Any, list[Card]], list[dict[str, Any]]]
    # (cards, user or None, filters) -> the cards matching the card browser's filters
    # (keyword arguments of recall.study.browser.CardQuery: state, due_from, q, ...).
    cards_filter: Callable[[QuerySet[Card], Any, dict[str, Any]], QuerySet[Card]]
    # (cards, user or None, sort key) -> the cards sorted by the user's study data.
    cards_sort: Callable[[QuerySet[Card], Any, str], QuerySet[Card]]
    # (user, card, buried) -> the card, buried until the user's next study day or unburied.
    card_bury: Callable[[Any, Card, bool], Card]


_study: StudyExtension | None = None


def register_study(extension: StudyExtension) -> None:
    global _study
    _study = extension


def card_info(user: Any, cards: list[Card]) -> list[dict[str, Any]] | None:
    """The reader's study info of each card, or None when no study app is installed."""
    return None if _study is None else _study.card_info(user, cards)


def cards_filter(cards: QuerySet[Card], user: Any, filters: dict[str, Any]) -> QuerySet[Card]:
    if _study is None:
        # No study data: every card is new, none is due, lapsed or matched by the browser.
        return cards if filters in ({}, {"state": "new"}) else cards.none()
    return _study.cards_filter(cards, user, filters)


def cards_sort(cards: QuerySet[Card], user: Any, sort: str) -> QuerySet[Card]:
    return cards if _study is None else _study.cards_sort(cards, user, sort)


def card_bury(user: Any, card: Card, buried: bool) -> Card:
    if _study is None:
        raise ApplicationError("Burying needs the study app.")
    return _study.card_bury(user, card, buried)
