"""View tests of the search page's deck and tag filters (the page itself is the search app's)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import DeckFactory, NoteFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_filters_offer_my_decks_and_tags_and_narrow_the_hits(client):
    me = UserFactory(username="mia")
    other = UserFactory(username="olly")
    web = DeckFactory(owner=me, title="Web", slug="web")
    ops = DeckFactory(owner=me, title="Ops", slug="ops")
    DeckFactory(owner=other, title="Olly's secret", slug="secret")
    tag = TagFactory(owner=me, name="queues")
    NoteFactory(deck=web, question="Why use celery for e-mail?").tags.add(tag)
    NoteFactory(deck=ops, question="How to run a celery worker?")
    client.force_login(me)

    page = client.get(reverse("search:search"), {"q": "celery"})
    html = page.content.decode()
    assert '<option value="web">Web</option>' in html
    assert '<option value="queues">queues</option>' in html
    assert "Olly" not in html
    assert page.context["results"].total == 2

    by_deck = client.get(reverse("search:search"), {"q": "celery", "deck": "ops"})
    assert '<option value="ops" selected>' in by_deck.content.decode()
    assert [h.card.deck.slug for h in by_deck.context["results"].hits] == ["ops"]

    by_tag = client.get(reverse("search:search"), {"q": "celery", "tag": "queues"})
    assert [h.card.deck.slug for h in by_tag.context["results"].hits] == ["web"]


def test_anonymous_search_page_has_empty_filters(client):
    page = client.get(reverse("search:search"))
    assert page.status_code == 200
    assert "All decks" in page.content.decode()
