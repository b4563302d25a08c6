"""One read rule: change ``recall.decks.selectors.decks_readable_for`` and the API, the
pages, search (every backend) and the study path (queue and grade) all follow it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recall.core.exceptions import NotFoundError
from recall.decks import selectors as deck_selectors
from recall.decks.models import Card, Visibility
from recall.decks.selectors import ListedDecks
from recall.search.base import SearchBackend
from recall.study import queue, services
from recall.study.services import grading

from .conftest import Corpus


def observe(corpus: Corpus, backend: SearchBackend) -> dict[str, bool]:
    """What bob gets of alice's private deck "python" through each entry point."""
    bob, deck = corpus.bob, corpus.python
    note = corpus.cards["init"]
    card = Card.objects.filter(note=note).first()
    assert card is not None
    api = APIClient()
    api.force_authenticate(bob)
    web = Client()
    web.force_login(bob)
    # Indexes that store who may find a document (PostgreSQL lexemes, Elasticsearch
    # fields) hold the rule's result: a rule change is followed by a reindex.
    backend.rebuild()
    listed = api.get("/api/v1/decks/", {"page_size": 100}).json()["results"]
    search = api.get("/api/v1/search/", {"q": "initialises"}).json()
    return {
        "api deck": api.get(f"/api/v1/decks/{deck.pk}/").status_code == 200,
        "api deck list": deck.pk in [d["id"] for d in listed],
        "api note": api.get(f"/api/v1/notes/{note.pk}/").status_code == 200,
        "api card": api.get(f"/api/v1/cards/{card.pk}/").status_code == 200,
        "deck page": web.get(reverse("decks:deck-detail", args=[deck.pk])).status_code == 200,
        "note page": web.get(reverse("decks:card-detail", args=[note.pk])).status_code == 200,
        "search": search.get("count", 0) >= 1,
        "study queue of the deck": api.get("/api/v1/study/queue/", {"deck": deck.pk}).status_code
        == 200,
        "study grade": _may_grade(bob, card.pk),
        "study all decks": deck.pk in [q.pk for q in queue.deck_quotas(bob, None, timezone.now())],
    }


def _may_grade(user: Any, card_id: int) -> bool:
    try:
        grading._card_and_state(user, card_id)
    except NotFoundError:
        return False
    return True


@pytest.fixture
def bob_started_python(corpus: Corpus) -> Corpus:
    """Bob graded a card of "python" while it was public; alice then made it private."""
    deck = corpus.python
    deck.visibility = Visibility.PUBLIC
    deck.save(update_fields=["visibility"])
    card = Card.objects.filter(note=corpus.cards["classmethod"]).first()
    assert card is not None
    services.card_grade(user=corpus.bob, card_id=card.pk, grade=3, duration_ms=1000)
    deck.visibility = Visibility.PRIVATE
    deck.save(update_fields=["visibility"])
    return corpus


def test_every_entry_point_follows_the_one_read_rule(
    bob_started_python: Corpus, search_backend: SearchBackend, monkeypatch: Any
):
    corpus = bob_started_python
    before = observe(corpus, search_backend)
    assert not any(before.values()), before

    original = deck_selectors.decks_readable_for

    def everyone_reads_everything(user: Any) -> ListedDecks:
        rule = original(user)
        return ListedDecks(rule.owner_id, (*rule.visibilities, Visibility.PRIVATE.value))

    monkeypatch.setattr(deck_selectors, "decks_readable_for", everyone_reads_everything)
    after = observe(corpus, search_backend)
    assert all(after.values()), after
