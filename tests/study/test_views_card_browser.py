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
    for data in ({"action": "suspend"}, {"action": "explode", "cards": git}):
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


def test_filters_kind_due_range_lapses_and_text(client, owner, world):
    client.force_login(owner)
    url = reverse("card-browser")
    basic = world["basic"]
    reversed_cards = set(Card.objects.filter(note__kind="reversed").values_list("pk", flat=True))
    assert set(_ids(client.get(url, {"kind": "reversed"}))) == reversed_cards
    assert _ids(client.get(url, {"q": "head"})) == [basic.pk]
    assert _ids(client.get(url, {"q": "rows join"})) == list(
        world["sql"].cards.values_list("pk", flat=True)
    )
    # Graded Again twice a few days apart: one lapse needs a review first, so grade Easy.
    start = timezone.now() - timedelta(days=30)
    study_services.card_grade(user=owner, card_id=basic.pk, grade=4, duration_ms=1, now=start)
    state = basic.study_states.get()
    study_services.card_grade(user=owner, card_id=basic.pk, grade=1, duration_ms=1, now=state.due)
    state.refresh_from_db()
    assert state.lapses == 1
    assert _ids(client.get(url, {"lapses": 1})) == [basic.pk]
    assert _ids(client.get(url, {"lapses": 2})) == []
    due_day = timezone.localtime(state.due).date()
    day = timedelta(days=1)
    assert _ids(client.get(url, {"due_from": due_day - day, "due_to": due_day + day})) == [basic.pk]
    assert _ids(client.get(url, {"due_from": due_day + 2 * day})) == []
    response = client.get(url, {"due_from": due_day, "due_to": due_day - day})
    assert response.status_code == 400 and "due_to" in response.context["filter_form"].errors


def test_sorts_by_a_column_new_cards_last(client, owner, world):
    client.force_login(owner)
    url = reverse("card-browser")
    cards = list(Card.objects.filter(deck__owner=owner).order_by("pk"))
    now = timezone.now()
    # Three cards graded Easy, Good, Hard at once: their intervals (and due dates) differ.
    for card, grade in zip(cards[:3], (4, 3, 2), strict=True):
        study_services.card_grade(
            user=owner, card_id=card.pk, grade=grade, duration_ms=1, now=now - timedelta(days=9)
        )
    by_due = _ids(client.get(url, {"sort": "due"}))
    dues = {c.pk: c.study_states.get().due for c in cards[:3]}
    assert by_due[:3] == sorted(dues, key=lambda pk: dues[pk]) and by_due[3] == cards[3].pk
    assert _ids(client.get(url, {"sort": "-due"}))[:3] == by_due[:3][::-1]
    assert _ids(client.get(url, {"sort": "-interval"}))[3] == cards[3].pk
    assert _ids(client.get(url, {"sort": "-created"})) == [c.pk for c in cards][::-1]
    by_deck = _ids(client.get(url, {"sort": "-deck"}))
    assert by_deck[0] == world["sql"].cards.get().pk
    # The column headers link to their sort, and to the reverse once sorted by it.
    page = client.get(url, {"sort": "due", "deck": world["git"].pk})
    due_column = next(c for c in page.context["columns"] if c["name"] == "due")
    assert due_column["sort"] == "ascending" and "sort=-due" in due_column["url"]
    assert f"deck={world['git'].pk}" in due_column["url"]
    assert client.get(url, {"sort": "sideways"}).status_code == 400


def test_bulk_tag_move_and_delete_with_confirmation(client, owner, world):
    client.force_login(owner)
    url = reverse("card-browser")
    basic, sql = world["basic"], world["sql"]
    foreign = world["other"].cards.get()
    response = client.post(
        url, {"action": "tag", "tags": "exam, week-1", "cards": [basic.pk, foreign.pk]}
    )
    assert response.status_code == 302
    assert sorted(basic.note.tags.values_list("name", flat=True)) == ["exam", "refs", "week-1"]
    assert not foreign.note.tags.exists()
    client.post(url, {"action": "untag", "tags": "refs", "cards": [basic.pk]})
    assert sorted(basic.note.tags.values_list("name", flat=True)) == ["exam", "week-1"]
    # Tagging without a tag, moving without a deck: a message, nothing done.
    response = client.post(url, {"action": "tag", "tags": "", "cards": [basic.pk]})
    assert "Name at least one tag" in client.get(response["Location"]).content.decode()
    client.post(url, {"action": "move", "cards": [basic.pk]})
    response = client.post(
        url, {"action": "move", "target_deck": world["other"].pk, "cards": [basic.pk]}
    )
    basic.refresh_from_db()
    assert basic.deck_id == world["git"].pk
    response = client.post(url, {"action": "move", "target_deck": sql.pk, "cards": [basic.pk]})
    assert "1 note (1 card) moved." in client.get(response["Location"]).content.decode()
    basic.refresh_from_db()
    assert basic.deck_id == sql.pk
    # Delete asks first: nothing is deleted until the confirmation is posted.
    response = client.post(url, {"action": "delete", "cards": [basic.pk, foreign.pk]})
    assert response.status_code == 200 and b"Delete 1 note?" in response.content
    assert Card.objects.filter(pk=basic.pk).exists()
    response = client.post(url, {"action": "delete", "confirm": "True", "cards": [basic.pk]})
    assert response.status_code == 302 and not Card.objects.filter(pk=basic.pk).exists()
    assert Card.objects.filter(pk=foreign.pk).exists()
