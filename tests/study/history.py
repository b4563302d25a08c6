"""A deterministic, simulated review history for optimiser tests and benchmarks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import fsrs

from recall.study import scheduling
from recall.study.models import CardState, ReviewLog, State


def simulate(user, cards, *, start: datetime, days: int, seed: int = 42, forgetfulness=1.6):
    """Review every card whenever due for ``days`` days, with a learner who forgets faster
    than FSRS' default model expects (recall probability = R ** forgetfulness).

    Saves the ReviewLog rows and final CardStates; returns the number of reviews.
    """
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    end = start + timedelta(days=days)
    logs: list[ReviewLog] = []
    states: list[CardState] = []
    for index, card in enumerate(cards):
        first = start + timedelta(days=index % max(1, days // 2), hours=rng.randint(0, 8))
        current = scheduling.new_fsrs_card(card.pk, first)
        reps = lapses = 0
        moment = first
        before_state = State.NEW
        while moment < end:
            if current.stability is None:
                p = 0.7
            else:
                p = scheduler.get_card_retrievability(current, moment) ** forgetfulness
            grade = 1 if rng.random() > p else rng.choice([2, 3, 3, 3, 4])
            before = scheduling.snapshot(current, reps=reps, lapses=lapses)
            outcome = scheduling.review(user, current, grade, moment, reps=reps, lapses=lapses)
            current, reps, lapses = outcome.card, outcome.reps, outcome.lapses
            logs.append(
                ReviewLog(
                    user=user,
                    card=card,
                    deck_id=card.deck_id,
                    grade=grade,
                    duration_ms=rng.randint(2000, 15000),
                    reviewed_at=moment,
                    state_before=before_state,
                    state_after=int(current.state),
                    card_before=before,
                    card_after=scheduling.snapshot(current, reps=reps, lapses=lapses),
                )
            )
            before_state = State(int(current.state))
            moment = current.due + timedelta(minutes=rng.randint(0, 600))
        state = CardState(user=user, card=card, deck_id=card.deck_id, reps=reps, lapses=lapses)
        scheduling.apply_fsrs_card(state, current)
        states.append(state)
    ReviewLog.objects.bulk_create(logs, batch_size=2000)
    CardState.objects.bulk_create(states, batch_size=2000)
    return len(logs)


START = datetime(2025, 9, 1, 14, 0, tzinfo=UTC)
