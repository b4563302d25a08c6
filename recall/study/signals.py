"""Signals of the study app, sent after the database work they describe has committed."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once after a grade commits. Arguments: user_id, card_id, deck_id, review_id, grade.
card_reviewed = Signal()

# Sent once after an undo commits. Arguments: user_id, card_id, review_id.
review_undone = Signal()
