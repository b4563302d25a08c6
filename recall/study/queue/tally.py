"""Counting the cards of a day queue's lists.

When more cards wait than a list holds (``DAY_QUEUE_CHUNK`` reviews; a deck's new cards
past ``_WHOLE_QUOTA``), the count came from the full query on every "next card": with
18,884 reviews due among 100,000 cards, 107 ms of SQL a call on SQLite; with a quota of
9,999 new cards a day in each of 10 decks, 250 ms. A whole list was checked against the
database instead (a deck's 300 new cards: ~4 ms a call on PostgreSQL). Now the valid cards
of every list (up to its quota, and some spare) are picked once by the full rules, as ids,
and kept in the cache beside the day queue. Each later count brings them up to date from
the review log: the rows not seen yet (read from a margin before the last look, for a grade
still committing then) take out the cards they graded and, in decks that bury siblings, the
other cards of those notes; a grade never makes a card eligible (a review due again today
forgets the lists instead). Everything else that changes them (cards saved, suspended,
buried, moved or archived, an undo, schedules imported) forgets the lists through their
stamps, and a list picked again is tallied afresh (its token changes): from the rows of the
day queue's own query (a review list, whose query reads each deck's reviews left plus the
slack; a new-card list picked whole), else by a query of its own. One change reaches
no tally: a card of a shared deck buried by its owner comes back at the end of the owner's
study day, which for a reader in a later time zone falls within theirs; the reader's count
shows it from their next list, as the queue serves it.
"""

from __future__ import annotations

import uuid
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache

from recall.decks.models import Card

from ..models import ReviewLog
from .plan import Plan
from .stamps import DAY_QUEUE_SECONDS

# Grades reviewed this long before the last look are looked at again: a grade whose
# request began before that look may have committed after it.
_MARGIN = timedelta(minutes=5)
# Ids kept per deck beyond its quota, so that sibling burying (which takes cards without
# using the quota) wears them down for a while before the deck is picked again.
_SLACK = 200
_REVIEWS = "reviews"


def new_token() -> str:
    """A list's identity: a tally counts the cards of one list."""
    return uuid.uuid4().hex


class _Ids:
    """Card ids picked, sorted in an array (pickled as one block of bytes: a set of 100,000
    ids took ~4 ms a count to write and read back), and those taken out since."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.picked = array("q", sorted(ids))
        self.gone: set[int] = set()

    def __len__(self) -> int:
        return len(self.picked) - len(self.gone)

    def take_out(self, ids: Iterable[int]) -> None:
        for pk in ids:
            at = bisect_left(self.picked, pk)
            if at < len(self.picked) and self.picked[at] == pk:
                self.gone.add(pk)


@dataclass
class _Part:
    """The valid cards of one list, per deck, and whether they are all of them."""

    token: str
    ids: dict[int, _Ids]
    complete: dict[int, bool]


@dataclass
class _Record:
    checked_at: datetime
    parts: dict[str, _Part] = field(default_factory=dict)
    # The review-log rows of the margin before the last look, already brought in.
    seen: set[int] = field(default_factory=set)


def review_slack() -> int:
    """Reviews a tally keeps per deck beyond the deck's reviews left today."""
    return _SLACK


def _reviews_part(token: str, rows: dict[int, list[int]], left: dict[int, int]) -> _Part:
    """A review part from each deck's rows cut at its reviews ``left`` plus the slack: a deck
    with fewer has them all."""
    return _Part(
        token,
        {deck_id: _Ids(rows.get(deck_id, ())) for deck_id in left},
        {deck_id: len(rows.get(deck_id, ())) < n + _SLACK for deck_id, n in left.items()},
    )


def _short(part: _Part, quotas: dict[int, int]) -> bool:
    """Whether a deck of ``quotas`` is missing from the part, or has fewer cards kept than
    its quota while more were left out when it was picked: then it is picked again."""
    return any(
        deck_id not in part.ids or (len(part.ids[deck_id]) < n and not part.complete[deck_id])
        for deck_id, n in quotas.items()
    )


