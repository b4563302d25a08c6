"""The functions study plugs into decks' card page and cards API (recall.decks.extensions)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from recall.decks.extensions import StudyExtension
from recall.decks.models import Card

from .models import CardState, State
from .selectors import card_info
from .services import card_bury


def cards_in_state(cards: QuerySet[Card], user: Any, state: str) -> QuerySet[Card]:
    """The cards in the user's study ``state``; a card without a row of the user's is new."""
    states = CardState.objects.filter(user_id=user.pk, card_id=OuterRef("pk"))
    if state == "new":
        return cards.exclude(Exists(states.exclude(state=State.NEW)))
    return cards.filter(Exists(states.filter(state=State[state.upper()])))


def study_extension() -> StudyExtension:
    return StudyExtension(
        card_info=lambda user, cards: card_info(user=user, cards=cards),
        cards_in_state=cards_in_state,
        card_bury=lambda user, card, buried: card_bury(user=user, card=card, buried=buried),
    )
