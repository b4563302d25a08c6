"""The counts a study session shows are read off the day queue's lists (issue 15: the full
counting queries ran on every "next card"); they must equal the full queries' counts after
any mix of grades (here or by id elsewhere), undo, suspending, burying, sibling burying and
lists cut at the chunk."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta
from typing import Any

import pytest

from recall.core.exceptions import ConflictError, NotFoundError
from recall.decks import services as deck_services
from recall.decks.models import Card
from recall.study import queue, selectors, services
from recall.study.models import CardState, State
from tests.factories import CardFactory, DeckFactory

from .conftest import learning_past_today, local, reviews_due

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 10)


# What happens between two looks at the queue, grades the likeliest.
ACTIONS = (
    "grade",
    "grade",
    "grade",
    "undo",
    "suspend",
    "bury",
    "stale tab",
    "new note",
    "new deck",
    "graded elsewhere",
)


def full_counts(user: Any, deck: Any, when: Any) -> queue.QueueCounts:
    return queue.Plan(user, deck, when).counts()


@pytest.fixture
def world(user):
    """Two decks: plain cards with due reviews, and notes of several cards (siblings)."""
    plain: Any = DeckFactory(owner=user, title="Plain", new_cards_per_day=4, reviews_per_day=3)
    cards = [CardFactory(deck=plain, position=i) for i in range(9)]
    reviews_due(user, plain, cards[5:], NOW)
    notes: Any = DeckFactory(owner=user, title="Notes", new_cards_per_day=5, reviews_per_day=10)
    for n in range(3):
        deck_services.note_create(deck=notes, kind="reversed", question=f"Q{n}", answer=f"A{n}")
    deck_services.note_create(deck=notes, kind="cloze", question="{{c1::a}} {{c2::b}} {{c3::c}}")
    return plain, notes


# (list length, quota listed whole up to, spare ids a tally keeps): lists longer than a
# day; cut lists; reviews cut while each deck's new cards are listed whole; cut lists whose
# tallies keep nothing spare (sibling burying soon leaves them short).
@pytest.mark.parametrize(
    ("chunk", "whole", "slack"), [(200, 1000, 200), (2, 0, 200), (2, 1000, 200), (2, 0, 0)]
)
@pytest.mark.parametrize("seed", range(4))
def test_counts_off_the_day_queue_equal_the_full_counts(
    user, world, chunk, whole, slack, seed, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", chunk)
    monkeypatch.setattr(queue.day, "_WHOLE_QUOTA", whole)
    monkeypatch.setattr(queue.tally, "_SLACK", slack)
    rng = random.Random(seed)
    when = NOW
    scopes = [None, *world]
    history: list[Any] = []
    for _ in range(25):
        scope = rng.choice(scopes)
        cards, counts = selectors.study_session(user=user, deck=scope, now=when, limit=1)
        assert counts == full_counts(user, scope, when)
        # Every other scope too: their lists were built before this step's change.
        for other in scopes:
            assert selectors.queue_counts(user=user, deck=other, now=when) == (
                full_counts(user, other, when)
            ), history
        if not cards:
            continue
        card = cards[0]
        action = rng.choice(ACTIONS)
        history.append((action, card.pk, card.queue, scope and scope.pk, when.isoformat()))
        version = card.study_state.version if card.study_state else 0  # type: ignore[attr-defined]
        if action == "new note":  # one deck's list is picked again, the others kept
            target = rng.choice(world)
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.note_create(
                    deck=target, kind=rng.choice(("basic", "reversed")), question="Q?", answer="A."
                )
        elif action == "new deck":  # the review list is kept, the new deck's list picked
            fresh: Any = DeckFactory(owner=user, title=f"Fresh {len(history)}")
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.note_create(deck=fresh, kind="basic", question="New?", answer="A.")
        elif action == "graded elsewhere":  # any review of the user, by id (the API)
            reviews = CardState.objects.filter(user=user, state=State.REVIEW).order_by("pk")
            grade_card(user, rng.choice(list(reviews)).card, when)
        elif action == "suspend":
            with django_capture_on_commit_callbacks(execute=True):
                deck_services.cards_set_suspended(user=user, card_ids=[card.pk], suspended=True)
        elif action == "bury":
            services.card_bury(user=user, card=card, now=when)
        elif action == "undo":
            with contextlib.suppress(NotFoundError):  # nothing left to undo
                services.review_undo(user=user, now=when)
        else:
            services.card_grade(
                user=user,
                card_id=card.pk,
                grade=rng.choice((1, 3, 4)),
                duration_ms=900,
                expected_version=version,
                now=when,
            )
            if action == "stale tab":
                with pytest.raises(ConflictError):
                    services.card_grade(
                        user=user,
                        card_id=card.pk,
                        grade=3,
                        duration_ms=900,
                        expected_version=version,
                        now=when,
                    )
        when += timedelta(minutes=rng.choice((0, 1, 5, 15)))


def test_a_session_counts_without_the_full_queries(user, world, django_assert_max_num_queries):
    for n in range(6):
        more: Any = DeckFactory(owner=user, title=f"More {n}", new_cards_per_day=2)
        CardFactory.create_batch(3, deck=more)
    selectors.study_session(user=user, deck=None, now=NOW, limit=1)  # builds the day queue
    # Quotas, learning, the queue's heads, then the counts: learning, reviews, new cards,
    # whatever the number of decks (the full queries took one per deck: 12 here).
    with django_assert_max_num_queries(8):
        cards, counts = selectors.study_session(user=user, deck=None, now=NOW, limit=1)
    assert cards and counts == full_counts(user, None, NOW)


@pytest.fixture
def review_queries(monkeypatch: Any) -> list[str]:
    """Each full query of today's reviews a session ran: "count" (the full count), "list"
    (the day queue's review list picked, which its tally is offered) or "tally" (a tally
    picked on its own)."""
    calls: list[str] = []
    original = queue.Plan.reviews

    def spying(self: Any, **kwargs: Any) -> Any:
        kind = "list" if kwargs.get("flag_siblings") else "tally" if kwargs else "count"
        calls.append(kind)
        return original(self, **kwargs)

    monkeypatch.setattr(queue.Plan, "reviews", spying)
    return calls


def test_reviews_of_a_cut_list_are_tallied_once_then_kept_from_the_review_log(
    user, monkeypatch, review_queries
):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 3)
    many: Any = DeckFactory(owner=user, title="Many", new_cards_per_day=0, reviews_per_day=40)
    few: Any = DeckFactory(owner=user, title="Few", new_cards_per_day=0, reviews_per_day=50)
    lots = [CardFactory(deck=many, position=i) for i in range(30)]
    reviews_due(user, many, lots, NOW)
    reviews_due(user, few, [CardFactory(deck=few, position=i) for i in range(6)], NOW)
    when = NOW
    for step in range(12):
        # Each scope in turn; between looks, the card served and one far past every list
        # (the latest due: another tab, the API) are graded.
        scope = (None, many)[step % 2]
        cards, counts = selectors.study_session(user=user, deck=scope, now=when, limit=1)
        checked = len(review_queries)
        assert counts == full_counts(user, scope, when)
        del review_queries[checked:]  # the oracle's own queries
        grade_card(user, cards[0], when)
        grade_card(user, lots[step], when)
        when += timedelta(minutes=3)
    # Each scope's reviews were tallied from each list it picked, by the list's own query:
    # never counted in full, never picked again for the tally.
    assert review_queries.count("list") >= 2
    assert set(review_queries) == {"list"}


def test_a_grade_committed_after_a_count_it_predates_still_reaches_the_tally(user, monkeypatch):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 2)
    deck: Any = DeckFactory(owner=user, title="Many", new_cards_per_day=0, reviews_per_day=50)
    cards = [CardFactory(deck=deck, position=i) for i in range(8)]
    reviews_due(user, deck, cards, NOW)
    later = NOW + timedelta(minutes=2)
    assert selectors.queue_counts(user=user, deck=deck, now=later).review == 8
    # A request that began before that count commits its grade after it.
    grade_card(user, cards[0], NOW + timedelta(minutes=1))
    assert selectors.queue_counts(user=user, deck=deck, now=later).review == 7
    assert full_counts(user, deck, later).review == 7


def pairs(user: Any, monkeypatch: Any, *, new: int, reviews: int) -> tuple[Any, list[Any]]:
    """A deck of six reversed notes, its lists cut at one card, tallies with none spare;
    returns it and the notes' cards in (forward, reverse) pairs."""
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 1)
    monkeypatch.setattr(queue.day, "_WHOLE_QUOTA", 0)
    monkeypatch.setattr(queue.tally, "_SLACK", 0)
    deck: Any = DeckFactory(
        owner=user, title="Pairs", new_cards_per_day=new, reviews_per_day=reviews
    )
    for n in range(6):
        deck_services.note_create(deck=deck, kind="reversed", question=f"Q{n}", answer=f"A{n}")
    cards = Card.objects.filter(deck=deck).order_by("pk")
    return deck, [list(cards.filter(ordinal=1)), list(cards.filter(ordinal=2))]


