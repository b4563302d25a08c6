"""Cache stamps of the day queue: a cached scope or queue is used only while the stamps it was
built with are still current; forgetting is setting a fresh stamp."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db import transaction

DAY_QUEUE_SECONDS = 24 * 3600


def stamp_key(kind: str, pk: int) -> str:
    return f"study:queue-stamp:{kind}:{pk}"


# Bumped by any deck saved or deleted: every cached scope is read again.
DECKS_STAMP = "study:queue-stamp:decks"


def user_key(user: Any) -> str:
    # date_joined tells apart two users who had the same id (a recreated database).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"{user.pk}:{joined}"


def current_stamps(keys: list[str]) -> dict[str, str]:
    """The current stamps of ``keys``, a fresh one set for any missing."""
    stamps = cache.get_many(keys)
    missing = [key for key in keys if key not in stamps]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, None)
        stamps = cache.get_many(keys)
    return stamps


def _restamp(keys: Sequence[str]) -> None:
    # A fresh random stamp, never a counter: an evicted counter could come back at a value
    # a stale entry was built with; a missing stamp never matches one.
    cache.set_many({key: uuid.uuid4().hex for key in keys}, None)


def forget(keys: list[str]) -> None:
    _restamp(keys)
    # Again after commit: a queue built meanwhile from the uncommitted rows' old state
    # must not outlive the change.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _restamp(keys))


def queue_stale_for_deck(*deck_ids: int | None) -> None:
    """Forget the day queues built from these decks' cards (cards added, edited, moved,
    suspended or buried: cards that may have become eligible)."""
    _forget_decks("deck", deck_ids)


def queue_grew_for_deck(*deck_ids: int | None) -> None:
    """Forget the new-card lists built from these decks, which gained new notes and nothing
    else: no card of them has a state, so the review lists stay (``DayQueue.refresh``)."""
    _forget_decks("deck-grew", deck_ids)


def _forget_decks(kind: str, deck_ids: tuple[int | None, ...]) -> None:
    keys = [stamp_key(kind, pk) for pk in sorted({d for d in deck_ids if d is not None})]
    if keys:
        forget(keys)


def queue_reviews_stale_for_user(user_id: int) -> None:
    """Forget the user's review lists only, in every scope: a review came back (an undone
    grade of a card whose note has no other live card) and nothing else changed, so each
    deck's new-card list stays (``DayQueue._stale_decks``)."""
    forget([stamp_key("reviews", user_id)])


def queue_stale_for_user(user_id: int) -> None:
    """Forget a user's day queues and scope (an undo in someone else's deck, a review due
    again today, a deck of someone else's started)."""
    forget([stamp_key("user", user_id)])


def queue_stale_for_decks() -> None:
    """Forget every cached scope (a deck was created, deleted or changed: its limits, its
    owner or who may read it)."""
    forget([DECKS_STAMP])
