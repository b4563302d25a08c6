"""Starting study states for imported cards whose notes file carried a schedule.

Obsidian Spaced Repetition writes ``<!--SR:!2024-01-02,4,270-->`` after a card: next due
date, current interval in days, ease (per mille, SM-2 style). A user moving to Recall keeps
that schedule: the card starts in FSRS' Review state, due at the start of that study day,
with its last review one interval earlier.

* Stability = the interval: FSRS defines stability as the interval after which recall
  probability falls to 90 %, and the plugin scheduled the card for its due date, so at the
  due date the card sits at about the retention Recall aims for by default.
* Difficulty from ease: the plugin's starting ease 250 maps to FSRS' middle difficulty 5;
  each 24 points of ease lower is one point harder (the plugin's floor 130 gives 10), each
  24 points higher one point easier, within FSRS' 1 to 10.

Only cards with no state of their owner's get one: a card already studied keeps its history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Protocol

from django.db import transaction

from recall.decks.models import Card

from . import scheduling
from .models import CardState, State


class _Schedule(Protocol):
    @property
    def due(self) -> Any: ...
    @property
    def interval_days(self) -> int: ...
    @property
    def ease(self) -> int: ...


def difficulty_from_ease(ease: int) -> float:
    return float(min(10.0, max(1.0, 5.0 + (250 - ease) / 24)))


def stability_from_interval(days: int) -> float:
    return float(max(days, 1))


def states_from_schedules(*, user: Any, schedules: Mapping[int, _Schedule]) -> int:
    """Create the starting CardState of each card (id -> schedule); returns how many."""
    if not schedules:
        return 0
    decks = dict(Card.objects.filter(pk__in=list(schedules)).values_list("id", "deck_id"))
    have = set(
        CardState.objects.filter(user=user, card_id__in=list(decks)).values_list(
            "card_id", flat=True
        )
    )
    states = []
    for card_id, deck_id in decks.items():
        if card_id in have:
            continue
        schedule = schedules[card_id]
        due = scheduling.day_start(user, schedule.due)
        states.append(
            CardState(
                user=user,
                card_id=card_id,
                deck_id=deck_id,
                state=State.REVIEW,
                step=None,
                stability=stability_from_interval(schedule.interval_days),
                difficulty=difficulty_from_ease(schedule.ease),
                due=due,
                last_review=due - timedelta(days=max(schedule.interval_days, 0)),
                version=1,
            )
        )
    with transaction.atomic():
        CardState.objects.bulk_create(states, ignore_conflicts=True)
    return len(states)
