"""Signals of the decks app; receivers that react to them live in other apps."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.dispatch import Signal

from .models import Note

# Sent once after a bulk import wrote its notes (post_save is bypassed by bulk writes).
# Arguments: deck_id, note_ids (created or updated), archived_ids (note ids).
notes_bulk_changed = Signal()

# Sent at once (inside the transaction) after notes moved to another deck with their cards.
# Arguments: note_ids, deck_id (the new deck). The study app keeps its per-user states'
# copy of the card's deck in step; decks may not import study, so it listens instead.
notes_moved = Signal()
# Sent inside an import's transaction when new cards come with a schedule written in their
# notes file (Obsidian Spaced Repetition's <!--SR:...--> comments). Arguments: owner (the
# importing user), schedules ({card id: importers.base.SourceSchedule}). The study app's
# receiver gives each card that starting state; a rollback takes it back with the cards.
card_schedules_imported = Signal()


def notes_changed(
    *,
    deck_id: int,
    note_ids: Sequence[int] = (),
    archived_ids: Sequence[int] = (),
    added_only: bool = False,
) -> None:
    """Send ``notes_bulk_changed`` once the current transaction commits (at once outside one):
    listeners (search index, study stats) never see rows a rollback takes back.

    ``added_only``: every note of ``note_ids`` is new, with new cards and no study state
    (no schedule came with them), and nothing else changed. The ids are copied now, so a
    caller reusing its lists cannot change what is sent."""
    changed, archived = list(note_ids), list(archived_ids)
    transaction.on_commit(
        lambda: notes_bulk_changed.send(
            sender=Note,
            deck_id=deck_id,
            note_ids=changed,
            archived_ids=archived,
            added_only=added_only,
        )
    )
