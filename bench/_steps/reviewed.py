"""Cards that were studied before the run, written in bulk: bench/study.py's corpus and the
due backlog of bench/load.py's last step. Review logs are the caller's choice: the load
test's exactly-once check counts every review-log row of its users, so it writes none."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

QUESTION_HTML = "<p>What does <code>select_related</code> do, number {}?</p>"
ANSWER = "It follows foreign keys with a JOIN."


def basic_cards(decks: list[Any], per_deck: int, *, key: str = "k") -> list[tuple[int, int]]:
    """``per_deck`` notes in each deck with one basic card each, as cards_sync would make
    them (without its per-note work); the (card id, deck id) pairs, in id order."""
    from recall.decks.models import Card, Note

    notes = [
        Note(
            deck=deck,
            position=pos,
            question=f"What does select_related do, number {pos}?",
            answer=ANSWER,
            question_html=QUESTION_HTML.format(pos),
            answer_html=f"<p>{ANSWER}</p>",
            source_key=f"{key}{deck.pk}-{pos}",
        )
        for deck in decks
        for pos in range(per_deck)
    ]
    Note.objects.bulk_create(notes, batch_size=5000)
    fields = ("position", "question", "answer", "question_html", "answer_html")
    cards = [
        Card(note=n, deck_id=n.deck_id, **{name: getattr(n, name) for name in fields})
        for n in notes
    ]
    Card.objects.bulk_create(cards, batch_size=5000)
    deck_ids = [deck.pk for deck in decks]
    return list(
        Card.objects.filter(deck_id__in=deck_ids).order_by("id").values_list("id", "deck_id")
    )


def last_seen(now: datetime, rng: random.Random) -> datetime:
    """A last review 3 to 60 days before ``now``."""
    return now - timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 600))


def review_state(
    user: Any, card_id: int, deck_id: int, *, due: datetime, last: datetime, rng: random.Random
) -> Any:
    """A card in review, last seen at ``last``, due at ``due``."""
    from recall.study.models import CardState, State

    return CardState(
        user=user,
        card_id=card_id,
        deck_id=deck_id,
        state=State.REVIEW,
        stability=rng.uniform(2, 80),
        difficulty=rng.uniform(2, 9),
        due=due,
        last_review=last,
        reps=3,
        version=3,
    )


def add_backlog(user: Any, count: int, now: datetime, rng: random.Random) -> int:
    """A deck of ``count`` cards all overdue (by an hour to 30 days), every one allowed
    today: the user back from weeks away. Returns the deck's id."""
    from django.db import transaction

    from recall.decks.models import Deck
    from recall.study.models import CardState

    with transaction.atomic():
        # Created alone, not in bulk: its post_save forgets the cached scopes (again on
        # commit: the load test's users go on meanwhile), so the next queue takes in the
        # new deck with its reviews (bulk_create below sends no signal).
        deck = Deck.objects.create(
            owner=user, title="Backlog", slug=f"backlog-{user.pk}", reviews_per_day=count
        )
        CardState.objects.bulk_create(overdue(user, deck, count, now, rng), batch_size=5000)
    return int(deck.pk)


def overdue(user: Any, deck: Any, count: int, now: datetime, rng: random.Random) -> list[Any]:
    """``count`` new cards in ``deck``, and the user's states of them, each due an hour to
    30 days before ``now`` (unsaved)."""
    return [
        review_state(
            user,
            card_id,
            deck_id,
            last=last_seen(now, rng),
            due=now - timedelta(minutes=rng.randint(60, 30 * 1440)),
            rng=rng,
        )
        for card_id, deck_id in basic_cards([deck], count, key="backlog")
    ]
