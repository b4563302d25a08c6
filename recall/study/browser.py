"""The card browser's one rule for filtering and sorting cards by their study state.

Used by the web page (``/cards/``, ``CardBrowserView``) and the cards API (``CardFilter``),
so both filter and sort the same way. A card the user never graded has no ``CardState``:
it is new, with no due date, interval, stability, difficulty and no lapses; in a sort such
cards come last, whatever the direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from recall.decks.models import Card

from . import scheduling
from .models import CardState, State

# ?sort= keys (a leading "-" sorts descending) and the annotation or column each sorts by.
SORTS: dict[str, str] = {
    "due": "study_due",
    "interval": "study_interval",
    "stability": "study_stability",
    "difficulty": "study_difficulty",
    "lapses": "study_lapses",
    "created": "created_at",
    "deck": "deck__title",
}
SORT_CHOICES = [key for name in SORTS for key in (name, f"-{name}")]
STATES = ["new", "learning", "review", "relearning", "buried"]
# The deck order: what the browser shows without a sort, and the tie-break of every sort.
DECK_ORDER = ("deck__title", "deck_id", "position", "ordinal", "id")


@dataclass(frozen=True)
class CardQuery:
    """The browser's filters; each unset one (None, "") filters nothing."""

    deck_id: int | None = None
    tag: str = ""
    kind: str = ""
    state: str = ""
    due_from: date | None = None
    due_to: date | None = None
    lapses_min: int | None = None
    q: str = ""
    suspended: bool | None = None
    flagged: bool | None = None
    sort: str = ""


def _user_id(user: Any) -> int:
    # No user (an anonymous API reader): no study state matches id 0.
    return int(getattr(user, "pk", None) or 0)


def with_study_state(cards: QuerySet[Card], user: Any) -> QuerySet[Card]:
    """Annotate each card with the user's state of it: ``study_state_value``, ``study_due``,
    ``study_interval`` (due minus last review), ``study_stability``, ``study_difficulty``,
    ``study_lapses`` (all None for a new card)."""
    states = CardState.objects.filter(user_id=_user_id(user), card_id=OuterRef("pk"))
    interval = ExpressionWrapper(F("due") - F("last_review"), output_field=DurationField())
    return cards.annotate(
        study_state_value=Subquery(states.values("state")[:1]),
        study_due=Subquery(states.values("due")[:1]),
        study_interval=Subquery(states.annotate(span=interval).values("span")[:1]),
        study_stability=Subquery(states.values("stability")[:1]),
        study_difficulty=Subquery(states.values("difficulty")[:1]),
        study_lapses=Subquery(states.values("lapses")[:1]),
    )


def cards_filter(cards: QuerySet[Card], user: Any, query: CardQuery) -> QuerySet[Card]:
    """Apply the browser's filters (the user's study state, read from ``CardState``).

    ``user`` may be None for a query without study filters (an anonymous API reader's text
    search)."""
    return _study_filtered(_card_filtered(cards, query), user, query)


def _card_filtered(cards: QuerySet[Card], query: CardQuery) -> QuerySet[Card]:
    """The filters on the card and its note (no study data)."""
    if query.deck_id is not None:
        cards = cards.filter(deck_id=query.deck_id)
    if query.tag:
        # Tag names are unique per owner: the join adds no duplicate rows.
        cards = cards.filter(note__tags__name=query.tag)
    if query.kind:
        cards = cards.filter(note__kind=query.kind)
    if query.q:
        # A plain match on the note's text: every word must appear (case ignored).
        for word in query.q.split()[:10]:
            cards = cards.filter(
                Q(note__question__icontains=word) | Q(note__answer__icontains=word)
            )
    if query.suspended is not None:
        cards = cards.filter(suspended=query.suspended)
    if query.flagged is not None:
        cards = cards.filter(flagged=query.flagged)
    return cards


def _study_filtered(cards: QuerySet[Card], user: Any, query: CardQuery) -> QuerySet[Card]:
    """The filters on the user's study state of the card."""
    states = CardState.objects.filter(user_id=_user_id(user), card_id=OuterRef("pk"))
    if query.state == "new":
        cards = cards.exclude(Exists(states.exclude(state=State.NEW)))
    elif query.state == "buried":
        cards = cards.filter(buried_until__gt=timezone.now())
    elif query.state:
        cards = cards.filter(Exists(states.filter(state=State[query.state.upper()])))
    if query.due_from is not None or query.due_to is not None:
        # Dates are the user's study days (their zone and rollover hour), both ends included.
        due = Q()
        if query.due_from is not None:
            due &= Q(due__gte=scheduling.day_start(user, query.due_from))
        if query.due_to is not None:
            due &= Q(due__lt=scheduling.day_start(user, query.due_to + timedelta(days=1)))
        cards = cards.filter(Exists(states.filter(due)))
    if query.lapses_min:
        cards = cards.filter(Exists(states.filter(lapses__gte=query.lapses_min)))
    return cards


def cards_sort(cards: QuerySet[Card], sort: str) -> QuerySet[Card]:
    """Order by one ``SORTS`` key ("-key": descending), then in deck order (``created``: by id,
    the same way); else deck order.

    The queryset must carry ``with_study_state``'s annotations."""
    name = sort.removeprefix("-")
    if name not in SORTS:
        return cards.order_by(*DECK_ORDER)
    descending = sort.startswith("-")
    column = F(SORTS[name])
    first: OrderBy = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    if name == "created":
        # The cards of one import or one note share a timestamp; ids keep their creation order.
        return cards.order_by(first, F("id").desc() if descending else F("id").asc())
    return cards.order_by(first, *DECK_ORDER)


def card_browser(*, user: Any, query: CardQuery | None = None) -> QuerySet[Card]:
    """The user's own live cards for the card browser, filtered and sorted.

    Each card carries the ``with_study_state`` annotations (None when never graded: new).
    ``state``: "new", "learning", "review" or "relearning"; "buried" is a state of its own
    here (buried now, until the next study day).
    """
    query = query or CardQuery()
    cards = Card.objects.filter(deck__owner=user, is_archived=False).select_related("deck", "note")
    cards = cards_filter(with_study_state(cards, user), user, query)
    return cards_sort(cards, query.sort)
