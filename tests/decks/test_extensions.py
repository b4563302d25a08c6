"""recall.decks.extensions: study plugs its functions in at start-up; decks works without them."""

from __future__ import annotations

from typing import Any

import pytest

from recall.core.exceptions import ApplicationError
from recall.decks import extensions
from recall.decks.models import Card
from recall.study import extensions as study_extensions
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def test_study_registers_its_functions_at_start_up():
    registered = extensions._study
    assert registered is not None
    assert registered.cards_filter is study_extensions.cards_filter
    assert registered.cards_sort is study_extensions.cards_sort


def test_without_study_cards_are_new_unsorted_there_is_no_panel_and_bury_is_refused(monkeypatch):
    monkeypatch.setattr(extensions, "_study", None)
    note: Any = NoteFactory()
    cards = Card.objects.filter(note=note)
    user = note.deck.owner
    assert cards.exists()
    assert list(extensions.cards_filter(cards, user, {"state": "new"})) == list(cards)
    assert not extensions.cards_filter(cards, user, {"state": "review"}).exists()
    assert not extensions.cards_filter(cards, user, {"lapses_min": 1}).exists()
    assert list(extensions.cards_sort(cards, user, "-due")) == list(cards)
    assert extensions.card_info(user, list(cards)) is None
    with pytest.raises(ApplicationError):
        extensions.card_bury(user, cards[0], True)
