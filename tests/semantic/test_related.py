"""Related questions on the card page and the study back side: nearest notes by meaning
among the reader's decks, never another user's private ones, hidden without the extra."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from recall.semantic import selectors
from recall.semantic.selectors import related_notes
from recall.semantic.services import embed_all

from .conftest import Corpus, CountingEncoder


@pytest.fixture
def embedded(corpus: Corpus, encoder: CountingEncoder, monkeypatch) -> Corpus:
    # The stand-in's bag-of-words vectors are sparser than the model's: a lower bar.
    monkeypatch.setattr(selectors, "RELATED_MIN_SIMILARITY", 0.05)
    embed_all()
    return corpus


def related_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-related="(\d+)"', html)]


def page_for(user: Any, note: Any) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("decks:card-detail", args=[note.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_card_page_lists_related_questions_with_their_similarity(embedded: Corpus):
    note = embedded.cards["signals_q"]
    html = page_for(embedded.alice, note)
    shown = related_ids(html)
    assert "Related questions" in html and "% similar" in html
    assert shown and shown[0] == embedded.cards["signals_a"].pk
    assert note.pk not in shown
    related = related_notes(user=embedded.alice, note=note)
    assert [r.similarity for r in related] == sorted((r.similarity for r in related), reverse=True)


def test_another_users_private_note_is_never_related(embedded: Corpus):
    note = embedded.cards["select_related"]
    secret = embedded.cards["secret"].pk
    # bob's private note is close to it in meaning: he gets it, alice never does.
    assert secret in {r.note_id for r in related_notes(user=embedded.bob, note=note, k=20)}
    assert secret not in {r.note_id for r in related_notes(user=embedded.alice, note=note, k=20)}
    assert secret not in related_ids(page_for(embedded.alice, note))
    # alice's private python deck: related for her, never for bob or a visitor.
    private = {embedded.cards[key].pk for key in ("init", "classmethod", "html")}
    view = embedded.cards["view"]
    assert private & {r.note_id for r in related_notes(user=embedded.alice, note=view, k=20)}
    for user in (embedded.bob, None):
        assert not private & {r.note_id for r in related_notes(user=user, note=view, k=20)}
        assert not private & set(related_ids(page_for(user, view)))


def test_the_study_back_side_shows_related_questions(embedded: Corpus):
    client = Client()
    client.force_login(embedded.alice)
    html = client.get(reverse("study:deck", args=[embedded.django.pk])).content.decode()
    answer = html[
        html.index('id="study-answer"') : html.index("</section>", html.index('id="study-answer"'))
    ]
    assert "Related questions" in answer and related_ids(answer)


def test_the_block_is_hidden_without_the_extra(embedded: Corpus, semantic_off):
    html = page_for(embedded.alice, embedded.cards["signals_q"])
    assert "Related questions" not in html and not related_ids(html)
