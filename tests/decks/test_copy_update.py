"""Copies of a deck: no second copy, and "update my copy" pulls the author's changes in,
keeping the copier's reviews (recall/decks/services/decks.py)."""

from __future__ import annotations

from typing import Any

import pytest

from recall.core.exceptions import ApplicationError, NotFoundError
from recall.decks import services
from recall.decks.models import Deck, Note, Reference
from recall.study import services as study_services
from recall.study.models import CardState, ReviewLog
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def origin() -> Any:
    author = UserFactory(username="author")
    deck: Any = DeckFactory(owner=author, title="HTTP", visibility="public")
    services.note_create(deck=deck, question="301?", answer="Moved permanently", tags=["codes"])
    services.note_create(deck=deck, question="302?", answer="Found")
    services.note_create(deck=deck, question="418?", answer="Teapot")
    Reference.objects.create(deck=deck, url="https://httpwg.org/")
    return deck


@pytest.fixture
def reader() -> Any:
    return UserFactory(username="reader")


def _note(deck: Deck, question: str) -> Note:
    return deck.notes.get(question=question)


def test_a_second_copy_is_refused_with_the_first_one(origin, reader):
    copy = services.deck_copy(deck=origin, owner=reader)
    with pytest.raises(services.AlreadyCopied) as caught:
        services.deck_copy(deck=origin, owner=reader)
    assert caught.value.copy == copy and caught.value.status_code == 409
    assert Deck.objects.filter(owner=reader).count() == 1
    # Someone else may still copy it.
    assert services.deck_copy(deck=origin, owner=UserFactory()).copied_from == origin


def test_update_pulls_new_changed_and_removed_notes_keeping_reviews(origin, reader):
    copy = services.deck_copy(deck=origin, owner=reader)
    moved = _note(copy, "301?").cards.get()
    study_services.card_grade(user=reader, card_id=moved.pk, grade=3, duration_ms=1)
    # The copier edits one note and writes one of their own.
    services.note_update(note=_note(copy, "302?"), answer="Found (my words)")
    mine = services.note_create(deck=copy, question="My own?", answer="yes")
    assert services.deck_copy_update(copy=copy, user=reader).message == "Your copy is up to date."
    # The author changes 301, removes 418, adds 308 and a reference.
    services.note_update(note=_note(origin, "301?"), answer="Moved Permanently (cacheable)")
    services.note_delete(note=_note(origin, "418?"))
    services.note_create(deck=origin, kind="reversed", question="308?", answer="Permanent Redirect")
    Reference.objects.create(deck=origin, url="https://www.rfc-editor.org/rfc/rfc9110")

    result = services.deck_copy_update(copy=copy, user=reader)

    assert (result.created, result.updated, result.archived) == (1, 1, 1)
    updated = _note(copy, "301?")
    assert updated.answer == "Moved Permanently (cacheable)"
    assert list(updated.tags.values_list("name", flat=True)) == ["codes"]
    # The same card: its schedule and review stay.
    assert updated.cards.get().pk == moved.pk
    assert CardState.objects.filter(user=reader, card=moved).exists()
    assert ReviewLog.objects.filter(user=reader, card=moved).count() == 1
    assert _note(copy, "302?").answer == "Found (my words)"  # the author did not change it
    assert _note(copy, "418?").is_archived
    new = _note(copy, "308?")
    assert new.kind == "reversed" and new.cards.count() == 2 and not new.is_archived
    assert not Note.objects.get(pk=mine.pk).is_archived  # the copier's own note stays
    assert set(copy.references.values_list("url", flat=True)) == {
        "https://httpwg.org/",
        "https://www.rfc-editor.org/rfc/rfc9110",
    }
    # Nothing changed since: a second update does nothing; a note the author brings back
    # comes back in the copy too.
    again = services.deck_copy_update(copy=copy, user=reader)
    assert (again.created, again.updated, again.archived) == (0, 0, 0)
    services.note_create(deck=origin, question="418?", answer="Teapot")
    services.deck_copy_update(copy=copy, user=reader)
    assert copy.notes.filter(question="418?", is_archived=False).count() == 1


def test_update_only_by_the_copier_and_only_of_a_copy(origin, reader):
    copy = services.deck_copy(deck=origin, owner=reader)
    with pytest.raises(NotFoundError):
        services.deck_copy_update(copy=copy, user=UserFactory())
    with pytest.raises(ApplicationError, match="not a copy"):
        not_a_copy: Any = DeckFactory(owner=reader)
        services.deck_copy_update(copy=not_a_copy, user=reader)
    origin.visibility = "private"
    origin.save()
    with pytest.raises(ApplicationError, match="not a copy"):
        services.deck_copy_update(copy=copy, user=reader)
