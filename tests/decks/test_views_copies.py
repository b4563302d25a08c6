"""Copied decks on the pages: no second copy, "Update my copy", where a copy came from,
and search hits that say whose deck each one is in."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from recall.decks import services
from recall.decks.models import Deck
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def origin() -> Any:
    deck: Any = DeckFactory(owner=UserFactory(username="author"), title="HTTP", visibility="public")
    services.note_create(deck=deck, question="What does status 301 mean?", answer="Moved")
    return deck


def test_copying_twice_offers_to_update_the_copy(client, origin):
    reader: Any = UserFactory(username="reader")
    client.force_login(reader)
    url = reverse("decks:deck-copy", args=[origin.pk])
    copy_page = client.post(url)
    copy = Deck.objects.get(owner=reader)
    assert copy_page["Location"] == copy.get_absolute_url()
    page = client.get(copy.get_absolute_url()).content.decode()
    assert "copied from" in page and "by author" in page
    assert reverse("decks:deck-copy-update", args=[copy.pk]) in page
    again = client.post(url)
    assert again.status_code == 302 and again["Location"] == copy.get_absolute_url()
    assert "You already have a copy" in client.get(again["Location"]).content.decode()
    assert Deck.objects.filter(owner=reader).count() == 1
    assert "a copy of author's deck" in client.get(reverse("decks:deck-list")).content.decode()
    # The original's page and the gallery offer the update, not a second copy.
    for page_url in (origin.get_absolute_url(), reverse("decks:gallery")):
        html = client.get(page_url).content.decode()
        assert "Update my copy" in html and url not in html, page_url
    services.note_create(deck=origin, question="And 308?", answer="Permanent redirect")
    response = client.post(reverse("decks:deck-copy-update", args=[copy.pk]))
    assert response.status_code == 302
    assert "1 new, 0 changed" in client.get(response["Location"]).content.decode()
    assert copy.notes.filter(question="And 308?").exists()
    # Someone else cannot update my copy.
    client.force_login(UserFactory())
    assert client.post(reverse("decks:deck-copy-update", args=[copy.pk])).status_code == 404


def test_search_says_whose_deck_each_hit_is_in(client, origin, django_capture_on_commit_callbacks):
    reader = UserFactory(username="reader")
    # The search index follows after commit: run those hooks.
    with django_capture_on_commit_callbacks(execute=True):
        origin.notes.get().save()
        services.deck_copy(deck=origin, owner=reader)
    client.force_login(reader)
    response = client.get(reverse("search:search"), {"q": "301"})
    labels = sorted(hit.deck_owner_label for hit in response.context["results"].hits)
    assert labels == ["by author", "your copy"]
    assert "· your copy" in response.content.decode()
