"""The functions study plugs into decks' card page and cards API (recall.decks.extensions)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from recall.decks.extensions import StudyExtension
from recall.decks.models import Card

from . import browser
from .selectors import card_info
from .services import card_bury


def cards_filter(cards: QuerySet[Card], user: Any, filters: dict[str, Any]) -> QuerySet[Card]:
    """The cards matching the card browser's ``filters`` (``browser.CardQuery``'s fields)."""
    return browser.cards_filter(cards, user, browser.CardQuery(**filters))


def cards_sort(cards: QuerySet[Card], user: Any, sort: str) -> QuerySet[Card]:
    """The cards sorted by the user's study data (one of ``browser.SORTS``, "-" descending)."""
    return browser.cards_sort(browser.with_study_state(cards, user), sort)


def study_extension() -> StudyExtension:
    return StudyExtension(
        card_info=lambda user, cards: card_info(user=user, cards=cards),
        cards_filter=cards_filter,
        cards_sort=cards_sort,
        card_bury=lambda user, card, buried: card_bury(user=user, card=card, buried=buried),
    )