def test_a_tally_short_of_the_quota_is_picked_again(user, monkeypatch, review_queries):
    # Grading new cards buries their notes' due reviews without using the review quota:
    # the reviews tallied (none spare) run short of it.
    deck, (forward, reverse) = pairs(user, monkeypatch, new=10, reviews=3)
    reviews_due(user, deck, forward, NOW)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    # The tally is offered the list's own rows: no query of its own.
    assert counts.review == 3 and review_queries == ["list"]
    # Reviews are due latest first: the tally keeps forward[5], [4] and [3], none spare.
    for card in reverse[2:5]:  # bury forward[2], [3] and [4]
        grade_card(user, card, NOW)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert review_queries == ["list", "tally"]
    assert counts == full_counts(user, deck, NOW)
    assert counts.review == 3


def test_a_card_deleted_after_its_grade_leaves_the_tally_exact(
    user, django_capture_on_commit_callbacks
):
    # Its review-log row stays, without a card: the next look must read it, not fail.
    deck: Any = DeckFactory(owner=user, title="Doomed", new_cards_per_day=5)
    notes = [
        deck_services.note_create(deck=deck, kind="reversed", question=f"Q{n}", answer=f"A{n}")
        for n in range(3)
    ]
    assert selectors.queue_counts(user=user, deck=deck, now=NOW) == full_counts(user, deck, NOW)
    doomed = notes[0].cards.order_by("ordinal").first()
    grade_card(user, doomed, NOW)
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.note_delete(note=notes[0])
    later = NOW + timedelta(minutes=1)
    assert selectors.queue_counts(user=user, deck=deck, now=later) == full_counts(user, deck, later)


