"""Signals of the decks app; receivers that react to them live in other apps."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once after a bulk import wrote its cards (post_save is bypassed by bulk writes).
# Arguments: deck_id, card_ids (created or updated), archived_ids.
cards_bulk_changed = Signal()
