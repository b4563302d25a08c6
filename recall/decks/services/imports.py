"""Importing notes files: read the upload, parse and check it, then write each file's deck
(the steps of one deck are in import_steps, the reading options in import_options)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.db import transaction

from recall.core.planner_statistics import analyze_after_bulk_write

from .. import importers
from .. import tags as tag_rules
from ..importers.apkg import delete_media, parse_apkg, store_media
from ..importers.base import ImportFormatError, ImportOptions, ParsedCard, ParsedDeck
from ..limits import FieldTooLong
from ..models import Card, Note
from ..rendering import render_pool
from ..uploads import (
    PACKAGE_EXTENSIONS,
    ImportRejected,
    TextDocument,
    check_upload,
    documents_from_upload,
    extension_of,
    upload_limit,
)
from ._common import ProgressCallback
from .import_options import import_options_clean, import_options_complete, import_options_for
from .import_steps import ImportSummary, _import_deck, title_from_path
from .notes import _check_card_texts
from .tags import _tags_for

# What callers found here before the steps and options had modules of their own.
__all__ = [
    "ImportSummary",
    "anki_package",
    "check_import_sizes",
    "import_options_clean",
    "import_options_complete",
    "notes_import",
    "parse_upload",
    "title_from_path",
]


def notes_import(
    *,
    owner: Any,
    filename: str,
    data: bytes | IO[bytes],
    deck_slug: str | None = None,
    progress: ProgressCallback | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportSummary:
    """Import a notes file (or a .zip of them) for owner: one deck per file, all or nothing.

    ``options``: the import options given for this import (``import_options_clean``); each
    deck's remembered options fill in the others, and the deck remembers what was used.

    ``data``: the file's bytes, or a seekable binary file; only an Anki package is read from
    the file as it goes, anything else is read whole (within its upload limit).

    Re-importing is idempotent: notes are matched by their question, unchanged notes are not
    written, changed ones are updated in place (keeping their ids and review history), and
    questions gone from the file are archived, never deleted.
    """
    if extension_of(filename) in PACKAGE_EXTENSIONS:
        return _import_anki_package(
            owner=owner, filename=filename, data=data, deck_slug=deck_slug, progress=progress
        )
    if not isinstance(data, bytes):
        data = _read_within_limit(filename, data)
    parsed, used = parse_upload(
        owner=owner, filename=filename, data=data, deck_slug=deck_slug, options=options
    )
    return _write_import(
        owner=owner, parsed=parsed, deck_slug=deck_slug, progress=progress, options_used=used
    )


def parse_upload(
    *,
    owner: Any,
    filename: str,
    data: bytes,
    deck_slug: str | None,
    options: Mapping[str, Any] | None,
) -> tuple[list[ParsedDeck], list[ImportOptions]]:
    """Every notes file of a (text or .zip) upload, parsed; nothing is written.

    Also the options each file was read with, in the same order (what its deck remembers).
    """
    documents = documents_from_upload(filename, data)
    if deck_slug and len(documents) > 1:
        raise ImportRejected(
            f"{filename} holds {len(documents)} notes files; a target deck can only be given "
            "for a single file"
        )
    container = filename if len(documents) > 1 or documents[0].name != filename else ""
    used = [
        import_options_for(owner=owner, name=doc.name, deck_slug=deck_slug, given=options)
        for doc in documents
    ]
    parsed = [_parse(doc, container, o) for doc, o in zip(documents, used, strict=True)]
    return parsed, used


def _parse(doc: TextDocument, container: str, options: ImportOptions) -> ParsedDeck:
    prefix = f"{container}: " if container else ""
    try:
        # Looked up on the package: one parser for imports, previews and sources (tests
        # watch what it is given).
        deck = importers.parse_document(doc.name, doc.text, options)
    except ImportFormatError as exc:
        raise ImportRejected(f"{prefix}{exc}") from None
    # Identity of the deck is the name we were given, whatever the parser reports.
    deck.source_name = doc.name
    if not deck.cards:
        raise ImportRejected(f"{prefix}{doc.name}: no questions found")
    return deck


def anki_package(filename: str, data: bytes | IO[bytes], deck_slug: str | None) -> Any:
    """The parsed .apkg upload (within the size limits), or ImportRejected with the reason."""
    if isinstance(data, bytes):
        check_upload(filename, len(data))
    else:
        check_upload(filename, data.seek(0, io.SEEK_END))
        data.seek(0)
    try:
        package = parse_apkg(filename, data)
    except ImportFormatError as exc:
        raise ImportRejected(str(exc)) from None
    if deck_slug and len(package.decks) > 1:
        raise ImportRejected(
            f"{filename} holds {len(package.decks)} Anki decks; a target deck can only be "
            "given for a package with one deck"
        )
    return package


def _import_anki_package(
    *,
    owner: Any,
    filename: str,
    data: bytes | IO[bytes],
    deck_slug: str | None,
    progress: ProgressCallback | None,
) -> ImportSummary:
    """An Anki .apkg: one deck per Anki deck, its media stored (see importers.apkg)."""
    package = anki_package(filename, data, deck_slug)
    # Media first, so no note points at a file that is not there; removed again on failure.
    created = store_media(package.media)
    try:
        summary = _write_import(
            owner=owner, parsed=package.decks, deck_slug=deck_slug, progress=progress
        )
    except BaseException:
        delete_media(created)
        raise
    summary.warnings.extend(f"{filename}: {w}" for w in package.warnings)
    return summary


def _write_import(
    *,
    owner: Any,
    parsed: Sequence[ParsedDeck],
    deck_slug: str | None,
    progress: ProgressCallback | None,
    options_used: Sequence[ImportOptions | None] = (),
) -> ImportSummary:
    check_import_sizes(parsed)
    # Anki packages have no reading options: None leaves their decks' remembered ones alone.
    used = list(options_used) or [None] * len(parsed)
    summary = ImportSummary()
    total = sum(len(p.cards) for p in parsed)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    # The rendering workers start while the import plans (see render_pool).
    with render_pool(2 * total) as pool, transaction.atomic():
        tags = _tags_for(
            owner,
            tag_rules.tag_names_clean(
                t for p in parsed for c in p.cards for t in [*c.tags, *p.tags]
            ),
        )
        for deck_data, options in zip(parsed, used, strict=True):
            summary.add(
                _import_deck(
                    owner=owner,
                    parsed=deck_data,
                    deck_slug=deck_slug,
                    tags=tags,
                    step=step,
                    options=options,
                    pool=pool,
                )
            )
    analyze_after_bulk_write([Note, Card], summary.created)
    return summary


def check_import_sizes(parsed: Sequence[ParsedDeck]) -> None:
    """Refuse the whole import when a card is too long: all or nothing, like any import.

    Checked before anything is written or rendered, the first such card named with its file
    and line, so the user can fix them all in one go.
    """
    too_long: list[tuple[ParsedDeck, int, ParsedCard, FieldTooLong]] = []
    for deck_data in parsed:
        for number, pc in enumerate(deck_data.cards, start=1):
            try:
                _check_card_texts(pc.question, pc.answer)
            except FieldTooLong as exc:
                too_long.append((deck_data, number, pc, exc))
    if not too_long:
        return
    deck_data, number, pc, first = too_long[0]
    line = f", line {pc.line}" if pc.line else ""
    question = pc.question.strip().split("\n", 1)[0]
    excerpt = question if len(question) <= 60 else f"{question[:59]}…"
    others = len(too_long) - 1
    more = f" ({others} more card{'s' if others > 1 else ''} too long as well)" if others else ""
    raise ImportRejected(
        f"{deck_data.source_name}{line}, card {number} “{excerpt}”: {first.message}{more} "
        "Nothing was imported."
    )


def _read_within_limit(filename: str, handle: IO[bytes]) -> bytes:
    limit = upload_limit(filename)
    data = handle.read(limit + 1)
    if len(data) > limit:
        check_upload(filename, len(data))
    return bytes(data)
