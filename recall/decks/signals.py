"""Signals of the decks app; receivers that react to them live in other apps."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once after a bulk import wrote its notes (post_save is bypassed by bulk writes).
# Arguments: deck_id, note_ids (created or updated), archived_ids (note ids).
notes_bulk_changed = Signal()
