"""The queries of the study queue: learning cards, capped reviews and new cards with their
siblings buried, for one user, scope and study day."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from recall.decks.models import Card, Deck

from .. import scheduling
from ..models import CardState, ReviewLog, State
from .scope import QueueCounts, deck_quotas

# When nothing else is left, learning cards due this soon are shown early (Anki does the same),
# so a session does not end with "come back in 10 minutes".
LEARN_AHEAD = timedelta(minutes=20)
LEARNING_STATES = (State.LEARNING, State.RELEARNING)


def live_siblings(note: Any, card: Any) -> QuerySet[Card]:
    return Card.objects.filter(note_id=note, is_archived=False, suspended=False).exclude(pk=card)


def _graded_today(user_id: int, day_start: datetime) -> Exists:
    return Exists(
        ReviewLog.objects.filter(
            user_id=user_id, card_id=OuterRef("pk"), reviewed_at__gte=day_start
        )
    )


def _new_cards(
    user_id: int, deck_id: int | None, day_start: datetime, day_end: datetime
) -> QuerySet[Card]:
    """A deck's new cards for a user's study day, in study order, siblings buried (every
    deck's when ``deck_id`` is None: for checking cards already picked by id).

    It walks the ``card_live_order`` partial index in study order (tests pin the plan).
    """
    states = CardState.objects.filter(user_id=user_id, card_id=OuterRef("pk"))
    # A new card waits when a live sibling was graded today, is due today, or is new with
    # a lower ordinal.
    blocking = live_siblings(OuterRef("note_id"), OuterRef("pk")).filter(
        _graded_today(user_id, day_start)
        | Exists(states.filter(due__lt=day_end))
        | (Q(ordinal__lt=OuterRef("ordinal")) & ~Exists(states))
    )
    studied = CardState.objects.filter(user_id=user_id, card=OuterRef("pk"))
    # Burying lasts until the start of a study day, so within one day "no longer buried" is
    # "buried until this day's start or earlier": a rule that needs no clock of its own.
    unburied = Q(buried_until__isnull=True) | Q(buried_until__lte=day_start)
    cards = Card.objects.all() if deck_id is None else Card.objects.filter(deck_id=deck_id)
    return (
        cards.filter(is_archived=False, suspended=False)
        .filter(unburied)
        .exclude(Exists(studied))
        .filter(Q(deck__bury_siblings=False) | ~Exists(blocking))
        .order_by("position", "ordinal", "id")
    )


class Plan:
    """What a session may still show today: the decks and their remaining daily quotas."""

    def __init__(self, user: Any, deck: Deck | None, now: datetime | None) -> None:
        self.user = user
        self.scope = deck
        self.now = now or timezone.now()
        self.day = scheduling.current_day(user, self.now)
        rows = deck_quotas(user, deck, self.day.start)
        self.decks = {quota.pk: quota for quota in rows}
        self.deck_ids = list(self.decks)
        self.new_left = {quota.pk: quota.new_left for quota in rows}
        self.reviews_left = {quota.pk: quota.reviews_left for quota in rows}

    def _states(self, *branches: Q) -> QuerySet[CardState]:
        """The user's states of live, unburied cards in the plan's decks; with ``branches``,
        those matching any of them.

        Each branch gets the user and deck terms of its own, so that the database reads an
        OR index by index (SQLite's MULTI-INDEX OR, PostgreSQL's BitmapOr) rather than all
        the user's states in the decks.
        """
        mine = Q(user=self.user, deck__in=self.deck_ids)
        where = reduce(operator.or_, (mine & branch for branch in branches)) if branches else mine
        return CardState.objects.filter(
            where, card__is_archived=False, card__suspended=False
        ).filter(self._unburied("card__"))

    def _unburied(self, prefix: str = "") -> Q:
        # A buried card comes back on its own once its ``buried_until`` has passed.
        return Q(**{f"{prefix}buried_until__isnull": True}) | Q(
            **{f"{prefix}buried_until__lte": self.now}
        )

    # Sibling burying: one card of a note a day, in decks that bury siblings (the default).
    # A card waits when a sibling (same note, live) was graded since the study day began;
    # a review also when a sibling is in learning today or is a review due today ahead of
    # it; a new card also when a sibling is due today or is new with a lower ordinal.
    # Learning cards never wait.

    def unburied_reviews(self, states: QuerySet[CardState]) -> QuerySet[CardState]:
        ahead = CardState.objects.filter(
            user=self.user, card_id=OuterRef("pk"), due__lt=self.day.end
        ).filter(
            Q(state__in=LEARNING_STATES)
            | Q(state=State.REVIEW, due__lt=OuterRef(OuterRef("due")))
            | Q(state=State.REVIEW, due=OuterRef(OuterRef("due")), id__lt=OuterRef(OuterRef("id")))
        )
        blocking = live_siblings(OuterRef("card__note_id"), OuterRef("card_id")).filter(
            _graded_today(self.user.pk, self.day.start) | Exists(ahead)
        )
        return states.filter(Q(deck__bury_siblings=False) | ~Exists(blocking))

    def learning(self, *, ahead: bool = False) -> QuerySet[CardState]:
        until = self.now + LEARN_AHEAD if ahead else self.now
        return self._states().filter(state__in=LEARNING_STATES, due__lte=until)

    def reviews(self, *, flag_siblings: bool = False, extra: int = 0) -> QuerySet[CardState]:
        """Today's reviews in (due, id) order, each deck's cut at its reviews left (plus
        ``extra``: a tally keeps some spare, ``tally._SLACK``)."""
        capped = [pk for pk, left in self.reviews_left.items() if left > 0]
        qs = self.unburied_reviews(
            self._states().filter(state=State.REVIEW, due__lt=self.day.end, deck__in=capped)
        )
        if flag_siblings:
            siblings = live_siblings(OuterRef("card__note_id"), OuterRef("card_id"))
            qs = qs.annotate(has_siblings=Exists(siblings))
        if len(capped) <= 1:
            return qs.order_by("due", "id")[: self.reviews_left[capped[0]] + extra if capped else 0]
        # Per-deck caps in one query: number the due cards within each deck, keep the first N.
        cap = Case(
            *[When(deck_id=pk, then=Value(self.reviews_left[pk] + extra)) for pk in capped],
            output_field=IntegerField(),
        )
        rank = Window(RowNumber(), partition_by=[F("deck_id")], order_by=[F("due"), F("id")])
        return qs.annotate(rank=rank, cap=cap).filter(rank__lte=F("cap")).order_by("due", "id")

    def new_cards(self, deck_id: int | None) -> QuerySet[Card]:
        """The deck's new cards in study order, unburied (None: of any deck)."""
        return _new_cards(self.user.pk, deck_id, self.day.start, self.day.end)

    def counts(self) -> QueueCounts:
        """What the queue serves now, by queue: the same rules as ``cards``.

        When nothing else is left, ``cards`` shows learning cards due within
        ``LEARN_AHEAD`` early, so the learning count then counts those too.
        """
        learning = self.learning().count()
        review = self.reviews().count()
        new = 0
        for deck_id in self.deck_ids:
            quota = self.new_left[deck_id]
            if quota > 0:
                # COUNT over a LIMITed subquery: never counts more cards than today's quota.
                new += self.new_cards(deck_id)[:quota].count()
        if learning + review + new == 0:
            learning = self.learning(ahead=True).count()
        return QueueCounts(learning=learning, review=review, new=new)


def marked(states: Iterable[CardState], queue: str) -> list[Card]:
    out = []
    for state in states:
        card = state.card
        card.study_state = state  # type: ignore[attr-defined]
        card.queue = queue  # type: ignore[attr-defined]
        out.append(card)
    return out


def marked_new(cards: Iterable[Card]) -> list[Card]:
    out = list(cards)
    for card in out:
        card.study_state = None  # type: ignore[attr-defined]
        card.queue = "new"  # type: ignore[attr-defined]
    return out
