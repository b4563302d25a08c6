"""Fixtures of the interview tests: the flagship notes imported into a user's deck."""

from __future__ import annotations

from typing import Any

import pytest

from recall.decks.models import Deck
from tests.notes_fixture import NOTES_FILE


def import_flagship(owner: Any, filename: str = "django-interview-notes.md") -> Deck:
    from recall.decks.services import notes_import

    summary = notes_import(owner=owner, filename=filename, data=NOTES_FILE.read_bytes())
    return Deck.objects.get(pk=summary.deck_ids[0])


@pytest.fixture
def lexical(monkeypatch):
    """Interview scoring without the semantic extra (fast; the fallback path)."""
    monkeypatch.setenv("RECALL_SEMANTIC", "0")
