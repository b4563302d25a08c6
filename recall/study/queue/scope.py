"""The decks a session draws from and what each has left today under its daily limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from recall.decks import selectors as deck_selectors
from recall.decks.models import Deck
from recall.decks.selectors import deck_readable_q

from ..models import CardState, DailyReviewCount, ReviewLog, State
from .stamps import DAY_QUEUE_SECONDS, DECKS_STAMP, current_stamps, stamp_key, user_key


def study_decks(user: Any, deck: Deck | None = None) -> QuerySet[Deck]:
    """Decks a session draws from: one deck, or the user's own plus readable started ones."""
    if deck is not None:
        return Deck.objects.filter(pk=deck.pk)
    started = Exists(CardState.objects.filter(user=user, deck=OuterRef("pk")))
    return Deck.objects.filter(Q(owner=user) | (deck_readable_q(user) & started)).order_by(
        "title", "id"
    )


@dataclass(frozen=True)
class QueueCounts:
    learning: int
    review: int
    new: int
    exam: int = 0  # cards an exam plan adds today (recall.study.exam_queue)

    @property
    def total(self) -> int:
        return self.learning + self.review + self.new + self.exam

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


@dataclass(frozen=True)
class DeckQuota:
    """A deck in scope, its daily limits and what it has left today."""

    pk: int
    new_per_day: int
    reviews_per_day: int
    bury_siblings: bool
    new_left: int = 0
    reviews_left: int = 0


def _scope(user: Any, deck: Deck | None) -> list[DeckQuota]:
    """The decks of ``study_decks`` with their limits (no counts), kept in the cache.

    Forgotten when any deck is saved or deleted (``queue_stale_for_decks``: limits, access,
    new decks) or the user starts a deck that is not theirs (``queue_stale_for_user``).
    """
    # The read rule's outcome is part of the key: a new rule (a deploy) never meets old scopes.
    rule = deck_selectors.decks_readable_for(user)
    shape = f"{rule.owner_id}:{','.join(rule.visibilities)}"
    key = f"study:scope:{user_key(user)}:{deck.pk if deck is not None else 'all'}:{shape}"
    stamp_keys = [stamp_key("user", user.pk), DECKS_STAMP]
    # The entry and the current stamps in one cache round trip.
    got = cache.get_many([key, *stamp_keys])
    entry = got.pop(key, None)
    if entry is not None and got == entry[0]:
        return list(entry[1])
    stamps = current_stamps(stamp_keys)
    rows = [
        DeckQuota(*row)
        for row in study_decks(user, deck).values_list(
            "pk", "new_cards_per_day", "reviews_per_day", "bury_siblings"
        )
    ]
    cache.set(key, (stamps, rows), DAY_QUEUE_SECONDS)
    return rows


def _done_today(user: Any, day_start: datetime) -> dict[int, tuple[int, int]]:
    """(new cards, reviews) graded per deck since ``day_start`` (one query).

    Read from the DailyReviewCount rows keyed by ``day_start``: one row per deck, however
    many reviews. Those rows hold exactly those reviews unless some review at or after
    ``day_start`` was counted under another day (the user changed their zone or rollover
    hour, or a grade was made with a later time): such a row has a ``last_reviewed_at``
    from ``day_start`` on, so the same query sees it, and the counts then come from the log.
    """
    rows = DailyReviewCount.objects.filter(user=user, last_reviewed_at__gte=day_start).values_list(
        "deck_id", "day_start", "new_cards", "reviews"
    )
    counted = list(rows)
    if all(day == day_start for _, day, _, _ in counted):
        return {deck_id: (new, reviews) for deck_id, _, new, reviews in counted}
    logged = (
        ReviewLog.objects.filter(user=user, reviewed_at__gte=day_start)
        .order_by()
        .values("deck_id")
        .annotate(
            new=Count("id", filter=Q(state_before=State.NEW)),
            reviews=Count("id", filter=Q(state_before=State.REVIEW)),
        )
    )
    return {row["deck_id"]: (row["new"], row["reviews"]) for row in logged}


def deck_quotas(user: Any, deck: Deck | None, day_start: datetime) -> list[DeckQuota]:
    """The decks in scope (``study_decks``' order) with their quotas left today.

    One query (today's counts, see ``_done_today``) once the scope is cached.
    """
    done = _done_today(user, day_start)
    out = []
    for quota in _scope(user, deck):
        new, reviews = done.get(quota.pk, (0, 0))
        out.append(
            replace(
                quota,
                new_left=max(0, quota.new_per_day - new),
                reviews_left=max(0, quota.reviews_per_day - reviews),
            )
        )
    return out
