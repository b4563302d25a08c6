"""The study queue: which cards a session shows now, in order, under the daily limits.

Public functions (re-exported by ``selectors``, where callers find them):

- ``study_queue(*, user, deck=None, now=None, limit=None) -> list[Card]``: cards to study now,
  in order: due learning/relearning cards, due reviews (per-deck ``reviews_per_day`` cap),
  then new cards (per-deck ``new_cards_per_day`` limit). Each card carries
  ``card.study_state`` (its ``CardState`` or ``None``) and ``card.queue``
  (``"learning"``, ``"review"`` or ``"new"``).
- ``queue_counts(*, user, deck=None, now=None) -> QueueCounts``: how many of each remain.
- ``study_session(...)``: both, sharing one look at today's quotas.
- ``study_decks(user, deck=None)``: the decks a session draws from.
- ``queue_stale_for_deck(*deck_ids)``, ``queue_grew_for_deck(*deck_ids)``,
  ``queue_stale_for_user(user_id)``, ``queue_reviews_stale_for_user(user_id)``,
  ``queue_stale_for_decks()``: forget cached day queues and scopes (see "The day queue").

The day queue. Reviews due today and the day's new cards change only when a card is graded
(or undone) or when cards change, so the first ones (``DAY_QUEUE_CHUNK`` per list; a deck's
whole quota of new cards up to 1,000) are picked once per user, scope and study day by the
full queries and kept in the cache, as ids, with the scope (decks and limits). Each "next
cards" call then reads today's counts (one query on DailyReviewCount), then the due
learning cards and the head of the review list checked against the database, together (one
query, by primary key for the reviews), and the head of a deck's new-card list when new
cards are served (one query): a card graded, suspended, buried or archived since is
skipped, and the quotas cap what is served, so two tabs and grades from anywhere stay
exact. The counts a session shows come from the same lists (``DayQueue.counts``): the due
learning cards (as the serving query read them, when it read them all; else counted), then
each list that holds a card by its tally (``tally``): its valid cards, as ids, picked once
by the full query and then kept up to date from the review log (what was graded since the
last count, and those cards' siblings), so a count reads the log, not the cards (a deck's
300 new cards checked on every next card: 19.4 -> 15.5 ms on PostgreSQL through the API,
in-process). What a check cannot see, a card becoming eligible, forgets the lists through
stamps kept in the cache (random values, so an evicted stamp never matches): a card saved
or a deck's notes changed (imports, edits, an undo in the user's own deck:
``queue_stale_for_deck``; an undo of a card without siblings forgets less, see
``services.undo``), an undo in someone else's deck, a review due again today or a
deck of someone else's started (``queue_stale_for_user``), any deck saved or deleted
(``queue_stale_for_decks``: the scopes are read again; changed limits also rebuild the
lists). A change confined to some decks (their stamps or limits, a deck new in the scope)
picks again those decks' new-card lists and the review list (``DayQueue.refresh``), unless
every such deck only gained new notes (a notes file that grew, the note form:
``queue_grew_for_deck``) or is new to the scope without a state of the user: new notes have
no state, so the reviews stay (a next card after re-importing a grown file: 17.5 -> 11 ms
on SQLite, 600 cards, 100 reviews due); a review that came back alone (an undone grade of a
card whose note has no other live card: ``queue_reviews_stale_for_user``) picks again the
review lists only; a user-wide change picks everything again.

Modules: ``scope`` (the decks in scope and their quotas left today), ``plan`` (the queries),
``day`` (the cached day queue and serving from it), ``tally`` (counting its lists),
``stamps`` (the cache stamps and the ``queue_stale_*`` functions).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from recall.decks.models import Card, Deck

from .day import DayQueue, plan_cards
from .plan import LEARN_AHEAD, LEARNING_STATES, Plan, live_siblings
from .scope import DeckQuota, QueueCounts, deck_quotas, study_decks
from .stamps import (
    queue_grew_for_deck,
    queue_reviews_stale_for_user,
    queue_stale_for_deck,
    queue_stale_for_decks,
    queue_stale_for_user,
)

__all__ = [
    "LEARNING_STATES",
    "LEARN_AHEAD",
    "DayQueue",
    "DeckQuota",
    "Plan",
    "QueueCounts",
    "deck_quotas",
    "live_siblings",
    "queue_counts",
    "queue_grew_for_deck",
    "queue_reviews_stale_for_user",
    "queue_stale_for_deck",
    "queue_stale_for_decks",
    "queue_stale_for_user",
    "study_decks",
    "study_queue",
    "study_session",
]


def study_queue(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = None
) -> list[Card]:
    """The cards to study now, in order (see the package docstring)."""
    return plan_cards(Plan(user, deck, now), limit)


def queue_counts(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None
) -> QueueCounts:
    return DayQueue(Plan(user, deck, now)).counts()


def study_session(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = 1
) -> tuple[list[Card], QueueCounts]:
    """The next cards and the remaining counts, sharing one look at today's quotas."""
    plan = Plan(user, deck, now)
    day = DayQueue(plan)
    return plan_cards(plan, limit, day), day.counts()
