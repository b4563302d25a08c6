"""Writes of the decks app, one module per concern; every public name is re-exported here."""

from __future__ import annotations

# cards (bulk actions of the card browser and the API, moving notes), decks (create,
# update, copy, delete, archive), notes (single note and card edits, note
# identity, links), tags, imports (notes files: imports, import_steps, import_options),
# previews (dry runs), exports, jobs (background imports).
# Callers keep importing from recall.decks.services; a test that replaces a function
# patches the module that calls it (e.g. recall.decks.services.jobs.notes_import).
from ..uploads import ImportRejected
from .cards import (
    BULK_ACTIONS,
    MAX_BULK_CARDS,
    BulkResult,
    cards_bulk,
    cards_delete,
    cards_move,
    cards_set_suspended,
    cards_tag,
    cards_untag,
    note_edit,
    notes_move,
)
from .decks import (
    AlreadyCopied,
    CopyUpdate,
    copy_of,
    deck_archive_cards,
    deck_copy,
    deck_copy_update,
    deck_create,
    deck_delete,
    deck_update,
    unique_deck_slug,
)
from .exports import deck_export, deck_export_markdown
from .import_options import import_options_clean, import_options_complete
from .import_steps import ImportSummary, title_from_path
from .imports import notes_import
from .jobs import (
    import_previews_forget_stale,
    job_confirm_import,
    job_create_import,
    job_discard_preview,
    job_mark_failed,
    job_run_import,
    upload_preview,
)
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
from .previews import ImportPreview, notes_preview
from .tags import tag_create, tag_delete, tag_rename

__all__ = [
    "BULK_ACTIONS",
    "MAX_BULK_CARDS",
    "RERENDER_BATCH",
    "AlreadyCopied",
    "BulkResult",
    "CopyUpdate",
    "ImportPreview",
    "ImportRejected",
    "ImportSummary",
    "card_set_flags",
    "cards_bulk",
    "cards_delete",
    "cards_move",
    "cards_set_suspended",
    "cards_tag",
    "cards_untag",
    "copy_of",
    "deck_archive_cards",
    "deck_copy",
    "deck_copy_update",
    "deck_create",
    "deck_delete",
    "deck_export",
    "deck_export_markdown",
    "deck_update",
    "import_options_clean",
    "import_options_complete",
    "import_previews_forget_stale",
    "job_confirm_import",
    "job_create_import",
    "job_discard_preview",
    "job_mark_failed",
    "job_run_import",
    "normalise_question",
    "note_content_hash",
    "note_create",
    "note_delete",
    "note_edit",
    "note_set_fields",
    "note_source_keys",
    "note_update",
    "notes_import",
    "notes_move",
    "notes_preview",
    "notes_rerender",
    "tag_create",
    "tag_delete",
    "tag_rename",
    "title_from_path",
    "unique_deck_slug",
    "upload_preview",
    "urls_in",
]
