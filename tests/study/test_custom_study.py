"""Review ahead (which cards, graded for real) and cram (which cards, nothing written)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from recall.core.exceptions import ApplicationError, NotFoundError
from recall.decks.models import Visibility
from recall.search.backends import get_backend
from recall.study import custom_study, scheduling, services
from recall.study.custom_study import CramSession
from recall.study.models import CardState, ReviewLog
from tests.factories import CardFactory, DeckFactory, TagFactory, UserFactory

from .conftest import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 2, 9)


def _due_in(user, card, days: int) -> CardState:
    """Graded once long ago, then due ``days`` study days from NOW (noon)."""
    services.card_grade(
        user=user, card_id=card.pk, grade=4, duration_ms=1, now=NOW - timedelta(days=30)
    )
    state = CardState.objects.get(user=user, card=card)
    state.due = scheduling.day_start(
        user, scheduling.study_day(user, NOW) + timedelta(days=days)
    ) + timedelta(hours=8)
    state.save()
    return state


def test_review_ahead_takes_the_next_days_only_soonest_first(user, deck, cards):
    for card, days in zip(cards, (0, 1, 3, 2, 7, 8), strict=False):
        _due_in(user, card, days)
    ahead = custom_study.review_ahead(user=user, days=7, deck=deck, now=NOW)
    # Due today is the regular queue's; beyond 7 days is not "the next 7 days".
    assert [c.pk for c in ahead] == [cards[1].pk, cards[3].pk, cards[2].pk, cards[4].pk]
    assert all(c.queue == "ahead" and c.study_state is not None for c in ahead)
    assert custom_study.review_ahead_count(user=user, days=7, deck=deck, now=NOW) == 4
    assert custom_study.review_ahead_count(user=user, days=1, now=NOW) == 1
    assert [c.pk for c in custom_study.review_ahead(user=user, days=7, now=NOW, limit=2)] == [
        cards[1].pk,
        cards[3].pk,
    ]
    cards[3].suspended = True
    cards[3].save()
    assert custom_study.review_ahead_count(user=user, days=7, deck=deck, now=NOW) == 3


def test_review_ahead_grades_are_real_reviews(user, deck, cards):
    state = _due_in(user, cards[0], 5)
    card = custom_study.review_ahead(user=user, days=7, now=NOW)[0]
    services.card_grade(
        user=user, card_id=card.pk, grade=3, duration_ms=1, expected_version=state.version, now=NOW
    )
    after = CardState.objects.get(pk=state.pk)
    assert after.reps == state.reps + 1 and after.last_review == NOW
    assert ReviewLog.objects.filter(card=card).count() == 2
    assert custom_study.review_ahead_count(user=user, days=7, now=NOW) == 0


@pytest.mark.parametrize("days", [0, -1, 366])
def test_review_ahead_days_out_of_range(user, days):
    with pytest.raises(ApplicationError, match="days must be between 1 and 365"):
        custom_study.review_ahead(user=user, days=days)


def test_cram_a_deck_a_tag_or_a_search(user, deck, cards, django_capture_on_commit_callbacks):
    tag = TagFactory(owner=user, name="celery")
    with django_capture_on_commit_callbacks(execute=True):
        tagged = [
            CardFactory(deck=deck, position=20 + i, tags=[tag], question=f"Celery beat {i}?")
            for i in range(2)
        ]
    get_backend().rebuild()
    cards[2].suspended = True
    cards[2].save()
    crammed = custom_study.cram_cards(user=user, deck_id=deck.pk)
    assert [c.pk for c in crammed] == [c.pk for c in cards if c.pk != cards[2].pk] + [
        c.pk for c in tagged
    ]
    assert [c.pk for c in custom_study.cram_cards(user=user, tag="CELERY")] == [
        c.pk for c in tagged
    ]
    assert {c.pk for c in custom_study.cram_cards(user=user, query="celery beat")} == {
        c.pk for c in tagged
    }
    assert len(custom_study.cram_cards(user=user, deck_id=deck.pk, limit=3)) == 3


def test_cram_refuses_no_scope_a_bad_search_and_others_private_decks(user, deck, cards):
    with pytest.raises(ApplicationError, match="Choose a deck, a tag or a search"):
        custom_study.cram_cards(user=user)
    with pytest.raises(ApplicationError, match="That search cannot be crammed"):
        custom_study.cram_cards(user=user, query="-")
    secret = DeckFactory(owner=UserFactory(username="eve"), visibility=Visibility.PRIVATE)
    with pytest.raises(NotFoundError):
        custom_study.cram_cards(user=user, deck_id=secret.pk)


def test_a_cram_session_brings_again_back_and_writes_nothing(user, deck, cards):
    before = list(CardState.objects.values_list("id", "version"))
    cram = CramSession.start("deck", cards[:5])
    order = []
    while cram.current is not None:
        card_id = cram.current
        order.append(card_id)
        assert cram.answer(card_id, 1 if len(order) == 1 else 3)
    ids = [c.pk for c in cards[:5]]
    assert order == [ids[0], ids[1], ids[2], ids[3], ids[0], ids[4]]
    assert (cram.done, cram.again, cram.total) == (5, 1, 5)
    assert not cram.answer(ids[0], 3)  # nothing left to answer
    again = CramSession.from_dict(cram.as_dict())
    assert again == cram
    assert CramSession.from_dict({"label": "x"}) is None
    assert list(CardState.objects.values_list("id", "version")) == before
    assert ReviewLog.objects.count() == 0