class Tally:
    """The valid cards of the lists of one day queue (one user, scope and study day)."""

    def __init__(self, plan: Plan, queue_key: str) -> None:
        self.plan = plan
        self.key = f"{queue_key}:tally"
        self._record: _Record | None = None
        # Whether this look picked a list or took cards out: else the cache holds it already.
        self._changed = False
        # Lists the day queue picked whole in this same call (``offer_*``), by part name,
        # and the cards this call's look at the review log took out.
        self._offers: dict[str, _Part] = {}
        self._gone: set[int] = set()

    # A list the day queue has just picked whole holds the valid cards of now, by the same
    # rules: its tally needs no query of its own (a "next card" after an import or an undo
    # picked each such list twice). Kept aside until a count asks for that list.

    def offer_new(self, deck_id: int, token: str, ids: list[int], quota: int) -> None:
        """A deck's new cards picked up to its ``quota`` left today."""
        self._offers[f"new:{deck_id}"] = _Part(
            token, {deck_id: _Ids(ids)}, {deck_id: len(ids) < quota}
        )

    def offer_reviews(self, token: str, ids: dict[int, list[int]], left: dict[int, int]) -> None:
        """The reviews of the scope by deck, each deck's cut at its reviews ``left`` today
        plus ``review_slack()``, as a tally picks them."""
        self._offers[_REVIEWS] = _reviews_part(token, ids, left)

    def _offered(self, name: str, token: str, quotas: dict[int, int]) -> _Part | None:
        part = self._offers.get(name)
        if part is None or part.token != token:
            return None
        # A grade committed between the list's query and this look is in the look's rows,
        # which the next look takes as seen: take its cards out here.
        for ids in part.ids.values():
            ids.take_out(self._gone)
        return None if _short(part, quotas) else part

    def reviews(self, token: str, left: dict[int, int]) -> dict[int, int]:
        """How many valid reviews each deck of ``left`` has (at least its quota left, when
        it has that many)."""
        record = self._caught_up()
        part = record.parts.get(_REVIEWS)
        if part is None or part.token != token or _short(part, left):
            offered = self._offered(_REVIEWS, token, left)
            part = offered or self._pick_reviews(token, left)
            record.parts[_REVIEWS] = part
            self._changed = True
        return {deck_id: len(part.ids[deck_id]) for deck_id in left}

    def new(self, deck_id: int, token: str, quota: int) -> int:
        """How many valid new cards the deck has (at least its quota, when it has that
        many)."""
        record = self._caught_up()
        name = f"new:{deck_id}"
        part = record.parts.get(name)
        if part is None or part.token != token or _short(part, {deck_id: quota}):
            part = self._offered(name, token, {deck_id: quota}) or self._pick_new(
                deck_id, token, quota
            )
            record.parts[name] = part
            self._changed = True
        return len(part.ids[deck_id])

    def save(self) -> None:
        if self._record is not None and self._changed:
            cache.set(self.key, self._record, DAY_QUEUE_SECONDS)

    def _pick_new(self, deck_id: int, token: str, quota: int) -> _Part:
        wanted = quota + _SLACK
        rows = list(self.plan.new_cards(deck_id).values_list("pk", flat=True)[:wanted])
        return _Part(token, {deck_id: _Ids(rows)}, {deck_id: len(rows) < wanted})

    def _pick_reviews(self, token: str, left: dict[int, int]) -> _Part:
        rows: dict[int, list[int]] = {deck_id: [] for deck_id in left}
        for card_id, deck_id in self.plan.reviews(extra=_SLACK).values_list("card_id", "deck_id"):
            rows[deck_id].append(card_id)
        return _reviews_part(token, rows, left)

    def _caught_up(self) -> _Record:
        """The record read once per instance and brought up to date from the review log."""
        if self._record is not None:
            return self._record
        plan = self.plan
        held = cache.get(self.key)
        if not isinstance(held, _Record):
            self._record = _Record(checked_at=plan.now)
            return self._record
        self._record = held
        # Kept in the cache only with a change: an unchanged look leaves the older time
        # there, whose window reads again rows ``seen`` already holds.
        since, held.checked_at = held.checked_at - _MARGIN, plan.now
        if not held.parts:
            return held
        graded = list(
            ReviewLog.objects.filter(user=plan.user, reviewed_at__gte=since)
            .order_by()
            .values_list("pk", "card_id")
        )
        # A review whose card was deleted since has none (deleting cards forgets the lists).
        fresh = {card_id for pk, card_id in graded if pk not in held.seen and card_id}
        held.seen = {pk for pk, _ in graded}
        if not fresh:
            return held
        self._changed = True
        # A grade only ever takes cards out: the card graded (a review due again today
        # forgets the lists instead: ``card_grade``), and in a deck that buries siblings its
        # note's other cards, for the rest of the day; no grade makes a card eligible.
        gone = set(fresh)
        if any(plan.decks[pk].bury_siblings for pk in plan.deck_ids):
            notes = Card.objects.filter(pk__in=fresh).values("note_id")
            siblings = (
                Card.objects.filter(note_id__in=notes).order_by().values_list("pk", "deck_id")
            )
            gone.update(
                pk
                for pk, deck_id in siblings
                if deck_id in plan.decks and plan.decks[deck_id].bury_siblings
            )
        for part in held.parts.values():
            for ids in part.ids.values():
                ids.take_out(gone)
        self._gone = gone
        return held
