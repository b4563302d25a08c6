"""The day queue: the day's reviews and new cards, picked once per user, scope and study day
by the full queries and kept in the cache as ids; served by checking the head of those lists
against the database (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet

from recall.core.planner_statistics import sqlite_analyze_grown
from recall.decks.models import Card

from ..models import CardState, State
from .plan import LEARNING_STATES, Plan, live_siblings, marked, marked_new
from .scope import QueueCounts
from .stamps import DAY_QUEUE_SECONDS, current_stamps, stamp_key, user_key
from .tally import Tally, new_token, review_slack

# Cards per list of the day queue: a rebuild every this many answers at most, and a cache
# entry of a few kilobytes.
DAY_QUEUE_CHUNK = 200
# A deck's new-card list holds its whole quota left when that is at most this many (a
# crammer's 300 a day too), not one chunk: the day's new cards are picked once.
_WHOLE_QUOTA = 1000
# Ids checked per round against the database when serving from the day queue.
_HEAD = 2
# Review ids already checked against the database, and those found valid (by card id).
_Checked = tuple[set[int], dict[int, CardState]]


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
    # The identities of the review list and of each deck's new-card list, kept with the
    # lists (``tally``: counting cut lists); defaults read entries cached before them.
    reviews_token: str = ""
    new_tokens: dict[int, str] = field(default_factory=dict)


class DayQueue:
    """The day's reviews and new cards of a plan, built once and kept in the cache."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        user = plan.user
        scope = plan.scope.pk if plan.scope is not None else "all"
        self.key = f"study:day-queue:{user_key(user)}:{scope}:{plan.day.start.timestamp()}"
        self.limits = tuple(
            (pk, d.new_per_day, d.reviews_per_day, d.bury_siblings) for pk, d in plan.decks.items()
        )
        # The user's stamp, then each deck's, then each deck's "new notes only" stamp, then
        # the user's "reviews only" stamp.
        self.stamp_keys = [
            stamp_key("user", user.pk),
            *(stamp_key("deck", pk) for pk in plan.deck_ids),
            *(stamp_key("deck-grew", pk) for pk in plan.deck_ids),
            stamp_key("reviews", user.pk),
        ]
        # Decks found stale only because they gained new notes, and whether the review list
        # is (``_stale_decks``).
        self._grew: set[int] = set()
        self._reviews_stale = False
        # The entry read or built by this instance: serving then counting (one session
        # call, one plan) read the cache once.
        self._held: _Entry | None = None
        self._tally: Tally | None = None
        # How many learning cards are due now, when serving saw them all (``with_learning``).
        self._learning_due: int | None = None

    # Reading and building

    def _entry(self) -> _Entry:
        if self._held is not None:
            return self._held
        # The entry and the current stamps in one cache round trip.
        got = cache.get_many([self.key, *self.stamp_keys])
        entry = got.pop(self.key, None)
        if not isinstance(entry, _Entry):
            return self.rebuild()
        if entry.limits == self.limits and got == entry.stamps:
            self._held = entry
            return entry
        stale = self._stale_decks(entry, got)
        return self.rebuild() if stale is None else self.refresh(entry, stale)

    def _stale_decks(self, entry: _Entry, stamps: dict[str, str]) -> set[int] | None:
        """The decks whose new-card lists are out of date (their cards or limits changed,
        or new in the scope), or None when all of it is (an undo, a user-wide change)."""
        user = self.stamp_keys[0]
        if user not in stamps or stamps[user] != entry.stamps.get(user):
            return None
        before = {row[0]: row for row in entry.limits}
        changed = {key for key in self.stamp_keys[1:] if stamps.get(key) != entry.stamps.get(key)}
        decks = len(self.limits)
        reviews = self.stamp_keys[-1]
        self._reviews_stale = reviews in changed or reviews not in stamps
        stale: set[int] = set()
        for row, key, grew in zip(
            self.limits,
            self.stamp_keys[1 : 1 + decks],
            self.stamp_keys[1 + decks : 1 + 2 * decks],
            strict=True,
        ):
            if before.get(row[0]) != row or key in changed or key not in stamps:
                stale.add(row[0])
            elif grew in changed or grew not in stamps:
                stale.add(row[0])
                self._grew.add(row[0])
        return stale

    def rebuild(self) -> _Entry:
        """Pick the day's lists again, all of them."""
        # Once a study day (per scope) at least: on SQLite the tables a session reads grow a
        # row at a time (grades, the note form), and only ANALYZE tells its planner so.
        sqlite_analyze_grown([Card, CardState])
        return self._build(None, set())

    def refresh(self, old: _Entry, stale: set[int]) -> _Entry:
        """Pick again the new-card lists of the ``stale`` decks only (an import into one
        deck no longer costs a query per deck of the scope) and the review list (one query,
        every deck: caps and order span decks) unless ``_reviews_hold`` keeps it."""
        return self._build(old, stale)

    def _reviews_hold(self, old: _Entry, stale: set[int]) -> bool:
        """Whether ``old``'s review list is still the one to serve after a change confined to
        ``stale``: each of those decks only gained new notes, or is new to the scope and the
        user has no state in it (the usual import into a new deck). Reviews are states, and
        new notes' cards have none, so neither they nor their siblings change any review.
        Picking the list again was ~8 ms of the ~16 ms a "next card" costs more right after
        an import (its query grows with the decks of the scope)."""
        if self._reviews_stale:
            return False
        known = {row[0] for row in old.limits}
        current = set(self.plan.deck_ids)
        # Decks that only gained new notes: their cards have no state, so no review.
        others = stale - self._grew
        if not stale or others & known or not known <= current:
            return False
        return not others or not (
            CardState.objects.filter(user=self.plan.user, deck_id__in=others).exists()
        )

    def _build(self, old: _Entry | None, stale: set[int]) -> _Entry:
        stamps = current_stamps(self.stamp_keys)
        plan = self.plan
        has_siblings = Exists(live_siblings(OuterRef("note_id"), OuterRef("pk")))
        if old is not None and self._reviews_hold(old, stale):
            reviews = [(pk, deck_id, pk in old.siblings) for pk, deck_id in old.reviews]
            reviews_complete = old.reviews_complete
            reviews_token = old.reviews_token
        else:
            # One query for the list and its tally: each deck's reviews left plus the
            # tally's slack. With 1,817 reviews due, 12 ms on PostgreSQL where the list's
            # query cut at the chunk (12 ms) and the tally's own (16 ms) took 28.
            flagged = plan.reviews(flag_siblings=True, extra=review_slack())
            picked = flagged.values_list("card_id", "deck_id", "has_siblings")  # type: ignore[misc]
            listed, by_deck = _day_list(picked, plan.reviews_left)
            reviews = listed[:DAY_QUEUE_CHUNK]
            reviews_complete = len(listed) < DAY_QUEUE_CHUNK
            reviews_token = new_token()
            caps = {pk: n for pk, n in plan.reviews_left.items() if n > 0}
            self._tallied().offer_reviews(reviews_token, by_deck, caps)
        siblings = {card_id for card_id, _, flag in reviews if flag}
        new: dict[int, list[int]] = {}
        new_complete: dict[int, bool] = {}
        new_tokens: dict[int, str] = {}
        for deck_id in plan.deck_ids:
            if old is not None and deck_id not in stale and deck_id in old.new:
                new[deck_id] = old.new[deck_id]
                new_complete[deck_id] = old.new_complete.get(deck_id, True)
                new_tokens[deck_id] = old.new_tokens.get(deck_id, "")
                siblings.update(pk for pk in new[deck_id] if pk in old.siblings)
                continue
            left = plan.new_left[deck_id]
            want = left if left <= _WHOLE_QUOTA else min(left, DAY_QUEUE_CHUNK)
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
            new_tokens[deck_id] = new_token()
            if want == left:
                self._tallied().offer_new(deck_id, new_tokens[deck_id], new[deck_id], left)
            siblings.update(pk for pk, flag in rows if flag)
        entry = _Entry(
            stamps=stamps,
            limits=self.limits,
            reviews=[(card_id, deck_id) for card_id, deck_id, _ in reviews],
            reviews_complete=reviews_complete,
            reviews_token=reviews_token,
            new=new,
            new_complete=new_complete,
            siblings=siblings,
            new_tokens=new_tokens,
        )
        cache.set(self.key, entry, DAY_QUEUE_SECONDS)
        self._held = entry
        return entry

    # Counting

    def counts(self) -> QueueCounts:
        """What the queue serves now, by queue: ``Plan.counts`` read off the day's lists.

        Each list's valid cards are tallied once, as ids, and kept up to date from the
        review log (``tally``), instead of checking the list against the database on every
        "next card" (a deck's 300 new cards: ~4 ms a call on PostgreSQL). A list known to
        hold no card is not tallied.
        """
        plan = self.plan
        entry = self._entry()
        learning = self._learning_due
        if learning is None:
            learning = plan.learning().count()
        review = self._review_count(entry)
        new = self._new_count(entry)
        if learning + review + new == 0:
            learning = plan.learning(ahead=True).count()
        if self._tally is not None:
            self._tally.save()
        return QueueCounts(learning=learning, review=review, new=new)

    def _tallied(self) -> Tally:
        if self._tally is None:
            self._tally = Tally(self.plan, self.key)
        return self._tally

    def _review_count(self, entry: _Entry) -> int:
        left = {pk: n for pk, n in self.plan.reviews_left.items() if n > 0}
        if entry.reviews_complete:
            # Every review of the scope was listed; a grade never adds one (a review due
            # again today forgets the lists), so decks with none listed have none.
            listed = {deck_id for _, deck_id in entry.reviews}
            left = {pk: n for pk, n in left.items() if pk in listed}
        if not left:
            return 0
        tallied = self._tallied().reviews(entry.reviews_token, left)
        return sum(min(tallied[deck_id], cap) for deck_id, cap in left.items())

    def _new_count(self, entry: _Entry) -> int:
        total = 0
        for deck_id, quota in self.plan.new_left.items():
            listed = entry.new.get(deck_id, [])
            if quota <= 0 or (not listed and entry.new_complete.get(deck_id, True)):
                continue
            token = entry.new_tokens.get(deck_id, "")
            total += min(self._tallied().new(deck_id, token, quota), quota)
        return total

    # Checking cards of the lists by id, by the full rules: the sibling rule (nested
    # subqueries, costly to build and to run) only for cards whose note has other live cards
    # (``_new_among`` here, ``_reviews_q`` below).

    def _new_among(self, entry: _Entry, ids: list[int], decks: int | list[int]) -> QuerySet[Card]:
        """The cards of ``ids`` that are new cards to show today, in ``decks`` (one or many)."""
        plan = self.plan
        # NOT IN the user's states of these ids (read once by the (user, card) index), not
        # a NOT EXISTS per card: on a table that grows while the statistics lag (a first
        # study session), PostgreSQL planned the latter as a scan of every state of the
        # user for each card (75 ms for 1,260 ids and 600 states; this way ~5 ms).
        studied = CardState.objects.filter(user=plan.user, card_id__in=ids).values("card_id")
        unburied = Q(buried_until__isnull=True) | Q(buried_until__lte=plan.day.start)
        in_decks = Q(deck_id=decks) if isinstance(decks, int) else Q(deck_id__in=decks)
        qs = (
            Card.objects.filter(in_decks, is_archived=False, suspended=False)
            .filter(unburied)
            .exclude(pk__in=studied)
        )
        condition = Q(pk__in=[pk for pk in ids if pk not in entry.siblings])
        check = [pk for pk in ids if pk in entry.siblings]
        if check:
            deck = decks if isinstance(decks, int) else None
            condition |= Q(pk__in=plan.new_cards(deck).filter(pk__in=check).values("pk"))
        return qs.filter(condition)

    # Serving

    def with_learning(self, limit: int) -> list[Card]:
        """The due learning cards, then ``next_cards``: ``limit`` cards in queue order.

        One query reads the learning cards and checks the head of the review list: rows
        in (due, id) order, at most ``limit`` plus the head's length, hold the first
        ``limit`` learning cards (only head reviews can come before them) and, when fewer
        learning cards are due, every head review still valid.
        """
        plan = self.plan
        entry = self._entry()
        left = {pk for pk, n in plan.reviews_left.items() if n > 0}
        head = [pk for pk, deck_id in entry.reviews[: _HEAD + limit] if deck_id in left]
        due_learning = Q(state__in=LEARNING_STATES, due__lte=plan.now)
        branches = (due_learning, self._reviews_q(entry, head, left)) if head else (due_learning,)
        rows = list(
            plan._states(*branches)
            .select_related("card", "card__deck")
            .order_by("due", "id")[: limit + len(head)]
        )
        learning: list[CardState] = []
        found: dict[int, CardState] = {}
        due = 0
        for state in rows:
            if state.state == State.REVIEW:
                found[state.card_id] = state
            else:
                due += 1
                if len(learning) < limit:
                    learning.append(state)
        if len(rows) < limit + len(head):
            # Fewer rows than the slice allows: every due learning card was among them.
            self._learning_due = due
        out = marked(learning, "learning")
        if len(out) < limit:
            out += self._next(entry, limit - len(out), (set(head), found))
        return out

    def next_cards(self, limit: int) -> list[Card]:
        """The next ``limit`` reviews then new cards (no learning cards), in queue order."""
        return self._next(self._entry(), limit)

    def _next(self, entry: _Entry, limit: int, checked: _Checked | None = None) -> list[Card]:
        # checked: review ids already checked against the database, and the valid ones.
        out, pruned, exhausted = self._serve(entry, limit, checked)
        if exhausted:
            # A list ran out while more cards may wait beyond its chunk: pick again.
            entry = self.rebuild()
            out, pruned, _ = self._serve(entry, limit)
        if pruned:
            cache.set(self.key, entry, DAY_QUEUE_SECONDS)
        return out

    def _serve(
        self, entry: _Entry, limit: int, checked: _Checked | None = None
    ) -> tuple[list[Card], bool, bool]:
        plan = self.plan
        out: list[Card] = []
        left = {pk: n for pk, n in plan.reviews_left.items() if n > 0}
        reviews, pruned = self._valid_reviews(entry, left, limit, checked)
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

    def _reviews_q(self, entry: _Entry, ids: list[int], decks: Iterable[int]) -> Q:
        """Which of ``ids`` (review list ids) are reviews to serve now, on ``_states``."""
        plan = self.plan
        valid = Q(card_id__in=ids, state=State.REVIEW, due__lt=plan.day.end, deck__in=list(decks))
        check = [pk for pk in ids if pk in entry.siblings]
        if not check:
            return valid
        waiting = plan.unburied_reviews(plan._states().filter(card_id__in=check))
        plain = [pk for pk in ids if pk not in entry.siblings]
        return valid & (Q(card_id__in=plain) | Q(pk__in=waiting.values("pk")))

    def _valid_reviews(
        self, entry: _Entry, left: dict[int, int], limit: int, checked: _Checked | None = None
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
            if checked is not None and checked[0].issuperset(ids):
                found = checked[1]
            else:
                qs = plan._states().filter(self._reviews_q(entry, ids, left))
                found = {s.card_id: s for s in qs.select_related("card", "card__deck")}
            for offset, (card_id, deck_id) in enumerate(window):
                state = found.get(card_id)
                if state is None or deck_id not in left:
                    continue
                if first is None:
                    first = start + offset
                out += marked([state], "review")
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
        ids = entry.new.get(deck_id, [])
        out: list[Card] = []
        at = 0
        skipped = 0
        while len(out) < quota and at < len(ids):
            head = ids[at : at + _HEAD + quota]
            at += len(head)
            qs = self._new_among(entry, head, deck_id)
            found = {c.pk: c for c in qs.select_related("deck")}
            for pk in head:
                if pk in found:
                    out += marked_new([found[pk]])
                    if len(out) == quota:
                        break
                elif not out:
                    skipped += 1
        if skipped:
            entry.new[deck_id] = ids[skipped:]
        return out, bool(skipped)


def _day_list(
    rows: Iterable[tuple[int, int, bool]], left: dict[int, int]
) -> tuple[list[tuple[int, int, bool]], dict[int, list[int]]]:
    """From reviews in (due, id) order, each deck's cut at its reviews ``left`` plus some:
    those within each deck's ``left`` (the day's list), and every card id by deck."""
    listed: list[tuple[int, int, bool]] = []
    by_deck: dict[int, list[int]] = {}
    for card_id, deck_id, flag in rows:
        ids = by_deck.setdefault(deck_id, [])
        if len(ids) < left[deck_id]:
            listed.append((card_id, deck_id, flag))
        ids.append(card_id)
    return listed, by_deck


def plan_cards(plan: Plan, limit: int | None, day: DayQueue | None = None) -> list[Card]:
    """The plan's cards to study now, in order: the day queue (``day``, or the plan's own)
    serves reviews and new cards when a limit is given; without one, the full queries list
    everything."""
    related = ("card", "card__deck")
    if limit is None:
        out = marked(plan.learning().select_related(*related).order_by("due", "id"), "learning")
        out += marked(plan.reviews().select_related(*related), "review")
        for deck_id in plan.deck_ids:
            if plan.new_left[deck_id] > 0:
                out += marked_new(
                    plan.new_cards(deck_id).select_related("deck")[: plan.new_left[deck_id]]
                )
    elif limit > 0:
        out = (day or DayQueue(plan)).with_learning(limit)
    else:
        return []
    if not out:
        ahead = plan.learning(ahead=True).select_related(*related).order_by("due", "id")
        out = marked(ahead if limit is None else ahead[:limit], "learning")
    return out
