"""The card browser (/cards/): filters, pagination and bulk suspend / unsuspend."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from recall.decks import services as deck_services
from recall.decks.models import Card
from recall.study import services as study_services
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="browser")


@pytest.fixture
def world(owner) -> dict[str, Any]:
    git: Any = DeckFactory(owner=owner, title="Git")
    sql: Any = DeckFactory(owner=owner, title="SQL")
    basic = deck_services.note_create(deck=git, question="HEAD?", answer="tip", tags=["refs"])
    deck_services.note_create(deck=git, kind="reversed", question="A", answer="B", tags=["refs"])
    deck_services.note_create(deck=sql, question="JOIN?", answer="rows", tags=["joins"])
    other: Any = DeckFactory(title="Not mine", visibility="public")
    deck_services.note_create(deck=other, question="Foreign?", answer="x")
    return {"git": git, "sql": sql, "basic": basic.cards.get(), "other": other}


def _ids(response) -> list[int]:
    assert response.status_code == 200
    return [card.pk for card in response.context["cards"]]


def test_lists_only_my_cards_and_filters_them(client, owner, world):
    client.force_login(owner)
    url = reverse("card-browser")
    mine = set(Card.objects.filter(deck__owner=owner).values_list("pk", flat=True))
    assert set(_ids(client.get(url))) == mine and len(mine) == 4
    git = set(world["git"].cards.values_list("pk", flat=True))
    assert set(_ids(client.get(url, {"deck": world["git"].pk}))) == git
    assert set(_ids(client.get(url, {"tag": "joins"}))) == set(
        world["sql"].cards.values_list("pk", flat=True)
    )
    basic = world["basic"]
    when = timezone.now() - timedelta(days=1)
    study_services.card_grade(user=owner, card_id=basic.pk, grade=4, duration_ms=1, now=when)
    assert _ids(client.get(url, {"state": "review"})) == [basic.pk]
    assert basic.pk not in _ids(client.get(url, {"state": "new"}))
    deck_services.card_set_flags(card=basic, flagged=True)
    assert _ids(client.get(url, {"flagged": "yes"})) == [basic.pk]
    assert len(_ids(client.get(url, {"flagged": "no"}))) == 3
    study_services.card_bury(user=owner, card=basic)
    html = client.get(url, {"state": "buried"}).content.decode()
    assert "buried" in html and "HEAD?" in html
    # Someone else's deck is not a choice: a 400 with the form's error, no cards.
    response = client.get(url, {"deck": world["other"].pk})
    assert response.status_code == 400 and "deck" in response.context["filter_form"].errors
    assert list(response.context["cards"]) == []


def test_bulk_suspend_and_unsuspend(client, owner, world):
    client.force_login(owner)
    git = list(world["git"].cards.values_list("pk", flat=True))
    foreign = world["other"].cards.get()
    url = reverse("card-browser") + "?deck=" + str(world["git"].pk)
    response = client.post(url, {"action": "suspend", "cards": [*git, foreign.pk]})
    assert response.status_code == 302 and response["Location"] == url
    assert set(Card.objects.filter(suspended=True).values_list("pk", flat=True)) == set(git)
    assert f"{len(git)} cards suspended." in client.get(response["Location"]).content.decode()
    assert set(_ids(client.get(reverse("card-browser"), {"suspended": "yes"}))) == set(git)
    client.post(url, {"action": "unsuspend", "cards": git[:1]})
    assert list(Card.objects.filter(suspended=True).values_list("pk", flat=True)) == git[1:]
    # Nothing ticked, or a made-up action: a message, nothing changed.
    for data in ({"action": "suspend"}, {"action": "delete", "cards": git}):
        response = client.post(url, data)
        assert response.status_code == 302
        assert "Tick at least one card" in client.get(response["Location"]).content.decode()
    assert list(Card.objects.filter(suspended=True).values_list("pk", flat=True)) == git[1:]


def test_pages_of_fifty(client, owner):
    deck: Any = DeckFactory(owner=owner)
    for i in range(51):
        deck_services.note_create(deck=deck, question=f"Q{i}?", answer="A")
    client.force_login(owner)
    first = client.get(reverse("card-browser"))
    assert len(_ids(first)) == 50 and first.context["page_obj"].paginator.num_pages == 2
    assert len(_ids(client.get(reverse("card-browser"), {"page": 2}))) == 1


def test_card_browser_needs_login(client):
    response = client.get(reverse("card-browser"))
    assert response.status_code == 302 and "login" in response["Location"]
