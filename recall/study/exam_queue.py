"""Exam plans in the study queue: the cards planned for today, served after the regular ones.

``selectors`` calls these two hooks (its queue stays its own business):

- ``extend_queue(cards, ...)``: when the regular queue leaves room, appends today's planned
  cards (``card.queue == "exam"``): started cards the schedule does not bring today, then
  new cards planned to be learned today beyond what the deck's new-card quota serves.
- ``exam_count(counts_new, ...)``: how many of those remain (the queue counts' ``exam``).

A user without exams costs no query once the cache knows it (``exams.exam_ids_by_deck``),
and one cache read: ``version`` (the statistics version, which keys the cached plans) is
asked for only when there are exams.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Q

from recall.decks.models import Card, Deck
from recall.decks.selectors import deck_readable_q

from . import exam_plan, exams, scheduling
from .models import CardState, Exam


def _planned_today(
    *, user: Any, deck: Deck | None, now: datetime, version: Callable[[], int]
) -> tuple[list[int], list[int]]:
    """Today's planned cards that only the plan brings: (started ones, new ones), in order."""
    ids_by_deck = exams.exam_ids_by_deck(user)
    if deck is not None:
        ids_by_deck = {k: v for k, v in ids_by_deck.items() if k == deck.pk}
    if not ids_by_deck:
        return [], []
    day = scheduling.current_day(user, now)
    planned: list[int] = []
    for exam in Exam.objects.filter(user=user, pk__in=ids_by_deck.values()).order_by("date", "id"):
        plan = exam_plan.cached_plan(user=user, exam=exam, now=now, version=version())
        planned.extend(plan.cards_on(day.day))
    if not planned:
        return [], []
    live = set(
        Card.objects.filter(
            deck_readable_q(user, prefix="deck__"),
            pk__in=planned,
            is_archived=False,
            suspended=False,
        )
        .filter(Q(buried_until__isnull=True) | Q(buried_until__lte=now))
        .values_list("pk", flat=True)
    )
    states: dict[int, tuple[datetime, datetime | None]] = {
        pk: (due, last)
        for pk, due, last in CardState.objects.filter(user=user, card_id__in=planned).values_list(
            "card_id", "due", "last_review"
        )
    }

    # A started card due before the day ends is the regular queue's; one reviewed today has
    # had its planned review (even when the plan was computed before it).
    def only_planned(pk: int) -> bool:
        due, last = states[pk]
        return due >= day.end and (last is None or last < day.start)

    started = [pk for pk in planned if pk in live and pk in states and only_planned(pk)]
    new = [pk for pk in planned if pk in live and pk not in states]
    return started, new


def exam_count(
    *, user: Any, deck: Deck | None, now: datetime, version: Callable[[], int], regular_new: int
) -> int:
    """Cards the exam plans still add to today's queue (``regular_new``: the new cards the
    regular queue serves, which are the deck's first new cards, so the plan's first too)."""
    started, new = _planned_today(user=user, deck=deck, now=now, version=version)
    return len(started) + max(0, len(new) - regular_new)


def extend_queue(
    cards: list[Card],
    *,
    user: Any,
    deck: Deck | None,
    now: datetime,
    limit: int | None,
    version: Callable[[], int],
) -> list[Card]:
    """``cards`` followed by today's planned cards, up to ``limit`` in all."""
    room = None if limit is None else limit - len(cards)
    if room is not None and room <= 0:
        return cards
    started, new = _planned_today(user=user, deck=deck, now=now, version=version)
    shown = {card.pk for card in cards}
    wanted = [pk for pk in started + new if pk not in shown]
    if room is not None:
        wanted = wanted[:room]
    if not wanted:
        return cards
    rows = Card.objects.filter(pk__in=wanted).select_related("deck", "note").in_bulk()
    states = {s.card_id: s for s in CardState.objects.filter(user=user, card_id__in=wanted)}
    out = list(cards)
    for pk in wanted:
        card = rows.get(pk)
        if card is None:
            continue
        card.study_state = states.get(pk)  # type: ignore[attr-defined]
        card.queue = "exam"  # type: ignore[attr-defined]
        out.append(card)
    return out
