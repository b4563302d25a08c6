"""The card info panel of a card page: the reader's FSRS state now and review history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import fsrs
import pytest
from django.urls import reverse
from django.utils import timezone

from recall.decks import services as deck_services
from recall.study import scheduling
from recall.study import services as study_services
from recall.study.models import CardState, ReviewLog
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="ines", time_zone="UTC")


def _grade(user, card, grade, when):
    study_services.card_grade(user=user, card_id=card.pk, grade=grade, duration_ms=700, now=when)


def test_card_info_shows_state_retrievability_and_history(client, user, settings):
    settings.RECALL_FSRS_FUZZ = False
    deck: Any = DeckFactory(owner=user, visibility="public")
    note = deck_services.note_create(deck=deck, kind="reversed", question="HEAD", answer="tip")
    forward, backward = note.cards.order_by("ordinal")
    start = timezone.now() - timedelta(days=20)
    _grade(user, forward, 3, start)  # Good: learning
    _grade(user, forward, 1, start + timedelta(minutes=2))  # Again
    _grade(user, forward, 4, start + timedelta(minutes=5))  # Easy: review
    client.force_login(user)
    response = client.get(reverse("decks:card-detail", args=[note.pk]))
    assert response.status_code == 200
    info = {row["card"].pk: row for row in response.context["card_info"]}
    state = CardState.objects.get(user=user, card=forward)
    row = info[forward.pk]
    # fsrs' own retrievability of the stored card, now: about what the page shows.
    expected = fsrs.Scheduler(enable_fuzzing=False).get_card_retrievability(
        scheduling.to_fsrs_card(state), timezone.now()
    )
    assert row["retrievability"] == pytest.approx(expected, abs=1e-3)
    assert 0 < row["retrievability"] < 1
    assert state.last_review is not None
    assert row["interval"] == state.due - state.last_review
    # Newest first, each grade with its before/after from the log.
    logs = list(ReviewLog.objects.filter(card=forward).order_by("-reviewed_at"))
    assert [h["grade"] for h in row["history"]] == ["Easy", "Again", "Good"]
    assert [(h["state_before"], h["state_after"]) for h in row["history"]] == [
        (log.get_state_before_display(), log.get_state_after_display()) for log in logs
    ]
    assert row["history"][0]["stability_after"] == pytest.approx(state.stability)
    assert row["history"][-1]["stability_before"] is None  # a new card had none
    assert info[backward.pk]["state"] is None and info[backward.pk]["history"] == []
    html = response.content.decode()
    assert "Card info" in html and "Review history" in html
    assert f"{round(expected * 100)} %" in html
    assert f"{state.difficulty:.2f} / 10" in html
    assert f'<dd data-info="lapses">{state.lapses}</dd>' in html


def test_card_info_is_the_readers_own(client, user):
    deck: Any = DeckFactory(owner=user, visibility="public")
    note = deck_services.note_create(deck=deck, question="Q?", answer="A")
    _grade(user, note.cards.get(), 3, timezone.now())
    reader = UserFactory()
    client.force_login(reader)
    response = client.get(reverse("decks:card-detail", args=[note.pk]))
    [row] = response.context["card_info"]
    assert row["state"] is None and row["history"] == []
    assert "No reviews yet." in response.content.decode()
    client.logout()
    assert (
        "Card info" not in client.get(reverse("decks:card-detail", args=[note.pk])).content.decode()
    )
