"""Note, card and tag endpoints: CRUD through the services, filters, ordering."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from recall.decks.models import Note, Tag
from recall.study.models import CardState, State
from tests.api_support import Seeded, error_of
from tests.factories import CardFactory, DeckFactory, NoteFactory, TagFactory

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_create_card_renders_html_creates_tags_and_goes_last(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    response = owner_client.post(
        "/api/v1/notes/",
        {
            "deck": deck.pk,
            "question": "What is `F()`?",
            "answer": "An expression:\n\n```python\nF('n') + 1\n```",
            "tags": ["orm", "django", "orm"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "<code>F()</code>" in body["question_html"]
    assert "<pre" in body["answer_html"]
    assert body["tags"] == ["django", "orm"]
    card = Note.objects.get(pk=body["id"])
    assert card.position > seeded.notes["private"].position
    assert set(Tag.objects.filter(owner=seeded.owner).values_list("name", flat=True)) == {
        "django",
        "orm",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": "Q?"}, "deck"),
        ({"deck": 999999, "question": "Q?"}, "deck"),
        ({"deck": "{deck}", "question": "  "}, "question"),
        ({"deck": "{deck}", "question": "Q?", "kind": "weird"}, "kind"),
        ({"deck": "{deck}", "question": "Q?", "tags": "orm"}, "tags"),
        ({"deck": "{deck}", "question": "Q?", "tags": [""]}, "tags"),
        ({"deck": "{deck}", "question": "Q?", "position": -1}, "position"),
    ],
)
def test_create_card_validation_names_the_field(seeded: Seeded, owner_client, payload, field):
    payload = {k: seeded.decks["private"].pk if v == "{deck}" else v for k, v in payload.items()}
    before = Note.objects.count()
    response = owner_client.post("/api/v1/notes/", payload, format="json")
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert any(name.split(".")[0] == field for name in fields), fields
    assert Note.objects.count() == before


def test_update_card_text_tags_and_archived_state(seeded: Seeded, owner_client):
    card = seeded.notes["private"]
    response = owner_client.patch(
        f"/api/v1/notes/{card.pk}/",
        {"answer": "**new**", "tags": ["fresh"], "is_archived": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    card.refresh_from_db()
    assert card.answer_html == "<p><strong>new</strong></p>\n" or "<strong>new</strong>" in (
        card.answer_html
    )
    assert [t.name for t in card.tags.all()] == ["fresh"]
    assert card.is_archived is True


def test_a_card_cannot_be_moved_to_another_deck(seeded: Seeded, owner_client):
    card = seeded.notes["private"]
    target = seeded.decks["public"]
    response = owner_client.patch(f"/api/v1/notes/{card.pk}/", {"deck": target.pk}, format="json")
    assert response.status_code == 200
    card.refresh_from_db()
    assert card.deck_id == seeded.decks["private"].pk


def test_delete_card(seeded: Seeded, owner_client):
    card = seeded.notes["public"]
    assert owner_client.delete(f"/api/v1/notes/{card.pk}/").status_code == 204
    assert not Note.objects.filter(pk=card.pk).exists()


def test_card_filters(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    archived = NoteFactory(deck=deck, question="Old question", is_archived=True)
    tagged = NoteFactory(deck=deck, question="About signals", answer="post_save fires")
    tagged.tags.add(TagFactory(owner=seeded.owner, name="signals"))

    def ids(query: str) -> set[int]:
        return {c["id"] for c in results(owner_client.get(f"/api/v1/notes/{query}"))}

    assert ids(f"?deck={deck.pk}") == {seeded.notes["private"].pk, archived.pk, tagged.pk}
    assert ids(f"?deck={deck.pk}&archived=true") == {archived.pk}
    assert archived.pk not in ids(f"?deck={deck.pk}&archived=false")
    assert ids("?tag=signals") == {tagged.pk}
    assert ids("?q=POST_SAVE") == {tagged.pk}
    assert ids("?q=signals&tag=signals") == {tagged.pk}
    assert ids("?deck=999999") == set()


def test_card_filter_by_study_state(seeded: Seeded, owner, owner_client, other_client):
    deck = seeded.decks["public"]
    learning: Any = CardFactory(deck=deck)
    review: Any = CardFactory(deck=deck)
    due = timezone.now() + timedelta(days=1)
    for card, state in ((learning, State.LEARNING), (review, State.REVIEW)):
        CardState.objects.create(user=owner, card=card, deck=deck, state=state, due=due)

    def ids(client, state: str) -> set[int]:
        return {
            c["id"] for c in results(client.get(f"/api/v1/cards/?deck={deck.pk}&state={state}"))
        }

    assert ids(owner_client, "learning") == {learning.pk}
    assert ids(owner_client, "review") == {review.pk}
    assert ids(owner_client, "relearning") == set()
    assert ids(owner_client, "new") == {seeded.cards["public"].pk}
    # States are per user: for someone else every card of the deck is still new.
    assert ids(other_client, "new") == {seeded.cards["public"].pk, learning.pk, review.pk}
    assert ids(other_client, "learning") == set()


def test_a_note_lists_its_cards_and_the_cards_resource_serves_them(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    response = owner_client.post(
        "/api/v1/notes/",
        {"deck": deck.pk, "kind": "cloze", "question": "{{c1::a}} {{c2::bee::hint}} {{c1::c}}"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    note = response.json()
    assert [(c["ordinal"], c["label"]) for c in note["cards"]] == [(1, "cloze 1"), (2, "cloze 2")]
    listed = results(owner_client.get(f"/api/v1/cards/?note={note['id']}"))
    assert [c["id"] for c in listed] == [c["id"] for c in note["cards"]]
    second = owner_client.get(f"/api/v1/cards/{note['cards'][1]['id']}/").json()
    assert "[hint]" in second["question_html"] and "bee" not in second["question_html"]
    assert '<mark class="cloze">bee</mark>' in second["answer_html"]
    # Removing a number archives that card; the note's list shows it archived.
    patched = owner_client.patch(
        f"/api/v1/notes/{note['id']}/", {"question": "{{c1::a}} bee {{c1::c}}"}, format="json"
    ).json()
    assert [(c["ordinal"], c["is_archived"]) for c in patched["cards"]] == [(1, False), (2, True)]


def test_card_flags_are_the_only_writable_fields(seeded: Seeded, owner_client):
    card = seeded.cards["private"]
    response = owner_client.patch(
        f"/api/v1/cards/{card.pk}/",
        {"suspended": True, "flagged": True, "question": "changed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    card.refresh_from_db()
    assert (card.suspended, card.flagged) == (True, True)
    assert card.question != "changed"
    assert owner_client.put(f"/api/v1/cards/{card.pk}/", {}, format="json").status_code == 405
    assert owner_client.delete(f"/api/v1/cards/{card.pk}/").status_code == 405
    assert owner_client.post("/api/v1/cards/", {}, format="json").status_code == 405


def test_card_ordering(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    NoteFactory(deck=deck, position=50)
    positions = [
        c["position"]
        for c in results(owner_client.get(f"/api/v1/notes/?deck={deck.pk}&ordering=-position"))
    ]
    assert positions == sorted(positions, reverse=True)
    assert owner_client.get("/api/v1/notes/?ordering=question_html").status_code == 200


def test_invalid_filter_values_are_a_400(owner_client):
    for query, field in [
        ("archived=maybe", "archived"),
        ("deck=abc", "deck"),
    ]:
        response = owner_client.get(f"/api/v1/notes/?{query}")
        assert response.status_code == 400, query
        assert field in error_of(response)["fields"]
    for query, field in [("state=forgotten", "state"), ("note=abc", "note")]:
        response = owner_client.get(f"/api/v1/cards/?{query}")
        assert response.status_code == 400, query
        assert field in error_of(response)["fields"]


def test_page_size_is_bounded(owner, owner_client):
    deck: Any = DeckFactory(owner=owner)
    Note.objects.bulk_create([Note(deck=deck, position=i, question=f"Q{i}") for i in range(210)])
    body = owner_client.get("/api/v1/notes/?mine=true&page_size=1000").json()
    assert body["count"] == 210
    assert len(body["results"]) == 200
    assert owner_client.get("/api/v1/notes/?mine=true&page=99").status_code == 404


def test_tags_crud(owner, owner_client, other_client, seeded: Seeded):
    response = owner_client.post("/api/v1/tags/", {"name": "orm"}, format="json")
    assert response.status_code == 201
    tag_id = response.json()["id"]

    duplicate = owner_client.post("/api/v1/tags/", {"name": "orm"}, format="json")
    assert duplicate.status_code == 400
    assert "name" in error_of(duplicate)["fields"]

    listed = {t["name"]: t["card_count"] for t in results(owner_client.get("/api/v1/tags/"))}
    assert listed == {"django": 3, "orm": 0}

    renamed = owner_client.patch(f"/api/v1/tags/{tag_id}/", {"name": "queries"}, format="json")
    assert renamed.json()["name"] == "queries"
    assert other_client.get(f"/api/v1/tags/{tag_id}/").status_code == 404
    assert other_client.delete(f"/api/v1/tags/{tag_id}/").status_code == 404

    django_tag = Tag.objects.get(owner=owner, name="django")
    assert owner_client.delete(f"/api/v1/tags/{django_tag.pk}/").status_code == 204
    assert Note.objects.filter(pk=seeded.notes["private"].pk).exists()
    assert not seeded.notes["private"].tags.exists()


def test_card_bury_and_unbury(seeded: Seeded, owner_client, other_client):
    card = seeded.cards["private"]
    url = f"/api/v1/cards/{card.pk}/"
    assert owner_client.get(url).json()["buried"] is False
    body = owner_client.patch(url, {"buried": True}, format="json").json()
    assert body["buried"] is True and body["buried_until"] is not None
    card.refresh_from_db()
    assert card.buried_until is not None and card.buried_until > timezone.now()
    assert owner_client.get(url).json()["buried"] is True
    body = owner_client.patch(url, {"buried": False}, format="json").json()
    assert body["buried"] is False and body["buried_until"] is None
    card.refresh_from_db()
    assert card.buried_until is None
    # Not a boolean: a clear 400, nothing changed.
    response = owner_client.patch(url, {"buried": "soon"}, format="json")
    assert response.status_code == 400 and "buried" in error_of(response)["fields"]


def test_only_the_owner_buries_a_card(seeded: Seeded, other_client):
    public = seeded.cards["public"]
    response = other_client.patch(f"/api/v1/cards/{public.pk}/", {"buried": True}, format="json")
    assert response.status_code in (403, 404)
    public.refresh_from_db()
    assert public.buried_until is None
