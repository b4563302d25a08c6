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
- ``queue_stale_for_deck(*deck_ids)``, ``queue_stale_for_user(user_id)``,
  ``queue_stale_for_decks()``: forget cached day queues and scopes (see "The day queue").

The day queue. Reviews due today and the day's new cards change only when a card is graded
(or undone) or when cards change, so the first ones (``DAY_QUEUE_CHUNK`` per list) are
picked once per user, scope and study day by the full queries and kept in the cache, as
ids, with the scope (decks and limits). Each "next cards" call then reads today's counts
(one query on DailyReviewCount), the due learning cards (one query) and checks the head of
those lists against the database (one query per kind, by primary key): a card graded,
suspended, buried or archived since is skipped, and the quotas cap what is served, so two
tabs and grades from anywhere stay exact. What a check cannot see, a card becoming
eligible, forgets the lists through stamps kept in the cache (random values, so an evicted
stamp never matches): a card saved or a deck's notes changed (imports, edits:
``queue_stale_for_deck``), an undo, a review due again today or a deck of someone else's
started (``queue_stale_for_user``), any deck saved or deleted (``queue_stale_for_decks``:
the scopes are read again; changed limits also rebuild the lists).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
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

from recall.decks import selectors as deck_selectors
from recall.decks.models import Card, Deck
from recall.decks.selectors import deck_readable_q

from . import scheduling
from .models import CardState, DailyReviewCount, ReviewLog, State

# When nothing else is left, learning cards due this soon are shown early (Anki does the same),
# so a session does not end with "come back in 10 minutes".
LEARN_AHEAD = timedelta(minutes=20)
LEARNING_STATES = (State.LEARNING, State.RELEARNING)
# Cards per list of the day queue: a rebuild every this many answers at most, and a cache
# entry of a few kilobytes.
DAY_QUEUE_CHUNK = 200
DAY_QUEUE_SECONDS = 24 * 3600
# Ids checked per round against the database when serving from the day queue.
_HEAD = 2


# Scope ----------------------------------------------------------------------------------


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
    key = f"study:scope:{_user_key(user)}:{deck.pk if deck is not None else 'all'}:{shape}"
    entry = cache.get(key)
    if entry is not None and cache.get_many(list(entry[0])) == entry[0]:
        return list(entry[1])
    stamps = _stamps([_stamp_key("user", user.pk), _DECKS_STAMP])
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


# The queries ----------------------------------------------------------------------------


def _live_siblings(note: Any, card: Any) -> QuerySet[Card]:
    return Card.objects.filter(note_id=note, is_archived=False, suspended=False).exclude(pk=card)


def _graded_today(user_id: int, day_start: datetime) -> Exists:
    return Exists(
        ReviewLog.objects.filter(
            user_id=user_id, card_id=OuterRef("pk"), reviewed_at__gte=day_start
        )
    )


def _new_cards(
    user_id: int, deck_id: int, day_start: datetime, day_end: datetime
) -> QuerySet[Card]:
    """A deck's new cards for a user's study day, in study order, siblings buried.

    It walks the ``card_live_order`` partial index in study order (tests pin the plan).
    """
    states = CardState.objects.filter(user_id=user_id, card_id=OuterRef("pk"))
    # A new card waits when a live sibling was graded today, is due today, or is new with
    # a lower ordinal.
    blocking = _live_siblings(OuterRef("note_id"), OuterRef("pk")).filter(
        _graded_today(user_id, day_start)
        | Exists(states.filter(due__lt=day_end))
        | (Q(ordinal__lt=OuterRef("ordinal")) & ~Exists(states))
    )
    studied = CardState.objects.filter(user_id=user_id, card=OuterRef("pk"))
    # Burying lasts until the start of a study day, so within one day "no longer buried" is
    # "buried until this day's start or earlier": a rule that needs no clock of its own.
    unburied = Q(buried_until__isnull=True) | Q(buried_until__lte=day_start)
    return (
        Card.objects.filter(deck_id=deck_id, is_archived=False, suspended=False)
        .filter(unburied)
        .exclude(Exists(studied))
        .filter(Q(deck__bury_siblings=False) | ~Exists(blocking))
        .order_by("position", "ordinal", "id")
    )


