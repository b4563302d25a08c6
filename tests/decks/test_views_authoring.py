"""Writing notes from the deck page: the "New note" form, each kind, errors as a 400."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from recall.decks.models import Note
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="writer")


@pytest.fixture
def deck(owner) -> Any:
    return DeckFactory(owner=owner, title="Authoring")


def _add(client, deck, **data):
    return client.post(reverse("decks:note-create", args=[deck.pk]), data)


def test_deck_page_offers_the_new_note_form_to_its_owner_only(client, owner, deck):
    client.force_login(owner)
    html = client.get(deck.get_absolute_url()).content.decode()
    assert reverse("decks:note-create", args=[deck.pk]) in html
    assert (
        'name="kind"' in html and "data-new-note-form" in html and 'id="preview-question"' in html
    )
    client.force_login(UserFactory())
    deck.visibility = "public"
    deck.save()
    assert "data-new-note-form" not in client.get(deck.get_absolute_url()).content.decode()


def test_adding_notes_of_each_kind_makes_their_cards(client, owner, deck):
    client.force_login(owner)
    response = _add(client, deck, kind="basic", question="What is WSGI?", answer="An interface")
    assert response.status_code == 302
    assert response["Location"] == f"{deck.get_absolute_url()}?kind=basic&next=1"
    _add(
        client,
        deck,
        kind="reversed",
        question="HEAD",
        answer="the checked-out commit",
        tags="git, refs",
    )
    response = _add(client, deck, kind="cloze", question="{{c1::301}} and {{c2::302}}")
    assert response["Location"].endswith("?kind=cloze&next=1")
    notes = list(deck.notes.order_by("position"))
    assert [(n.kind, n.cards.count()) for n in notes] == [
        ("basic", 1),
        ("reversed", 2),
        ("cloze", 2),
    ]
    assert sorted(t.name for t in notes[1].tags.all()) == ["git", "refs"]
    page = client.get(response["Location"])
    assert "Note added (2 cards)." in page.content.decode()
    # The kind of the last note stays chosen for the next one.
    assert page.context["note_form"].initial["kind"] == "cloze"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "basic", "question": "", "answer": "x"}, "question"),
        ({"kind": "basic", "question": "Q?", "answer": " "}, "answer"),
        ({"kind": "cloze", "question": "no deletion here"}, "question"),
        ({"kind": "sideways", "question": "Q?", "answer": "A"}, "kind"),
    ],
)
def test_bad_notes_come_back_with_the_error_and_nothing_saved(client, owner, deck, data, field):
    client.force_login(owner)
    response = _add(client, deck, **data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Note.objects.filter(deck=deck).exists()


def test_only_the_owner_adds_notes(client, owner, deck):
    client.force_login(UserFactory())
    response = _add(client, deck, kind="basic", question="Q?", answer="A")
    assert response.status_code == 404
    client.logout()
    assert _add(client, deck, kind="basic", question="Q?", answer="A").status_code == 302
    assert not Note.objects.filter(deck=deck).exists()


def test_new_note_page_renders_for_the_owner(client, owner, deck):
    client.force_login(owner)
    response = client.get(reverse("decks:note-create", args=[deck.pk]))
    assert response.status_code == 200 and "New note in" in response.content.decode()


def test_edit_changes_kind_text_and_moves_the_note_keeping_its_reviews(client, owner, deck):
    from recall.decks import services
    from recall.study import services as study_services
    from recall.study.models import CardState

    other_deck: Any = DeckFactory(owner=owner, title="Elsewhere")
    note = services.note_create(deck=deck, question="What is WSGI?", answer="An interface")
    card = note.cards.get()
    study_services.card_grade(user=owner, card_id=card.pk, grade=3, duration_ms=1)
    client.force_login(owner)
    url = reverse("decks:card-edit", args=[note.pk])
    page = client.get(url).content.decode()
    assert 'name="deck"' in page and "Elsewhere" in page and 'name="kind"' in page
    response = client.post(
        url,
        {
            "kind": "reversed",
            "question": "What is WSGI?",
            "answer": "A Python interface",
            "tags": "web",
            "deck": other_deck.pk,
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.kind, note.answer, note.deck_id) == (
        "reversed",
        "A Python interface",
        other_deck.pk,
    )
    assert set(note.cards.values_list("deck_id", flat=True)) == {other_deck.pk}
    assert note.cards.count() == 2 and note.cards.filter(pk=card.pk).exists()
    assert CardState.objects.get(card=card).deck_id == other_deck.pk
    # A cloze without a deletion is refused; someone else's deck is not a choice.
    stranger_deck: Any = DeckFactory(title="Not mine")
    for data in (
        {"kind": "cloze", "question": "No deletion", "answer": "", "deck": other_deck.pk},
        {"kind": "basic", "question": "Q", "answer": "A", "deck": stranger_deck.pk},
    ):
        assert client.post(url, data).status_code == 400
    note.refresh_from_db()
    assert note.deck_id == other_deck.pk and note.kind == "reversed"


def test_delete_a_note_from_the_deck_page_after_confirming(client, owner, deck):
    from recall.decks import services

    note = services.note_create(deck=deck, kind="cloze", question="{{c1::a}} {{c2::b}}")
    client.force_login(owner)
    page = client.get(deck.get_absolute_url()).content.decode()
    url = reverse("decks:note-delete", args=[note.pk])
    assert url in page and reverse("decks:card-edit", args=[note.pk]) in page
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Its 2 cards go with it" in confirm.content.decode()
    assert Note.objects.filter(pk=note.pk).exists()
    # Not the owner: a 404, nothing deleted.
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    client.force_login(owner)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == deck.get_absolute_url()
    assert not Note.objects.filter(pk=note.pk).exists()
