"""Undo: ``review_undo(*, user, review_id=None) -> UndoResult`` takes back the user's latest
review, restoring the card exactly from the log's ``card_before`` snapshot (or deleting the
``CardState`` if the card was new) and deleting that log row: the one deletion the
append-only log allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Subquery

from recall.core.exceptions import ConflictError, NotFoundError
from recall.decks.models import Card

from .. import scheduling
from ..models import CardState, DailyReviewCount, ReviewLog, State
from ..queue import queue_stale_for_deck, queue_stale_for_user
from ..signals import review_undone


@dataclass(frozen=True)
class UndoResult:
    review_id: int
    card_id: int | None
    state: CardState | None  # None: the card is new again


@transaction.atomic
def review_undo(*, user: Any, review_id: int | None = None) -> UndoResult:
    """Take back the user's latest review; see the module docstring."""
    latest = ReviewLog.objects.filter(user=user).order_by("-id").first()
    if latest is None:
        raise NotFoundError("There is no review to undo.")
    if review_id is not None and latest.pk != review_id:
        raise ConflictError("Only your latest review can be undone, and this is not it.")
    state: CardState | None = None
    if latest.card_id is not None:
        state = (
            CardState.objects.select_for_update().filter(user=user, card_id=latest.card_id).first()
        )
        # Re-read under the lock: a grade may have landed between the two reads.
        newest = ReviewLog.objects.filter(user=user).order_by("-id").first()
        if newest is None or newest.pk != latest.pk:
            raise ConflictError("Another review was recorded meanwhile; undo again.")
        if state is not None:
            if latest.state_before == State.NEW:
                state.delete()
                state = None
            else:
                version = state.version
                scheduling.restore(state, latest.card_before)
                state.version = version + 1
                state.save()
    log_id, card_id = latest.pk, latest.card_id
    ReviewLog.objects.filter(pk=log_id).delete()
    _uncount(latest)
    _forget_queues(user, card_id)
    transaction.on_commit(
        lambda: review_undone.send(
            sender=CardState, user_id=user.pk, card_id=card_id, review_id=log_id
        )
    )
    return UndoResult(review_id=log_id, card_id=card_id, state=state)


def _forget_queues(user: Any, card_id: int | None) -> None:
    """The card is due or new again, and the day queue may have dropped it from its lists.

    In the user's own deck, only that deck's lists are picked again (under bench/load.py a
    "next card" after an undo took 90 ms at the median when every list and the scope were
    picked again). A shared deck's stamp is every reader's: there, the user's own queues are
    forgotten instead.
    """
    deck = (
        Card.objects.filter(pk=card_id).values_list("deck_id", "deck__owner_id").first()
        if card_id is not None
        else None
    )
    if deck is not None and deck[1] == user.pk:
        queue_stale_for_deck(deck[0])
    else:
        queue_stale_for_user(user.pk)


def _uncount(log: ReviewLog) -> None:
    """Take an undone review off the DailyReviewCount row its grade added it to.

    That row is the user's latest day of the deck starting at or before the review (with the
    user's settings unchanged since, the review's own day). When the settings changed in
    between, the row decremented may be another: rows of days other than today holding
    reviews from today on then exist, and the queue counts the log (``queue.deck_quotas``).
    """
    if log.deck_id is None or log.state_before not in (State.NEW, State.REVIEW):
        return
    rows = DailyReviewCount.objects.filter(user_id=log.user_id, deck_id=log.deck_id)
    day = rows.filter(day_start__lte=log.reviewed_at).order_by("-day_start").values("day_start")
    new = int(log.state_before == State.NEW)
    rows.filter(day_start=Subquery(day[:1])).update(
        new_cards=F("new_cards") - new, reviews=F("reviews") - (1 - new)
    )
