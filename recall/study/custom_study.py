"""Custom study: reviewing ahead (real reviews) and cramming (the schedule never changes).

- ``review_ahead(*, user, days, deck=None, now=None, limit=None)``: started cards due in the
  next ``days`` study days (after today), soonest first. Studying them is grading them with
  ``services.card_grade``: real reviews, scheduled by FSRS from the actual elapsed time
  (a card reviewed early gains less stability), counted in statistics like any other.
- ``cram_cards(*, user, deck_id=None, tag="", query="", limit=MAX_CRAM)``: the cards of a
  deck, a tag or a search result, in deck (or ranking) order, to go through once more.
- ``CramSession``: where a cram stands (the cards left, done, again), kept by the caller
  (the web pages keep it in the user's session; an API client keeps its own). Cramming
  writes nothing: no ``CardState`` changes, no ``ReviewLog`` row, so neither FSRS, nor the
  statistics, nor the daily limits ever see it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from recall.core.exceptions import ApplicationError
from recall.decks.models import Card, Deck
from recall.search.query import QueryError
from recall.search.selectors import MAX_PAGE_SIZE, search_cards

from . import scheduling
from .models import CardState, State
from .selectors import deck_for_study, study_decks

MAX_AHEAD_DAYS = 365
MAX_CRAM = 200
# An "Again" in a cram brings the card back this many cards later.
CRAM_AGAIN_GAP = 3


def _live(prefix: str = "", now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(**{f"{prefix}is_archived": False, f"{prefix}suspended": False}) & (
        Q(**{f"{prefix}buried_until__isnull": True}) | Q(**{f"{prefix}buried_until__lte": now})
    )


# Review ahead ---------------------------------------------------------------------------


def _ahead_states(*, user: Any, days: int, deck: Deck | None, now: datetime) -> QuerySet[CardState]:
    if not 1 <= days <= MAX_AHEAD_DAYS:
        raise ApplicationError(
            f"days must be between 1 and {MAX_AHEAD_DAYS}.",
            extra={"fields": {"days": [f"Between 1 and {MAX_AHEAD_DAYS}."]}},
        )
    today = scheduling.current_day(user, now)
    until = scheduling.day_start(user, today.day + timedelta(days=days + 1))
    return CardState.objects.filter(
        _live("card__", now),
        user=user,
        deck__in=study_decks(user, deck),
        state=State.REVIEW,
        due__gte=today.end,
        due__lt=until,
    )


def review_ahead(
    *,
    user: Any,
    days: int,
    deck: Deck | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[Card]:
    """Review cards due in the next ``days`` study days, soonest first (``card.queue``:
    ``"ahead"``, ``card.study_state``: its state, for the grade's version)."""
    now = now or timezone.now()
    states = (
        _ahead_states(user=user, days=days, deck=deck, now=now)
        .select_related("card", "card__deck", "card__note")
        .order_by("due", "id")
    )
    out: list[Card] = []
    for state in states[:limit] if limit is not None else states:
        card = state.card
        card.study_state = state  # type: ignore[attr-defined]
        card.queue = "ahead"  # type: ignore[attr-defined]
        out.append(card)
    return out


def review_ahead_count(
    *, user: Any, days: int, deck: Deck | None = None, now: datetime | None = None
) -> int:
    return _ahead_states(user=user, days=days, deck=deck, now=now or timezone.now()).count()


# Cram -----------------------------------------------------------------------------------


def cram_cards(
    *,
    user: Any,
    deck_id: int | None = None,
    tag: str = "",
    query: str = "",
    limit: int = MAX_CRAM,
) -> list[Card]:
    """The cards to cram: a deck's, a tag's (in the decks you study) or a search's, at most
    ``limit`` (``MAX_CRAM``), suspended and archived cards left out."""
    tag, query = tag.strip(), query.strip()
    if deck_id is None and not tag and not query:
        raise ApplicationError("Choose a deck, a tag or a search to cram.")
    limit = max(1, min(limit, MAX_CRAM))
    deck = deck_for_study(user, deck_id) if deck_id is not None else None
    cards = Card.objects.filter(_live(), deck__in=study_decks(user, deck)).select_related(
        "deck", "note"
    )
    if tag:
        cards = cards.filter(note__tags__name__iexact=tag).distinct()
    if not query:
        return list(cards.order_by("deck__title", "deck_id", "position", "ordinal", "id")[:limit])
    try:
        found = search_cards(
            user=user,
            query=query,
            page_size=MAX_PAGE_SIZE,
            deck_slug=deck.slug if deck is not None else None,
            tag=tag or None,
        )
    except QueryError as exc:
        raise ApplicationError(
            f"That search cannot be crammed: {exc.message}", extra={"fields": {"q": [exc.message]}}
        ) from exc
    rank = {hit.card_id: i for i, hit in enumerate(found.hits)}  # search hits are notes
    matched = list(cards.filter(note_id__in=list(rank)))
    matched.sort(key=lambda card: (rank[card.note_id], card.ordinal))
    return matched[:limit]


@dataclass
class CramSession:
    """A cram in progress: plain data, stored by the caller (``as_dict``/``from_dict``)."""

    label: str
    ids: list[int] = field(default_factory=list)
    total: int = 0
    done: int = 0
    again: int = 0

    @classmethod
    def start(cls, label: str, cards: list[Card]) -> CramSession:
        ids = [card.pk for card in cards]
        return cls(label=label, ids=ids, total=len(ids))

    @classmethod
    def from_dict(cls, data: Any) -> CramSession | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                label=str(data["label"]),
                ids=[int(pk) for pk in data["ids"]],
                total=int(data["total"]),
                done=int(data["done"]),
                again=int(data["again"]),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def current(self) -> int | None:
        return self.ids[0] if self.ids else None

    def answer(self, card_id: int, grade: int) -> bool:
        """Again puts the card back a few cards later; any other grade is done with it.
        False (and nothing changes) when ``card_id`` is not the card shown."""
        if card_id != self.current or grade not in (1, 2, 3, 4):
            return False
        self.ids.pop(0)
        if grade == 1:
            self.ids.insert(min(CRAM_AGAIN_GAP, len(self.ids)), card_id)
            self.again += 1
        else:
            self.done += 1
        return True
