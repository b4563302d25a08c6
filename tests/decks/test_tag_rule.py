"""One tag rule: the web form, the API, the tag endpoints and imports all clean tags through
``recall.decks.tags.tag_names_clean`` (changing it changes every entry point)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from recall.decks import tags as tag_rules
from recall.decks.models import Note, Tag
from recall.decks.services import notes_import
from recall.decks.tags import TagNameTooLong, tag_names_clean
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_rule_trims_drops_hash_joins_words_and_dedupes():
    assert tag_names_clean([" a ", "#b", "two  words", "a", "", "#", "x" * 150]) == [
        "a",
        "b",
        "two-words",
        "x" * 100,
    ]
    with pytest.raises(TagNameTooLong):
        tag_names_clean(["x" * 101], strict=True)


@pytest.fixture
def shouting(monkeypatch):
    """A different rule (upper case, idempotent) swapped in for the one function."""
    original = tag_rules.tag_names_clean

    def rule(names: Iterable[str], *, strict: bool = False) -> list[str]:
        return [n.upper() for n in original(names, strict=strict)]

    monkeypatch.setattr(tag_rules, "tag_names_clean", rule)


def test_web_form_follows_the_rule(client, shouting):
    user: Any = UserFactory()
    note = NoteFactory(deck=DeckFactory(owner=user))
    client.force_login(user)
    response = client.post(
        reverse("decks:card-edit", args=[note.pk]),
        {"question": "Q?", "answer": "A", "tags": "orm, #views"},
    )
    assert response.status_code == 302
    assert sorted(t.name for t in note.tags.all()) == ["ORM", "VIEWS"]


def test_api_follows_the_rule(shouting):
    from recall.accounts.tokens import api_token_create

    user: Any = UserFactory()
    deck = DeckFactory(owner=user)
    _, key = api_token_create(user=user, name="tests")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.post(
        "/api/v1/notes/",
        {"deck": deck.pk, "question": "Q?", "answer": "A", "tags": ["orm", "two words"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["tags"] == ["ORM", "TWO-WORDS"]
    created = api.post("/api/v1/tags/", {"name": " #spaced name "}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "SPACED-NAME"


def test_import_follows_the_rule(shouting):
    user: Any = UserFactory()
    summary = notes_import(
        owner=user, filename="t.md", data=b"# 1. What is a list?\n\nA sequence.\n\n#python\n"
    )
    note = Note.objects.get(deck_id=summary.deck_ids[0])
    assert [t.name for t in note.tags.all()] == ["PYTHON"]
    assert set(Tag.objects.filter(owner=user).values_list("name", flat=True)) == {"PYTHON"}