def test_a_tally_holding_every_review_is_not_picked_again_when_it_runs_short(
    user, monkeypatch, review_queries
):
    deck, (forward, reverse) = pairs(user, monkeypatch, new=10, reviews=3)
    monkeypatch.setattr(queue.tally, "_SLACK", 5)  # the list's query reads all six reviews
    reviews_due(user, deck, forward, NOW)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert counts.review == 3 and review_queries == ["list"]
    for card in reverse[1:5]:  # bury four of the six: two left, below the quota
        grade_card(user, card, NOW)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert review_queries == ["list"]  # the tally knew it held every review
    assert counts == full_counts(user, deck, NOW) and counts.review == 2


def test_a_deck_capped_early_leaves_the_list_to_the_other_decks(user, monkeypatch):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 3)
    capped: Any = DeckFactory(owner=user, title="Capped", new_cards_per_day=0, reviews_per_day=1)
    other: Any = DeckFactory(owner=user, title="Other", new_cards_per_day=0, reviews_per_day=9)
    early = [CardFactory(deck=capped, position=i) for i in range(3)]
    late = [CardFactory(deck=other, position=i) for i in range(3)]
    reviews_due(user, capped, early, NOW)  # due 1, 2 and 3 hours ago
    reviews_due(user, other, late, NOW + timedelta(minutes=30))  # 30, 90 and 150 minutes ago
    # In (due, id) order: early[2], early[1], late[2], late[1], early[0], late[0]. The
    # capped deck's cap is one: its other two take no place in the list's chunk of three.
    served, counts = selectors.study_session(user=user, now=NOW, limit=3)
    assert [c.pk for c in served] == [early[2].pk, late[2].pk, late[1].pk]
    full = selectors.study_queue(user=user, now=NOW)
    assert [c.pk for c in served] == [c.pk for c in full][:3]
    assert counts == full_counts(user, None, NOW)


