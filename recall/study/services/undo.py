"""Undo: ``review_undo(*, user, review_id=None, now=None) -> UndoResult`` takes back the
user's latest review, restoring the card exactly from the log's ``card_before`` snapshot (or
deleting the ``CardState`` if the card was new) and deleting that log row: the one deletion
the append-only log allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from recall.core.exceptions import ConflictError, NotFoundError
from recall.decks.models import Card

from .. import scheduling
from ..models import CardState, DailyReviewCount, ReviewLog, State
from ..queue import (
    LEARNING_STATES,
    live_siblings,
    queue_grew_for_deck,
    queue_reviews_stale_for_user,
    queue_stale_for_deck,
    queue_stale_for_user,
)
from ..signals import review_undone


@dataclass(frozen=True)
class UndoResult:
    review_id: int
    card_id: int | None
    state: CardState | None  # None: the card is new again


@transaction.atomic
def review_undo(
    *, user: Any, review_id: int | None = None, now: datetime | None = None
) -> UndoResult:
    """Take back the user's latest review; see the module docstring."""
    now = now or timezone.now()
    latest = ReviewLog.objects.filter(user=user).order_by("-id").first()
    if latest is None:
        raise NotFoundError("There is no review to undo.")
    if review_id is not None and latest.pk != review_id:
        raise ConflictError("Only your latest review can be undone, and this is not it.")
    state: CardState | None = None
    due_today = False
    if latest.card_id is not None:
        state = (
            CardState.objects.select_for_update().filter(user=user, card_id=latest.card_id).first()
        )
        # Re-read under the lock: a grade may have landed between the two reads.
        newest = ReviewLog.objects.filter(user=user).order_by("-id").first()
        if newest is None or newest.pk != latest.pk:
            raise ConflictError("Another review was recorded meanwhile; undo again.")
        if state is not None:
            due_today = state.state == State.REVIEW and (
                state.due < scheduling.current_day(user, now).end
            )
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
    _forget_queues(user, latest, due_today)
    transaction.on_commit(
        lambda: review_undone.send(
            sender=CardState, user_id=user.pk, card_id=card_id, review_id=log_id
        )
    )
    return UndoResult(review_id=log_id, card_id=card_id, state=state)


def _forget_queues(user: Any, log: ReviewLog, due_today: bool) -> None:
    """Forget what the day queue may have dropped for good and the undo brings back.

    The card is due or new again: its deck's lists are picked again. A card whose note has
    no other live card is spared more, unless the grade had made it a review due today
    (which the lists then hold): no sibling waits for it, so from learning it was in no
    list and nothing is forgotten, from new only its deck's new-card list is picked again
    (as after an import: ``queue_grew_for_deck``), and from review only the review lists
    (``queue_reviews_stale_for_user``, in any deck: the stamp is the user's; with 2,000
    reviews due, as in bench/load.py's backlog step, the next card after an undone review
    took 25 ms of CPU with the deck's lists picked again, 21.5 with the reviews only). In
    process on PostgreSQL with bench/load.py's decks, the "next card" after an undone new
    card took 40 ms of CPU with the deck's lists picked again, 18 ms with its new-card list
    only (13 ms with none). A shared deck's stamp is every reader's: there, the user's own
    queues are forgotten instead (but for a review, whose stamp is the user's already).
    """
    siblings = Exists(live_siblings(OuterRef("note_id"), OuterRef("pk")))
    row = (
        Card.objects.filter(pk=log.card_id)
        .values_list("deck_id", "deck__owner_id", siblings)
        .first()
        if log.card_id is not None
        else None
    )
    if row is None:
        queue_stale_for_user(user.pk)
        return
    deck_id, owner_id, has_siblings = row
    alone = not has_siblings and not due_today
    if alone and log.state_before in LEARNING_STATES:
        return
    if alone and log.state_before == State.REVIEW:
        queue_reviews_stale_for_user(user.pk)
    elif owner_id != user.pk:
        queue_stale_for_user(user.pk)
    elif alone and log.state_before == State.NEW:
        queue_grew_for_deck(deck_id)
    else:
        queue_stale_for_deck(deck_id)


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
