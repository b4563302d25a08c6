"""Writes of the decks app, one module per concern; every public name is re-exported here."""

from __future__ import annotations

# decks (create, update, copy, delete, archive), notes (single note and card edits, note
# identity, links), tags, imports (notes files), exports, jobs (background imports).
# Callers keep importing from recall.decks.services; a test that replaces a function
# patches the module that calls it (e.g. recall.decks.services.jobs.notes_import).
from ..uploads import ImportRejected
from .decks import (
    deck_archive_cards,
    deck_copy,
    deck_create,
    deck_delete,
    deck_update,
    unique_deck_slug,
)
from .exports import deck_export, deck_export_markdown
from .imports import ImportSummary, notes_import, title_from_path
from .jobs import job_create_import, job_mark_failed, job_run_import
from .notes import (
    RERENDER_BATCH,
    card_set_flags,
    normalise_question,
    note_content_hash,
    note_create,
    note_delete,
    note_set_fields,
    note_source_keys,
    note_update,
    notes_rerender,
    urls_in,
)
from .tags import tag_create, tag_delete, tag_rename

__all__ = [
    "RERENDER_BATCH",
    "ImportRejected",
    "ImportSummary",
    "card_set_flags",
    "deck_archive_cards",
    "deck_copy",
    "deck_create",
    "deck_delete",
    "deck_export",
    "deck_export_markdown",
    "deck_update",
    "job_create_import",
    "job_mark_failed",
    "job_run_import",
    "normalise_question",
    "note_content_hash",
    "note_create",
    "note_delete",
    "note_set_fields",
    "note_source_keys",
    "note_update",
    "notes_import",
    "notes_rerender",
    "tag_create",
    "tag_delete",
    "tag_rename",
    "title_from_path",
    "unique_deck_slug",
    "urls_in",
]
