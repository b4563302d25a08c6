"""notes_changed: the one way services announce changed notes, after commit only."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from recall.decks.models import Note
from recall.decks.signals import notes_bulk_changed, notes_changed

pytestmark = pytest.mark.django_db(transaction=True)


def test_sent_after_commit_with_the_ids_as_they_were():
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({"sender": sender, **kwargs})

    notes_bulk_changed.connect(receiver, dispatch_uid="test_notes_changed")
    try:
        ids = [1, 2]
        with transaction.atomic():
            notes_changed(deck_id=7, note_ids=ids, archived_ids=[3])
            ids.append(99)  # a caller reusing its list changes nothing sent
            assert seen == []
        with transaction.atomic():
            notes_changed(deck_id=8, note_ids=[4])
            transaction.set_rollback(True)
    finally:
        notes_bulk_changed.disconnect(dispatch_uid="test_notes_changed")
    assert [(s["sender"], s["deck_id"], s["note_ids"], s["archived_ids"]) for s in seen] == [
        (Note, 7, [1, 2], [3])
    ]