def test_a_new_card_tally_short_of_the_quota_is_picked_again(user, monkeypatch):
    # Grading a card buries its note's new cards without using the new-card quota.
    deck, (forward, _reverse) = pairs(user, monkeypatch, new=3, reviews=50)
    # The forward cards are reviews due in two days: their reverse cards are new, eligible.
    reviews_due(user, deck, forward, NOW + timedelta(days=2))
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert counts.new == 3  # the tally keeps the first three reverse cards, none spare
    # Graded ahead, by id: their reverse cards wait until tomorrow (the list's head, the first
    # reverse card, stays: the list is not picked again, only the tally is).
    for card in forward[1:3]:
        grade_card(user, card, NOW)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert counts == full_counts(user, deck, NOW)
    assert counts.new == 3


def grade_card(user: Any, card: Any, when: Any) -> None:
    state = CardState.objects.filter(user=user, card=card).first()
    services.card_grade(
        user=user,
        card_id=card.pk,
        grade=3,
        duration_ms=900,
        expected_version=state.version if state else 0,
        now=when,
    )


def test_a_whole_list_just_picked_is_tallied_without_a_query_of_its_own(user, monkeypatch):
    deck: Any = DeckFactory(owner=user, title="Few", new_cards_per_day=10)
    cards = [CardFactory(deck=deck, position=i) for i in range(3)]
    assert selectors.queue_counts(user=user, deck=deck, now=NOW).new == 3
    picks: list[int] = []
    original = queue.tally.Tally._pick_new

    def counting(self: Any, *args: Any) -> Any:
        picks.append(1)
        return original(self, *args)

    monkeypatch.setattr(queue.tally.Tally, "_pick_new", counting)
    queue.queue_grew_for_deck(deck.pk)  # the deck's list is picked again, whole
    looked = queue.tally.Tally._caught_up

    def graded_meanwhile(self: Any) -> Any:
        # A grade committed after the list's query, before the count reads the review log.
        if self._record is None:
            grade_card(user, cards[0], NOW)
        return looked(self)

    monkeypatch.setattr(queue.tally.Tally, "_caught_up", graded_meanwhile)
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert counts.new == 2 and picks == []
    monkeypatch.setattr(queue.tally.Tally, "_caught_up", looked)
    assert selectors.queue_counts(user=user, deck=deck, now=NOW) == full_counts(user, deck, NOW)


@pytest.mark.parametrize("kind", ["new", "review"])
def test_a_whole_list_a_sibling_grade_leaves_short_is_picked_again(user, kind):
    deck: Any = DeckFactory(owner=user, title="Siblings", new_cards_per_day=2, reviews_per_day=1)
    note = deck_services.note_create(deck=deck, kind="reversed", question="Q?", answer="A.")
    forward, backward = note.cards.order_by("ordinal")
    plain = [CardFactory(deck=deck, position=10 + i) for i in range(3)]
    if kind == "review":  # the sibling first in the list, another review after it
        reviews_due(user, deck, [plain[0], backward], NOW)
    learning_past_today(user, forward, NOW)
    served, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert served[0].pk == backward.pk and counts == full_counts(user, deck, NOW)
    # Graded by id, it holds its sibling back: no quota used, one card fewer in the list.
    grade_card(user, forward, NOW)
    after = full_counts(user, deck, NOW)
    assert selectors.queue_counts(user=user, deck=deck, now=NOW) == after
    assert (after.new, after.review) == ((2, 0) if kind == "new" else (2, 1))
