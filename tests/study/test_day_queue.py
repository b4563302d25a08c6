"""The day queue (recall.study.queue): built once per user, scope and study day, kept in the
cache as ids, and still exact: two tabs, undo, suspending, burying, imports and grades
made elsewhere all show at the next call (issue 15)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import fsrs
import pytest

from recall.core.exceptions import ConflictError
from recall.decks import services as deck_services
from recall.decks.models import Card, Deck, Visibility
from recall.study import queue, scheduling, selectors, services
from recall.study.models import CardState, State
from recall.study.queue.plan import Plan
from tests.factories import CardFactory, DeckFactory

from .conftest import learning_past_today, local, reviews_due

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 10)


@pytest.fixture
def builds(monkeypatch: Any) -> list[int]:
    """How many times a day queue was built (appends 1 per build)."""
    calls: list[int] = []
    original = queue.DayQueue.rebuild

    def counting(self: queue.DayQueue) -> Any:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(queue.DayQueue, "rebuild", counting)
    return calls


@pytest.fixture
def refreshes(monkeypatch: Any) -> list[set[int]]:
    """The decks whose new-card lists each partial rebuild of a day queue picked again."""
    calls: list[set[int]] = []
    original = queue.DayQueue.refresh

    def spying(self: queue.DayQueue, old: Any, stale: set[int]) -> Any:
        calls.append(set(stale))
        return original(self, old, stale)

    monkeypatch.setattr(queue.DayQueue, "refresh", spying)
    return calls


def import_two_notes(user: Any, deck_slug: str) -> None:
    deck_services.notes_import(
        owner=user,
        filename="more.csv",
        data=b"question,answer\nWhat is WSGI?,A sync interface.\nWhat is ASGI?,Async.\n",
        deck_slug=deck_slug,
    )


def next_card(user: Any, deck: Any = None, when: Any = NOW) -> Card | None:
    cards = selectors.study_queue(user=user, deck=deck, now=when, limit=1)
    return cards[0] if cards else None


def grade(user: Any, card: Any, g: int = 4, when: Any = NOW) -> Any:
    version = card.study_state.version if getattr(card, "study_state", None) else 0
    return services.card_grade(
        user=user, card_id=card.pk, grade=g, duration_ms=1000, expected_version=version, now=when
    )


def test_the_queue_is_built_once_a_day_and_the_full_queue_is_what_it_serves(
    user, deck, cards, builds
):
    full = selectors.study_queue(user=user, deck=deck, now=NOW)
    served = []
    for _ in range(5):
        card = next_card(user, deck)
        if card is None:
            break
        served.append(card.pk)
        grade(user, card)
    assert served == [c.pk for c in full] == [c.pk for c in cards[:3]]
    assert len(builds) == 1  # every later call popped from the cached lists
    next_card(user, deck, local(2026, 3, 3, 10))  # a new study day: its own queue
    assert len(builds) == 2


def test_two_tabs_never_get_a_card_graded_in_the_other(user, deck, cards):
    reviews_due(user, deck, cards[3:6], NOW)
    for kind in ("review", "review", "review", "new", "new"):
        tab_a, tab_b = next_card(user, deck), next_card(user, deck)
        assert tab_a is not None and tab_b is not None
        assert tab_a.pk == tab_b.pk and tab_a.queue == kind
        grade(user, tab_a)
        after = next_card(user, deck)  # tab B asks again: the next card, never the graded one
        assert after is None or after.pk != tab_a.pk
        # Tab B's stale answer of the same card is refused, not counted twice.
        with pytest.raises(ConflictError):
            grade(user, tab_b)


def test_undo_brings_the_card_back_first(user, deck, cards):
    reviews_due(user, deck, cards[3:5], NOW)
    first = next_card(user, deck)
    assert first is not None and first.queue == "review"
    grade(user, first)
    assert next_card(user, deck).pk != first.pk  # type: ignore[union-attr]
    services.review_undo(user=user, now=NOW)
    again = next_card(user, deck)
    assert again is not None and again.pk == first.pk and again.queue == "review"
    # And a new card: undone, it is new again and first in its deck's order.
    deck.reviews_per_day = 0
    deck.save()
    new = next_card(user, deck)
    assert new is not None and new.queue == "new" and new.pk == cards[0].pk
    grade(user, new)
    assert next_card(user, deck).pk == cards[1].pk  # type: ignore[union-attr]
    services.review_undo(user=user, now=NOW)
    assert next_card(user, deck).pk == cards[0].pk  # type: ignore[union-attr]
    assert selectors.queue_counts(user=user, deck=deck, now=NOW).new == 3


def test_suspend_bury_and_their_undoing_show_at_once(
    user, deck, cards, django_capture_on_commit_callbacks
):
    assert next_card(user, deck).pk == cards[0].pk  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.cards_set_suspended(user=user, card_ids=[cards[0].pk], suspended=True)
    assert next_card(user, deck).pk == cards[1].pk  # type: ignore[union-attr]
    services.card_bury(user=user, card=cards[1], now=NOW)
    assert next_card(user, deck).pk == cards[2].pk  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.cards_set_suspended(user=user, card_ids=[cards[0].pk], suspended=False)
    services.card_bury(user=user, card=Card.objects.get(pk=cards[1].pk), buried=False, now=NOW)
    assert [c.pk for c in selectors.study_queue(user=user, deck=deck, now=NOW, limit=3)] == [
        c.pk for c in cards[:3]
    ]


def test_an_import_adds_its_cards_to_the_days_queue(
    user, builds, refreshes, django_capture_on_commit_callbacks
):
    target: Any = DeckFactory(owner=user, title="Imported", slug="imported", new_cards_per_day=10)
    CardFactory(deck=target, position=0)
    assert [c.pk for c in selectors.study_queue(user=user, deck=target, now=NOW, limit=5)]
    built = len(builds)
    with django_capture_on_commit_callbacks(execute=True):
        import_two_notes(user, "imported")
    served = selectors.study_queue(user=user, deck=target, now=NOW, limit=5)
    # The file replaces the deck's notes: the old card is archived, the two new ones served.
    assert [c.question for c in served] == ["What is WSGI?", "What is ASGI?"]
    assert len(builds) == built and refreshes == [{target.pk}]


def test_an_import_into_one_deck_picks_again_that_decks_list_only(
    user, deck, cards, builds, refreshes, review_picks, django_capture_on_commit_callbacks
):
    other: Any = DeckFactory(owner=user, title="Other", slug="other", new_cards_per_day=10)
    CardFactory.create_batch(3, deck=other)
    reviews_due(user, deck, cards[5:7], NOW)
    assert next_card(user) is not None  # builds the all-decks queue
    built = len(builds)
    with django_capture_on_commit_callbacks(execute=True):
        import_two_notes(user, "other")
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    assert len(builds) == built and refreshes == [{other.pk}]
    # What the full queries give: the reviews, the first deck's new cards as before, and
    # the other deck's, the imported cards among them.
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
    assert {"What is WSGI?", "What is ASGI?"} <= {
        c.question for c in served if c.deck_id == other.pk
    }
    # An undone review of a card without siblings picks again the review list only (no
    # deck's new cards), and the card is back where the full queries put it.
    assert served[0].queue == "review"  # type: ignore[attr-defined]
    grade(user, served[0])
    picked = len(review_picks)
    services.review_undo(user=user, now=NOW)
    again = selectors.study_queue(user=user, now=NOW, limit=20)
    assert len(builds) == built and refreshes[-1] == set() and len(review_picks) == picked + 1
    assert [c.pk for c in again] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
    assert again[0].pk == served[0].pk
    exact(user)


def test_an_undo_in_someone_elses_deck_picks_every_list_again(user, deck, cards, builds):
    shared: Any = DeckFactory(visibility=Visibility.PUBLIC, new_cards_per_day=5)
    theirs = CardFactory.create_batch(2, deck=shared)
    grade(user, theirs[0], g=1)  # the deck is started: it joins "all decks"
    assert next_card(user) is not None
    grade(user, theirs[1], g=1)
    assert next_card(user) is not None
    built = len(builds)
    services.review_undo(user=user, now=NOW)
    # Its stamp is every reader's: the user's own queues are forgotten instead.
    assert next_card(user) is not None
    assert len(builds) == built + 1


def exact(user: Any, deck: Any = None, when: Any = NOW) -> None:
    """The day queue serves and counts what the full queries give."""
    served, counts = selectors.study_session(user=user, deck=deck, now=when, limit=20)
    assert [c.pk for c in served] == [
        c.pk for c in selectors.study_queue(user=user, deck=deck, now=when)
    ][:20]
    assert counts == Plan(user, deck, when).counts()


def test_an_undone_new_card_picks_again_its_deck_s_new_cards_only(
    user, deck, cards, builds, refreshes, review_picks
):
    reviews_due(user, deck, cards[5:7], NOW)
    exact(user)
    built, picked = len(builds), len(review_picks)
    grade(user, cards[0], g=3)  # by id: new -> learning
    exact(user)
    services.review_undo(user=user, now=NOW)
    exact(user)
    # Its note has no other card and it was in no review list: the reviews are kept.
    assert len(builds) == built and refreshes == [{deck.pk}] and len(review_picks) == picked
    assert next_card(user, deck).pk == cards[6].pk  # type: ignore[union-attr]
    deck.reviews_per_day = 0
    deck.save()
    assert next_card(user, deck).pk == cards[0].pk  # type: ignore[union-attr]


def test_an_undone_review_picks_again_the_review_lists_only_in_every_scope(
    user, deck, cards, builds, refreshes, review_picks
):
    reviews_due(user, deck, cards[5:7], NOW)
    exact(user)
    exact(user, deck)
    built = len(builds)
    review = next_card(user, deck)
    assert review is not None and review.pk == cards[6].pk  # the earliest due
    grade(user, review, g=3)
    exact(user)
    exact(user, deck)
    picked, refreshed = len(review_picks), len(refreshes)
    services.review_undo(user=user, now=NOW)
    exact(user)
    exact(user, deck)
    # Both scopes picked their review list again and no deck's new cards.
    assert len(builds) == built and refreshes[refreshed:] == [set(), set()]
    assert len(review_picks) == picked + 2
    assert next_card(user, deck).pk == cards[6].pk  # type: ignore[union-attr]


def test_an_undone_review_in_someone_elses_deck_keeps_the_new_card_lists(
    user, deck, cards, builds, refreshes
):
    shared: Any = DeckFactory(visibility=Visibility.PUBLIC)
    theirs = CardFactory.create_batch(2, deck=shared)
    reviews_due(user, shared, theirs, NOW)
    exact(user)
    built = len(builds)
    review = next_card(user)
    assert review is not None and review.deck_id == shared.pk
    grade(user, review, g=3)
    exact(user)
    services.review_undo(user=user, now=NOW)
    exact(user)
    assert len(builds) == built and refreshes[-1] == set()
    assert next_card(user).pk == review.pk  # type: ignore[union-attr]


def test_an_undone_review_with_an_import_in_between_still_comes_back(
    user, deck, cards, refreshes, review_picks, django_capture_on_commit_callbacks
):
    reviews_due(user, deck, cards[5:7], NOW)
    exact(user)
    review = next_card(user)
    assert review is not None and review.queue == "review"  # type: ignore[attr-defined]
    grade(user, review, g=3)
    exact(user)  # the graded card leaves the review list
    with django_capture_on_commit_callbacks(execute=True):
        # A new deck: alone, it would keep the review list (no state of the user in it).
        deck_services.notes_import(
            owner=user,
            filename="fresh.csv",
            data=b"question,answer\nWhat is WSGI?,A sync interface.\n",
        )
    picked = len(review_picks)
    services.review_undo(user=user, now=NOW)
    exact(user)
    fresh = Deck.objects.exclude(pk=deck.pk).get(owner=user)
    assert refreshes[-1] == {fresh.pk} and len(review_picks) == picked + 1
    assert next_card(user).pk == review.pk  # type: ignore[union-attr]


def test_an_undone_learning_step_forgets_no_list(user, deck, cards, builds, refreshes):
    grade(user, cards[0], g=1)  # new -> learning
    exact(user)
    built = len(builds)
    later = NOW + timedelta(minutes=11)
    learning = next_card(user, when=later)
    assert learning is not None and learning.pk == cards[0].pk
    assert learning.queue == "learning"  # type: ignore[attr-defined]
    grade(user, learning, g=1, when=later)
    services.review_undo(user=user, now=later)
    exact(user, when=later)
    assert len(builds) == built and refreshes == []
    assert next_card(user, when=later).pk == cards[0].pk  # type: ignore[union-attr]


def test_an_undone_grade_that_made_a_review_due_today_picks_the_lists_again(
    user, deck, cards, refreshes, review_picks, monkeypatch
):
    original = scheduling.review

    def due_within_the_hour(*args: Any, **kwargs: Any) -> Any:
        outcome = original(*args, **kwargs)
        if outcome.card.state == fsrs.State.Review:
            outcome.card.due = args[3] + timedelta(hours=1)
        return outcome

    monkeypatch.setattr(scheduling, "review", due_within_the_hour)
    grade(user, cards[0], g=1)
    later = NOW + timedelta(minutes=11)
    grade(user, next_card(user, when=later), g=4, when=later)  # learning -> review, today
    in_two_hours = NOW + timedelta(hours=2)
    exact(user, when=in_two_hours)
    assert next_card(user, when=in_two_hours).queue == "review"  # type: ignore[union-attr]
    picked = len(review_picks)
    services.review_undo(user=user, now=in_two_hours)  # a learning card again
    exact(user, when=in_two_hours)
    assert refreshes[-1:] == [{deck.pk}] and len(review_picks) == picked + 1


def test_an_undone_grade_that_held_back_a_sibling_picks_the_lists_again(user, refreshes):
    siblings: Any = DeckFactory(owner=user, title="Siblings", new_cards_per_day=10)
    note = deck_services.note_create(deck=siblings, kind="reversed", question="Q?", answer="A.")
    forward, backward = note.cards.order_by("ordinal")
    learning_past_today(user, forward, NOW)
    exact(user, siblings)
    assert next_card(user, siblings).pk == backward.pk  # type: ignore[union-attr]
    # Graded by id: its sibling waits for the rest of the day.
    services.card_grade(
        user=user, card_id=forward.pk, grade=3, duration_ms=1000, expected_version=1, now=NOW
    )
    exact(user, siblings)
    assert next_card(user, siblings) is None
    services.review_undo(user=user, now=NOW)
    exact(user, siblings)
    assert next_card(user, siblings).pk == backward.pk  # type: ignore[union-attr]
    assert refreshes[-1:] == [{siblings.pk}]


def test_grades_made_elsewhere_count_against_the_quota(user, deck, cards):
    # The deck's session built its queue (quota 3: cards 0-2); the all-decks session and an
    # API client then grade cards of the same deck: the deck's queue serves what is left.
    assert next_card(user, deck).pk == cards[0].pk  # type: ignore[union-attr]
    grade(user, cards[5])  # a card beyond the day's list, graded directly
    everywhere = next_card(user)
    assert everywhere is not None and everywhere.pk == cards[0].pk
    grade(user, everywhere)
    left = selectors.study_queue(user=user, deck=deck, now=NOW, limit=5)
    assert [c.pk for c in left] == [cards[1].pk]  # 3 new a day, two already graded


@pytest.mark.parametrize("whole", [1000, 0])
def test_a_deck_s_new_cards_are_tallied_once_then_kept_from_the_review_log(
    user, monkeypatch, whole
):
    # Listed whole or cut at the chunk, the count is the same work: the deck's valid cards
    # picked once by the full query (not the list checked against the database per call).
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 2)
    monkeypatch.setattr(queue.day, "_WHOLE_QUOTA", whole)
    big: Any = DeckFactory(owner=user, title="Big", new_cards_per_day=5)
    for i in range(7):
        CardFactory(deck=big, position=i)
    assert next_card(user, big) is not None  # the day's lists are built
    full_counts: list[object] = []
    original = queue.Plan.new_cards

    def spying(self: Any, *args: Any, **kwargs: Any) -> Any:
        full_counts.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(queue.Plan, "new_cards", spying)
    cards, counts = selectors.study_session(user=user, deck=big, now=NOW, limit=1)
    assert counts.new == 5
    assert full_counts == [(big.pk,)]
    grade(user, cards[0])
    del full_counts[:]
    _cards, counts = selectors.study_session(user=user, deck=big, now=NOW, limit=1)
    assert counts.new == 4
    assert full_counts == []


@pytest.mark.parametrize("whole", [0, 1000])
def test_a_longer_day_than_one_chunk_is_served_in_full(user, monkeypatch, whole):
    monkeypatch.setattr(queue.day, "DAY_QUEUE_CHUNK", 2)
    monkeypatch.setattr(queue.day, "_WHOLE_QUOTA", whole)
    big: Any = DeckFactory(owner=user, title="Big", new_cards_per_day=5, reviews_per_day=5)
    cards = [CardFactory(deck=big, position=i) for i in range(7)]
    reviews_due(user, big, cards[4:], NOW)
    full = selectors.study_queue(user=user, deck=big, now=NOW)
    served = []
    for _ in range(10):
        card = next_card(user, big)
        if card is None:
            break
        served.append(card.pk)
        grade(user, card)
    assert served == [c.pk for c in full]
    assert len(served) == 3 + 4  # three due reviews, then the four new cards left


def test_learning_comes_first_and_is_read_with_the_review_head_in_one_query(
    user, deck, cards, django_assert_num_queries
):
    reviews_due(user, deck, cards[3:6], NOW)  # due 1 to 3 hours ago: before the learning cards
    CardState.objects.bulk_create(
        CardState(user=user, card=card, deck=deck, state=State.LEARNING, step=0, due=due)
        for card, due in (
            (cards[0], NOW - timedelta(minutes=5)),
            (cards[1], NOW - timedelta(minutes=10)),
            (cards[2], NOW + timedelta(minutes=5)),  # not due yet
        )
    )
    built = selectors.study_queue(user=user, deck=deck, now=NOW, limit=4)  # builds the lists
    # Today's counts, then the due learning cards and the head of the review list together.
    with django_assert_num_queries(2):
        served = selectors.study_queue(user=user, deck=deck, now=NOW, limit=4)
    assert served == built
    assert [(c.pk, c.queue) for c in served] == [
        (cards[1].pk, "learning"),
        (cards[0].pk, "learning"),
        (cards[5].pk, "review"),
        (cards[4].pk, "review"),
    ]
    assert served[2].study_state.version == 3  # type: ignore[attr-defined]


def test_the_learning_count_is_read_off_the_serving_query_only_when_it_saw_them_all(
    user, deck, cards, monkeypatch
):
    reviews_due(user, deck, cards[3:5], NOW)
    assert len(selectors.study_queue(user=user, deck=deck, now=NOW, limit=1)) == 1  # listed
    for card in cards[3:5]:  # graded elsewhere: the list's head holds two cards gone
        services.card_grade(
            user=user, card_id=card.pk, grade=3, duration_ms=1000, expected_version=3, now=NOW
        )
    CardState.objects.bulk_create(
        CardState(user=user, card=card, deck=deck, state=State.LEARNING, step=0, due=due)
        for card, due in ((cards[0], NOW - timedelta(minutes=5)), (cards[1], NOW))
    )
    counted: list[int] = []
    original = Plan.learning

    def counting(self: Plan, *, ahead: bool = False) -> Any:
        counted.append(1)
        return original(self, ahead=ahead)

    monkeypatch.setattr(Plan, "learning", counting)
    # One card asked for, the head's two reviews checked with it: three rows allowed, two
    # found, so both learning cards were seen (one of them served).
    cards_now, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert [c.pk for c in cards_now] == [cards[0].pk]
    assert counts.learning == 2 and counted == []
    # Two more due: the serving query reads three and may not have seen them all.
    CardState.objects.bulk_create(
        CardState(user=user, card=card, deck=deck, state=State.LEARNING, step=0, due=NOW)
        for card in (cards[2], cards[5])
    )
    _cards, counts = selectors.study_session(user=user, deck=deck, now=NOW, limit=1)
    assert counts.learning == 4 and counted == [1]


@pytest.fixture
def review_picks(monkeypatch: Any) -> list[int]:
    """How many times a day queue picked its review list (appends 1 each time)."""
    calls: list[int] = []
    original = Plan.reviews

    def counting(self: Plan, *, flag_siblings: bool = False, **kwargs: Any) -> Any:
        if flag_siblings:
            calls.append(1)
        return original(self, flag_siblings=flag_siblings, **kwargs)

    monkeypatch.setattr(Plan, "reviews", counting)
    return calls


def test_an_import_into_a_new_deck_keeps_the_review_list(
    user, deck, cards, refreshes, review_picks, django_capture_on_commit_callbacks
):
    reviews_due(user, deck, cards[5:7], NOW)
    assert next_card(user) is not None
    picked = len(review_picks)
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.notes_import(
            owner=user,
            filename="fresh.csv",
            data=b"question,answer\nWhat is WSGI?,A sync interface.\nWhat is ASGI?,Async.\n",
        )
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    fresh = Deck.objects.exclude(pk=deck.pk).get(owner=user)
    # Only the new deck's list was picked: it holds no state of the user, so no review.
    assert refreshes == [{fresh.pk}] and len(review_picks) == picked
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
    assert [c.pk for c in served[:2]] == [cards[6].pk, cards[5].pk]
    assert {"What is WSGI?", "What is ASGI?"} <= {c.question for c in served}


def test_a_new_deck_holding_reviews_of_the_user_picks_the_review_list_again(
    user, deck, cards, refreshes, review_picks
):
    reviews_due(user, deck, cards[5:6], NOW)
    assert next_card(user) is not None
    picked = len(review_picks)
    # Like an Anki package imported with its schedule: a new deck with a review due.
    package: Any = DeckFactory(owner=user, title="Package", slug="package")
    card = CardFactory(deck=package)
    reviews_due(user, package, [card], NOW - timedelta(hours=3))
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    assert refreshes == [{package.pk}] and len(review_picks) == picked + 1
    assert served[0].pk == card.pk
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]


def test_new_notes_in_a_known_deck_keep_the_review_list_and_an_edit_does_not(
    user, deck, cards, refreshes, review_picks, django_capture_on_commit_callbacks
):
    rows = b"question,answer\nWhat is WSGI?,A sync interface.\nWhat is ASGI?,Async.\n"
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.notes_import(owner=user, filename="notes.csv", data=rows)
    notes = Deck.objects.exclude(pk=deck.pk).get(owner=user)
    reviews_due(user, deck, cards[5:7], NOW)
    assert next_card(user) is not None
    picked = len(review_picks)
    # The notes file grew and is imported again, and a note is added with the form: each
    # time the deck's new-card list is picked again and the review list is kept.
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.notes_import(
            owner=user, filename="notes.csv", data=rows + b"What is WSGI's server?,gunicorn.\n"
        )
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    assert refreshes == [{notes.pk}] and len(review_picks) == picked
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
    assert "What is WSGI's server?" in {c.question for c in served}
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.note_create(deck=deck, kind="reversed", question="Q?", answer="A.")
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    assert refreshes[1:] == [{deck.pk}] and len(review_picks) == picked
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
    # A file that drops a note archives it, and an edit may change what is due: the review
    # list is picked again each time.
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.notes_import(owner=user, filename="notes.csv", data=rows)
    selectors.study_queue(user=user, now=NOW, limit=20)
    assert len(review_picks) == picked + 1
    with django_capture_on_commit_callbacks(execute=True):
        deck_services.note_update(note=cards[5].note, answer="An edited answer.")
    served = selectors.study_queue(user=user, now=NOW, limit=20)
    assert len(refreshes) == 4 and len(review_picks) == picked + 2
    assert [c.pk for c in served] == [c.pk for c in selectors.study_queue(user=user, now=NOW)]