class _Plan:
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

    def _states(self) -> QuerySet[CardState]:
        return CardState.objects.filter(
            user=self.user, deck__in=self.deck_ids, card__is_archived=False, card__suspended=False
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
        blocking = _live_siblings(OuterRef("card__note_id"), OuterRef("card_id")).filter(
            _graded_today(self.user.pk, self.day.start) | Exists(ahead)
        )
        return states.filter(Q(deck__bury_siblings=False) | ~Exists(blocking))

    def learning(self, *, ahead: bool = False) -> QuerySet[CardState]:
        until = self.now + LEARN_AHEAD if ahead else self.now
        return self._states().filter(state__in=LEARNING_STATES, due__lte=until)

    def reviews(self, *, flag_siblings: bool = False) -> QuerySet[CardState]:
        capped = [pk for pk, left in self.reviews_left.items() if left > 0]
        qs = self.unburied_reviews(
            self._states().filter(state=State.REVIEW, due__lt=self.day.end, deck__in=capped)
        )
        if flag_siblings:
            siblings = _live_siblings(OuterRef("card__note_id"), OuterRef("card_id"))
            qs = qs.annotate(has_siblings=Exists(siblings))
        if len(capped) <= 1:
            return qs.order_by("due", "id")[: self.reviews_left[capped[0]] if capped else 0]
        # Per-deck caps in one query: number the due cards within each deck, keep the first N.
        cap = Case(
            *[When(deck_id=pk, then=Value(self.reviews_left[pk])) for pk in capped],
            output_field=IntegerField(),
        )
        rank = Window(RowNumber(), partition_by=[F("deck_id")], order_by=[F("due"), F("id")])
        return qs.annotate(rank=rank, cap=cap).filter(rank__lte=F("cap")).order_by("due", "id")

    def new_cards(self, deck_id: int) -> QuerySet[Card]:
        """The deck's new cards in study order, unburied."""
        return _new_cards(self.user.pk, deck_id, self.day.start, self.day.end)

    def cards(self, limit: int | None) -> list[Card]:
        related = ("card", "card__deck")
        if limit is None:
            out = _marked(
                self.learning().select_related(*related).order_by("due", "id"), "learning"
            )
            out += _marked(self.reviews().select_related(*related), "review")
            for deck_id in self.deck_ids:
                if self.new_left[deck_id] > 0:
                    out += _new(
                        self.new_cards(deck_id).select_related("deck")[: self.new_left[deck_id]]
                    )
        elif limit > 0:
            learning = self.learning().select_related(*related).order_by("due", "id")[:limit]
            out = _marked(learning, "learning")
            if len(out) < limit:
                out += DayQueue(self).next_cards(limit - len(out))
        else:
            return []
        if not out:
            ahead = self.learning(ahead=True).select_related(*related).order_by("due", "id")
            out = _marked(ahead if limit is None else ahead[:limit], "learning")
        return out

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


def _marked(states: Iterable[CardState], queue: str) -> list[Card]:
    out = []
    for state in states:
        card = state.card
        card.study_state = state  # type: ignore[attr-defined]
        card.queue = queue  # type: ignore[attr-defined]
        out.append(card)
    return out


def _new(cards: Iterable[Card]) -> list[Card]:
    out = list(cards)
    for card in out:
        card.study_state = None  # type: ignore[attr-defined]
        card.queue = "new"  # type: ignore[attr-defined]
    return out


# The day queue --------------------------------------------------------------------------


def _stamp_key(kind: str, pk: int) -> str:
    return f"study:queue-stamp:{kind}:{pk}"


# Bumped by any deck saved or deleted: every cached scope is read again.
_DECKS_STAMP = "study:queue-stamp:decks"


def _user_key(user: Any) -> str:
    # date_joined tells apart two users who had the same id (a recreated database).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"{user.pk}:{joined}"


def _stamps(keys: list[str]) -> dict[str, str]:
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


def _forget(keys: list[str]) -> None:
    _restamp(keys)
    # Again after commit: a queue built meanwhile from the uncommitted rows' old state
    # must not outlive the change.
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _restamp(keys))


def queue_stale_for_deck(*deck_ids: int | None) -> None:
    """Forget the day queues built from these decks' cards (cards added, edited, moved,
    suspended or buried: cards that may have become eligible)."""
    keys = [_stamp_key("deck", pk) for pk in sorted({d for d in deck_ids if d is not None})]
    if keys:
        _forget(keys)


