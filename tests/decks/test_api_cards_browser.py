"""The cards API's browser filters and sort, and the bulk endpoint POST /api/v1/cards/bulk/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from recall.decks import services
from recall.decks.models import Card, Note
from recall.study import scheduling
from recall.study import services as study_services
from tests.api_support import token_client
from tests.factories import DeckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(owner, other) -> dict[str, Any]:
    git: Any = DeckFactory(owner=owner, title="Git")
    sql: Any = DeckFactory(owner=owner, title="SQL")
    basic = services.note_create(deck=git, question="HEAD?", answer="tip", tags=["refs"])
    rev = services.note_create(deck=git, kind="reversed", question="Ref?", answer="pointer")
    services.note_create(deck=sql, kind="cloze", question="A {{c1::JOIN}} joins rows")
    theirs: Any = DeckFactory(owner=other, title="Theirs", visibility="public")
    foreign = services.note_create(deck=theirs, question="Foreign HEAD?", answer="x")
    return {"git": git, "sql": sql, "basic": basic, "rev": rev, "foreign": foreign}


def _ids(client, **params: Any) -> list[int]:
    response = client.get("/api/v1/cards/", {"mine": "true", **params})
    assert response.status_code == 200, response.content
    return [card["id"] for card in response.json()["results"]]


def test_filters_like_the_card_browser(owner, world):
    client = token_client(owner)
    basic = world["basic"].cards.get()
    assert set(_ids(client, kind="reversed")) == set(
        world["rev"].cards.values_list("pk", flat=True)
    )
    assert _ids(client, tag="refs") == [basic.pk]
    assert _ids(client, q="head") == [basic.pk]
    # Without mine=true the text search also finds the public deck's card.
    response = client.get("/api/v1/cards/", {"q": "head"})
    assert len(response.json()["results"]) == 2
    start = timezone.now() - timedelta(days=30)
    study_services.card_grade(user=owner, card_id=basic.pk, grade=4, duration_ms=1, now=start)
    due = basic.study_states.get().due
    study_services.card_grade(user=owner, card_id=basic.pk, grade=1, duration_ms=1, now=due)
    assert _ids(client, lapses=1) == [basic.pk]
    # The filter's dates are the owner's study days (zone and rollover hour), not the
    # server's calendar: a card due at 1 a.m. belongs to the day before.
    day = scheduling.study_day(owner, basic.study_states.get().due)
    assert _ids(client, due_from=str(day), due_to=str(day + timedelta(days=1))) == [basic.pk]
    assert _ids(client, due_from=str(day + timedelta(days=3))) == []
    services.card_set_flags(card=basic, suspended=True, flagged=True)
    assert _ids(client, suspended="true") == [basic.pk] == _ids(client, flagged="true")
    for bad in ({"sort": "sideways"}, {"lapses": "-1"}, {"due_from": "soon"}, {"kind": "x"}):
        assert client.get("/api/v1/cards/", bad).status_code == 400, bad


def test_sort_new_cards_last_and_overrides_ordering(owner, world):
    client = token_client(owner)
    cards = list(Card.objects.filter(deck__owner=owner).order_by("pk"))
    now = timezone.now() - timedelta(days=9)
    for card, grade in zip(cards[:3], (4, 2, 3), strict=True):
        study_services.card_grade(user=owner, card_id=card.pk, grade=grade, duration_ms=1, now=now)
    dues = {c.pk: c.study_states.get().due for c in cards[:3]}
    expected = sorted(dues, key=lambda pk: dues[pk])
    assert _ids(client, sort="due")[:3] == expected
    assert _ids(client, sort="-due", ordering="id")[:3] == expected[::-1]
    assert _ids(client, sort="-due")[3] == cards[3].pk
    assert _ids(client, sort="-created") == [c.pk for c in cards][::-1]
    # An anonymous reader may sort too: no study data, so deck order decides.
    anonymous = client.__class__().get("/api/v1/cards/", {"sort": "due"})
    assert anonymous.status_code == 200


def test_bulk_endpoint(owner, other, world):
    client = token_client(owner)
    basic, rev, foreign = world["basic"], world["rev"], world["foreign"]
    ids = [basic.cards.get().pk, rev.cards.first().pk, foreign.cards.get().pk]
    url = "/api/v1/cards/bulk/"
    response = client.post(url, {"action": "tag", "cards": ids, "tags": ["exam"]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"action": "tag", "cards": 3, "notes": 2}
    assert not foreign.tags.exists()
    response = client.post(
        url, {"action": "move", "cards": ids, "deck": world["sql"].pk}, format="json"
    )
    assert response.json()["notes"] == 2
    assert set(Note.objects.filter(deck=world["sql"]).values_list("pk", flat=True)) >= {
        basic.pk,
        rev.pk,
    }
    theirs = foreign.deck_id
    response = client.post(url, {"action": "move", "cards": ids, "deck": theirs}, format="json")
    assert response.status_code == 404
    response = client.post(url, {"action": "tag", "cards": ids}, format="json")
    assert response.status_code == 400 and "tag" in response.json()["error"]["message"]
    assert client.post(url, {"action": "explode", "cards": ids}, format="json").status_code == 400
    assert client.post(url, {"action": "delete", "cards": []}, format="json").status_code == 400
    # Someone else acting on my cards changes nothing.
    response = token_client(other).post(url, {"action": "delete", "cards": ids[:2]}, format="json")
    assert response.json() == {"action": "delete", "cards": 0, "notes": 0}
    response = client.post(url, {"action": "delete", "cards": ids}, format="json")
    assert response.json() == {"action": "delete", "cards": 3, "notes": 2}
    assert not Note.objects.filter(pk__in=[basic.pk, rev.pk]).exists()
    assert Note.objects.filter(pk=foreign.pk).exists()
    assert client.__class__().post(url, {"action": "suspend", "cards": ids}).status_code == 401
