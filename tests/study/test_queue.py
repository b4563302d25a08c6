"""The study queue: order, per-deck daily limits, day rollover in the user's zone, scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from recall.core.exceptions import NotFoundError
from recall.decks.models import Visibility
from recall.study import selectors, services
from recall.study.models import CardState, State
from tests.factories import CardFactory, DeckFactory, UserFactory

from .conftest import local


def grade(user, card, g, when):
    return services.card_grade(user=user, card_id=card.pk, grade=g, duration_ms=1000, now=when)


def ids(cards):
    return [c.pk for c in cards]


@pytest.mark.django_db
def test_learning_first_then_reviews_by_due_then_new_in_deck_order(user, deck, cards, no_fuzz):
    day1 = local(2026, 3, 2, 9)
    grade(user, cards[5], 4, day1)  # review, due in days
    grade(user, cards[6], 4, day1 + timedelta(hours=1))  # review, due an hour later
    later = CardState.objects.get(card=cards[6]).due + timedelta(hours=2)
    grade(user, cards[7], 1, later - timedelta(minutes=30))  # learning, due 1 minute later
    queue = selectors.study_queue(user=user, deck=deck, now=later)
    # Card 7 was introduced today, so two of the deck's three new cards a day remain.
    assert [c.queue for c in queue] == ["learning", "review", "review", "new", "new"]
    assert ids(queue) == [cards[7].pk, cards[5].pk, cards[6].pk, cards[0].pk, cards[1].pk]
    assert queue[0].study_state.state == State.LEARNING
    assert queue[3].study_state is None
    assert selectors.queue_counts(user=user, deck=deck, now=later).as_dict() == {
        "learning": 1,
        "review": 2,
        "new": 2,
        "exam": 0,
        "total": 5,
    }
    assert ids(selectors.study_queue(user=user, deck=deck, now=later, limit=2)) == ids(queue[:2])


@pytest.mark.django_db
def test_new_card_limit_resets_at_4am_new_york_time_not_utc_midnight(user, deck, cards):
    with time_machine.travel(local(2026, 3, 2, 20), tick=False):
        first = selectors.study_queue(user=user, deck=deck)
        assert ids(first) == ids(cards[:3])
        for card in first:
            services.card_grade(user=user, card_id=card.pk, grade=3, duration_ms=10)
    # 01:00 UTC is a new UTC day, but in New York it is still the evening of March 2.
    with time_machine.travel(local(2026, 3, 2, 21, 30), tick=False):
        assert [c.queue for c in selectors.study_queue(user=user, deck=deck)] == ["learning"] * 3
        assert selectors.queue_counts(user=user, deck=deck).new == 0
    with time_machine.travel(local(2026, 3, 3, 3, 59), tick=False):
        assert selectors.queue_counts(user=user, deck=deck).new == 0
    with time_machine.travel(local(2026, 3, 3, 4, 0), tick=False):
        queue = selectors.study_queue(user=user, deck=deck)
        assert [c.pk for c in queue if c.queue == "new"] == ids(cards[3:6])
        assert selectors.queue_counts(user=user, deck=deck).new == 3


@pytest.mark.django_db
def test_review_cap_per_day_counts_reviews_already_done(user, deck, no_fuzz):
    deck.new_cards_per_day = 10
    deck.save()
    many: list[Any] = [CardFactory(deck=deck, position=i) for i in range(8)]
    start = local(2026, 3, 2, 9)
    for card in many:
        grade(user, card, 4, start)
    due_day = local(2026, 3, 20, 9)
    queue = selectors.study_queue(user=user, deck=deck, now=due_day)
    assert [c.queue for c in queue] == ["review"] * 5
    for card in queue[:2]:
        grade(user, card, 3, due_day)
    after = selectors.study_queue(user=user, deck=deck, now=due_day + timedelta(minutes=1))
    assert len(after) == 3
    assert not set(ids(after)) & set(ids(queue[:2]))
    # A new study day restores the cap (rollover at 4 a.m. local).
    next_day = selectors.study_queue(user=user, deck=deck, now=local(2026, 3, 21, 4, 1))
    assert len(next_day) == 5


@pytest.mark.django_db
def test_all_decks_apply_each_decks_own_limits(user, deck, cards, no_fuzz):
    other = DeckFactory(owner=user, title="Zebra", new_cards_per_day=1, reviews_per_day=2)
    zebra = [CardFactory(deck=other, position=i) for i in range(4)]
    start = local(2026, 3, 2, 9)
    for card in [*zebra, *cards[:4]]:
        grade(user, card, 4, start)
    due_day = local(2026, 3, 25, 9)
    queue = selectors.study_queue(user=user, now=due_day)
    reviews = [c for c in queue if c.queue == "review"]
    assert len([c for c in reviews if c.deck_id == other.pk]) == 2
    assert len([c for c in reviews if c.deck_id == deck.pk]) == 4
    news = [c for c in queue if c.queue == "new"]
    # Decks in title order: "Django" (3 new a day, 4 left) then "Zebra" (none left).
    assert ids(news) == ids(cards[4:7])
    counts = selectors.queue_counts(user=user, now=due_day)
    assert (counts.review, counts.new) == (6, 3)
    # "Next N cards" walks the index instead of the windowed query: same cards, same order.
    for n in range(1, len(queue) + 2):
        assert ids(selectors.study_queue(user=user, now=due_day, limit=n)) == ids(queue[:n])


@pytest.mark.django_db
def test_archived_cards_never_appear(user, deck, cards, no_fuzz):
    start = local(2026, 3, 2, 9)
    grade(user, cards[0], 4, start)
    grade(user, cards[1], 1, start)
    for card in (cards[0], cards[1], cards[2]):
        card.is_archived = True
        card.save()
    for when in (start + timedelta(minutes=5), local(2026, 3, 30, 9)):
        queue = selectors.study_queue(user=user, deck=deck, now=when)
        assert not {cards[0].pk, cards[1].pk, cards[2].pk} & set(ids(queue))
    with pytest.raises(NotFoundError):
        grade(user, cards[2], 3, start)


@pytest.mark.django_db
def test_a_public_deck_is_studied_in_place_and_a_private_one_is_not_found(user):
    author: Any = UserFactory(username="grace")
    public = DeckFactory(owner=author, visibility=Visibility.PUBLIC, title="Public")
    private = DeckFactory(owner=author, visibility=Visibility.PRIVATE, title="Private")
    shared = [CardFactory(deck=public, position=i) for i in range(2)]
    secret = CardFactory(deck=private)
    assert selectors.deck_for_study(user, public.pk) == public
    with pytest.raises(NotFoundError):
        selectors.deck_for_study(user, private.pk)
    with pytest.raises(NotFoundError):
        grade(user, secret, 3, local(2026, 3, 2, 9))
    # Not in "all decks" until started; then it is, with no copy made.
    now = local(2026, 3, 2, 9)
    assert selectors.study_queue(user=user, now=now) == []
    grade(user, shared[0], 3, now)
    assert shared[1].pk in ids(selectors.study_queue(user=user, now=now))
    assert author.decks.count() == 2 and user.decks.count() == 0
    # The author's own schedule is untouched by the reader's grades.
    assert not CardState.objects.filter(user=author).exists()


@pytest.mark.django_db
def test_learning_cards_due_soon_are_shown_when_nothing_else_is_left(user, deck, cards):
    deck.new_cards_per_day = 1
    deck.save()
    now = local(2026, 3, 2, 9)
    grade(user, cards[0], 3, now)  # next step in 10 minutes
    assert ids(selectors.study_queue(user=user, deck=deck, now=now + timedelta(minutes=1))) == [
        cards[0].pk
    ]
    assert selectors.study_queue(user=user, deck=deck, now=now - timedelta(hours=1)) == []
    assert selectors.next_due_at(user, deck=deck) == CardState.objects.get(card=cards[0]).due


@pytest.mark.django_db
def test_daylight_saving_change_keeps_the_rollover_at_4am_local(user, deck, cards):
    # New York springs forward on 2026-03-08: the study day still starts at 04:00 local.
    with time_machine.travel(local(2026, 3, 7, 22), tick=False):
        for card in selectors.study_queue(user=user, deck=deck):
            services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=10)
    with time_machine.travel(local(2026, 3, 8, 3, 59), tick=False):
        assert selectors.queue_counts(user=user, deck=deck).new == 0
    with time_machine.travel(local(2026, 3, 8, 4, 0), tick=False):
        assert selectors.queue_counts(user=user, deck=deck).new == 3


@pytest.mark.django_db
def test_next_cards_equal_the_full_queue_under_tight_caps_and_ties(user):
    # Many due reviews spread over decks whose caps are smaller than the chunk the index walk
    # reads, equal due times (the id breaks ties), learning cards and an archived card: the
    # "next N" path (the cached day queue) must give exactly the head of the full queue.
    now = local(2026, 3, 10, 9)
    caps = {"Alpha": 1, "Beta": 2, "Gamma": 7, "Delta": 0}
    decks: dict[str, Any] = {
        title: DeckFactory(owner=user, title=title, new_cards_per_day=2, reviews_per_day=cap)
        for title, cap in caps.items()
    }
    states = []
    for d_index, deck in enumerate(decks.values()):
        for i in range(9):
            card: Any = CardFactory(deck=deck, position=i)
            if i == 8:
                continue  # stays new
            learning = i == 0
            states.append(
                CardState(
                    user=user,
                    card=card,
                    deck=deck,
                    state=State.LEARNING if learning else State.REVIEW,
                    stability=3.0,
                    difficulty=5.0,
                    # Every deck shares the same due times: order across decks is by id.
                    due=now - timedelta(minutes=5 if learning else 60 * (i % 3)),
                    last_review=now - timedelta(days=4),
                    reps=2,
                    version=2 + d_index,
                )
            )
            if i == 3:
                card.is_archived = True
                card.save()
    CardState.objects.bulk_create(states)
    queue = selectors.study_queue(user=user, now=now)
    assert [c.queue for c in queue].count("review") == 1 + 2 + 6  # Gamma: 8 due, minus archived
    for n in range(1, len(queue) + 2):
        head = selectors.study_queue(user=user, now=now, limit=n)
        assert ids(head) == ids(queue[:n]), n
    # The rows served come back as stored (aware datetimes, same values).
    for card in selectors.study_queue(user=user, now=now, limit=len(queue)):
        if card.study_state is not None:
            stored = CardState.objects.select_related("card__deck").get(pk=card.study_state.pk)
            for field in CardState._meta.concrete_fields:
                assert getattr(card.study_state, field.attname) == getattr(stored, field.attname)
            for raw_value, orm_value in (
                (card.study_state.due, stored.due),
                (card.study_state.last_review, stored.last_review),
                (card.created_at, stored.card.created_at),
                (card.deck.updated_at, stored.card.deck.updated_at),
            ):
                assert raw_value.tzinfo is not None
                assert raw_value.tzinfo == orm_value.tzinfo
            assert card.question_html == stored.card.question_html
            assert card.deck.title == stored.card.deck.title
            assert card.is_archived is False