def queue_stale_for_user(user_id: int) -> None:
    """Forget a user's day queues and scope (an undo, a review due again today, a deck of
    someone else's started)."""
    _forget([_stamp_key("user", user_id)])


def queue_stale_for_decks() -> None:
    """Forget every cached scope (a deck was created, deleted or changed: its limits, its
    owner or who may read it)."""
    _forget([_DECKS_STAMP])


@dataclass
class _Entry:
    """What the cache keeps for one user, scope and study day (ids only, no rows)."""

    stamps: dict[str, str]
    limits: tuple[tuple[int, int, int, bool], ...]
    # (card id, deck id) in (due, id) order; complete: the whole list fit in the chunk.
    reviews: list[tuple[int, int]]
    reviews_complete: bool
    # Per deck: card ids in study order, and whether they are all the deck has today.
    new: dict[int, list[int]]
    new_complete: dict[int, bool]
    # Cards whose note has other live cards: checked with the full sibling rule.
    siblings: set[int]


class DayQueue:
    """The day's reviews and new cards of a plan, built once and kept in the cache."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        user = plan.user
        scope = plan.scope.pk if plan.scope is not None else "all"
        self.key = f"study:day-queue:{_user_key(user)}:{scope}:{plan.day.start.timestamp()}"
        self.limits = tuple(
            (pk, d.new_per_day, d.reviews_per_day, d.bury_siblings) for pk, d in plan.decks.items()
        )
        self.stamp_keys = [_stamp_key("user", user.pk)] + [
            _stamp_key("deck", pk) for pk in plan.deck_ids
        ]

    # Reading and building

    def _entry(self) -> _Entry:
        entry = cache.get(self.key)
        fresh = isinstance(entry, _Entry) and entry.limits == self.limits
        if fresh and cache.get_many(self.stamp_keys) == entry.stamps:
            return entry  # type: ignore[return-value]
        return self.rebuild()

    def rebuild(self) -> _Entry:
        stamps = _stamps(self.stamp_keys)
        plan = self.plan
        has_siblings = Exists(_live_siblings(OuterRef("note_id"), OuterRef("pk")))
        flagged = plan.reviews(flag_siblings=True)
        reviews = list(
            flagged.values_list("card_id", "deck_id", "has_siblings")[:DAY_QUEUE_CHUNK]  # type: ignore[misc]
        )
        siblings = {card_id for card_id, _, flag in reviews if flag}
        new: dict[int, list[int]] = {}
        new_complete: dict[int, bool] = {}
        for deck_id in plan.deck_ids:
            want = min(plan.new_left[deck_id], DAY_QUEUE_CHUNK)
            rows = (
                list(
                    plan.new_cards(deck_id)
                    .annotate(has_siblings=has_siblings)
                    .values_list("pk", "has_siblings")[:want]
                )
                if want
                else []
            )
            new[deck_id] = [pk for pk, _ in rows]
            new_complete[deck_id] = len(rows) < want or want == plan.new_left[deck_id]
            siblings.update(pk for pk, flag in rows if flag)
        entry = _Entry(
            stamps=stamps,
            limits=self.limits,
            reviews=[(card_id, deck_id) for card_id, deck_id, _ in reviews],
            reviews_complete=len(reviews) < DAY_QUEUE_CHUNK,
            new=new,
            new_complete=new_complete,
            siblings=siblings,
        )
        cache.set(self.key, entry, DAY_QUEUE_SECONDS)
        return entry

    # Serving

    def next_cards(self, limit: int) -> list[Card]:
        """The next ``limit`` reviews then new cards (no learning cards), in queue order."""
        entry = self._entry()
        out, pruned, exhausted = self._serve(entry, limit)
        if exhausted:
            # A list ran out while more cards may wait beyond its chunk: pick again.
            entry = self.rebuild()
            out, pruned, _ = self._serve(entry, limit)
        if pruned:
            cache.set(self.key, entry, DAY_QUEUE_SECONDS)
        return out

    def _serve(self, entry: _Entry, limit: int) -> tuple[list[Card], bool, bool]:
        plan = self.plan
        out: list[Card] = []
        left = {pk: n for pk, n in plan.reviews_left.items() if n > 0}
        reviews, pruned = self._valid_reviews(entry, left, limit)
        out += reviews
        exhausted = len(out) < limit and bool(left) and not entry.reviews_complete
        for deck_id in plan.deck_ids:
            room = limit - len(out)
            if room <= 0 or exhausted:
                break
            quota = min(room, plan.new_left[deck_id])
            if quota <= 0:
                continue
            cards, dropped = self._valid_new(entry, deck_id, quota)
            pruned = pruned or dropped
            out += cards
            if len(cards) < quota and not entry.new_complete.get(deck_id, True):
                exhausted = True
        return out, pruned, exhausted

    def _valid_reviews(
        self, entry: _Entry, left: dict[int, int], limit: int
    ) -> tuple[list[Card], bool]:
        """Walk the review list: the first valid cards within each deck's cap.

        What lies before the first card served is gone for the day (graded, capped,
        suspended, buried, waiting for a sibling graded today): dropped from the entry.
        """
        plan = self.plan
        out: list[Card] = []
        first: int | None = None
        at, count = 0, len(entry.reviews)
        while left and len(out) < limit and at < count:
            window = entry.reviews[at : at + _HEAD + limit]
            start, at = at, at + len(window)
            ids = [card_id for card_id, deck_id in window if deck_id in left]
            if not ids:
                continue
            qs = plan._states().filter(
                card_id__in=ids, state=State.REVIEW, due__lt=plan.day.end, deck__in=list(left)
            )
            check = [pk for pk in ids if pk in entry.siblings]
            if check:
                waiting = plan.unburied_reviews(plan._states().filter(card_id__in=check))
                plain = [pk for pk in ids if pk not in entry.siblings]
                qs = qs.filter(Q(card_id__in=plain) | Q(pk__in=waiting.values("pk")))
            found = {s.card_id: s for s in qs.select_related("card", "card__deck")}
            for offset, (card_id, deck_id) in enumerate(window):
                state = found.get(card_id)
                if state is None or deck_id not in left:
                    continue
                if first is None:
                    first = start + offset
                out += _marked([state], "review")
                left[deck_id] -= 1
                if not left[deck_id]:
                    del left[deck_id]
                if len(out) == limit:
                    break
        drop = at if first is None else first
        if drop:
            entry.reviews = entry.reviews[drop:]
        return out, bool(drop)

    def _valid_new(self, entry: _Entry, deck_id: int, quota: int) -> tuple[list[Card], bool]:
        plan = self.plan
        ids = entry.new.get(deck_id, [])
        out: list[Card] = []
        at = 0
        skipped = 0
        while len(out) < quota and at < len(ids):
            head = ids[at : at + _HEAD + quota]
            at += len(head)
            plain = [pk for pk in head if pk not in entry.siblings]
            check = [pk for pk in head if pk in entry.siblings]
            studied = CardState.objects.filter(user=plan.user, card=OuterRef("pk"))
            unburied = Q(buried_until__isnull=True) | Q(buried_until__lte=plan.day.start)
            qs = (
                Card.objects.filter(deck_id=deck_id, is_archived=False, suspended=False)
                .filter(unburied)
                .exclude(Exists(studied))
            )
            condition = Q(pk__in=plain)
            if check:
                condition |= Q(pk__in=plan.new_cards(deck_id).filter(pk__in=check).values("pk"))
            found = {c.pk: c for c in qs.filter(condition).select_related("deck")}
            for pk in head:
                if pk in found:
                    out += _new([found[pk]])
                    if len(out) == quota:
                        break
                elif not out:
                    skipped += 1
        if skipped:
            entry.new[deck_id] = ids[skipped:]
        return out, bool(skipped)


def study_queue(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = None
) -> list[Card]:
    """The cards to study now, in order (see the module docstring)."""
    return _Plan(user, deck, now).cards(limit)


def queue_counts(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None
) -> QueueCounts:
    return _Plan(user, deck, now).counts()


def study_session(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = 1
) -> tuple[list[Card], QueueCounts]:
    """The next cards and the remaining counts, sharing one look at today's quotas."""
    plan = _Plan(user, deck, now)
    return plan.cards(limit), plan.counts()
