"""Importing notes files: parse, check, then write decks, notes, cards, tags, references."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from .. import importers
from .. import tags as tag_rules
from ..bulk import insert_rows
from ..cards import cards_archive, cards_sync
from ..importers.apkg import delete_media, parse_apkg, store_media
from ..importers.base import (
    ImportFormatError,
    ImportOptions,
    ParsedCard,
    ParsedDeck,
    SourceSchedule,
)
from ..importers.questions import title_from_filename
from ..limits import FieldTooLong
from ..models import Card, CardKind, Deck, Note, Reference, Tag
from ..prompts import identity_text
from ..rendering import render_many
from ..signals import card_schedules_imported, notes_changed
from ..uploads import (
    PACKAGE_EXTENSIONS,
    ImportRejected,
    TextDocument,
    check_upload,
    documents_from_upload,
    extension_of,
    upload_limit,
)
from ._common import _BATCH, ProgressCallback, _chunks, _insert_pairs
from .decks import deck_create
from .notes import _check_card_texts, _sync_links, note_content_hash, note_source_keys
from .tags import _tags_for

_KINDS = frozenset(CardKind.values)


_NOTE_FIELDS = [
    "position",
    "kind",
    "question",
    "answer",
    "question_html",
    "answer_html",
    "source_file",
    "source_line",
    "context",
    "content_hash",
    "is_archived",
    "updated_at",
]


@dataclass
class ImportSummary:
    """What an import did, counted in notes, and the decks it wrote to."""

    created: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0
    deck_ids: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # Things imported imperfectly or left out (e.g. media an Anki package lacks).
    warnings: list[str] = field(default_factory=list)
    # Lines of notes files that look like cards but were not read as cards, and why:
    # {"file": "notes.md", "line": 17, "text": "<!--q::a-->", "reason": "commented out"}.
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.archived += other.archived
        self.unchanged += other.unchanged
        self.deck_ids.extend(other.deck_ids)
        self.files.extend(other.files)
        self.warnings.extend(other.warnings)
        self.skipped.extend(other.skipped)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.archived} archived, {self.unchanged} unchanged"
        )


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


def import_options_clean(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The import options given (only those keys), validated; a bad one is an ImportRejected."""
    given = dict(data or {})
    try:
        checked = ImportOptions.from_dict(given)
    except ValueError as exc:
        raise ImportRejected(f"import options: {exc}") from None
    return {name: getattr(checked, name) for name in given}


def import_options_complete(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every import option, those not in ``data`` at their defaults: options given this way
    replace all of a deck's remembered ones (a source's settings are the whole truth)."""
    return asdict(ImportOptions.from_dict(import_options_clean(data)))


def import_options_for(
    *, owner: Any, name: str, deck_slug: str | None, given: Mapping[str, Any] | None
) -> ImportOptions:
    """The options a file is read with: its deck's remembered ones, then those given."""
    given = import_options_clean(given)
    deck = existing_deck(owner=owner, name=name, deck_slug=deck_slug)
    remembered = deck.import_options if deck is not None else {}
    try:
        return ImportOptions.from_dict({**(remembered or {}), **given})
    except ValueError:
        # Remembered by an older version that knew other settings: what was given still holds.
        return ImportOptions.from_dict(given)


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

    with transaction.atomic():
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
                )
            )
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


def existing_deck(*, owner: Any, name: str, deck_slug: str | None) -> Deck | None:
    """The deck a file named ``name`` would be imported into, if it exists already."""
    if deck_slug:
        deck = Deck.objects.filter(owner=owner, slug=deck_slug).first()
        if deck is None:
            raise ImportRejected(f"you have no deck '{deck_slug}' to import {name} into")
        return deck
    return Deck.objects.filter(owner=owner, source_name=name[:255]).order_by("id").first()


def new_deck_title(parsed: ParsedDeck) -> str:
    name, title = parsed.source_name, parsed.title
    if not title or ("/" in name and title == title_from_filename(name)):
        # A file in a folder or zip with no title of its own is named from its whole path.
        title = title_from_path(name)
    return title


def _find_or_create_deck(*, owner: Any, parsed: ParsedDeck, deck_slug: str | None) -> Deck:
    name = parsed.source_name
    deck = existing_deck(owner=owner, name=name, deck_slug=deck_slug)
    if deck is not None:
        if deck_slug and deck.source_name != name:
            # A renamed file re-attached to its deck: future imports find it by the new name.
            deck.source_name = name[:255]
            deck.save(update_fields=["source_name", "updated_at"])
        return deck
    return deck_create(
        owner=owner,
        title=new_deck_title(parsed),
        description=parsed.description,
        source_name=name,
    )


def title_from_path(name: str) -> str:
    """'python/async_io-basics.md' -> 'Python / Async Io Basics'."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return " / ".join(w for w in map(title_from_filename, parts) if w) or "Imported notes"


@dataclass
class _Planned:
    note: Note
    tags: list[str]
    text: str  # where its links are looked for
    schedule: SourceSchedule | None = None


def skipped_lines(parsed: ParsedDeck) -> list[dict[str, Any]]:
    """The parser's skipped lines of one file, as an import result lists them."""
    return [
        {"file": parsed.source_name, "line": s.line, "text": s.text, "reason": s.reason}
        for s in parsed.skipped
    ]


_CONTEXT_PART = 200  # characters kept of each heading of a note's context


def _context(path: Sequence[str]) -> str:
    """A heading path as ``Note.context`` stores it: one heading a line."""
    parts = (" ".join(part.split())[:_CONTEXT_PART] for part in path[:12])
    return "\n".join(part for part in parts if part)


def _with_context(chash: str, path: Sequence[str]) -> str:
    """The content hash, changed by the note's context when it has one (so that notes
    without one keep the hash they had before contexts existed)."""
    if not path:
        return chash
    payload = json.dumps([chash, _context(path)])
    return hashlib.sha256(payload.encode()).hexdigest()


def _send_schedules(owner: Any, created: Sequence[_Planned]) -> None:
    """New notes that carry a schedule from their notes file start their cards with it.

    Only notes created by this import: a note that already exists keeps its own review
    history, whatever its file now says. The study app writes the states (receiver)."""
    scheduled = {p.note.pk: p.schedule for p in created if p.schedule is not None}
    if not scheduled:
        return
    by_card = {
        card_id: scheduled[note_id]
        for card_id, note_id in Card.objects.filter(
            note_id__in=list(scheduled), is_archived=False
        ).values_list("id", "note_id")
    }
    card_schedules_imported.send(sender=Note, owner=owner, schedules=by_card)


@dataclass
class _ImportPlan:
    """What an import does to a deck's notes, decided before anything is written."""

    to_create: list[_Planned] = field(default_factory=list)
    to_update: list[_Planned] = field(default_factory=list)
    moved: list[Note] = field(default_factory=list)  # unchanged notes at a new line or file
    kept_texts: dict[int, str] = field(default_factory=dict)  # unchanged note id -> text
    archived_ids: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def written(self) -> list[_Planned]:
        return [*self.to_create, *self.to_update]


def _existing_notes(deck: Deck) -> dict[str, dict[str, Any]]:
    """The deck's notes by source key (the first of a key wins)."""
    existing: dict[str, dict[str, Any]] = {}
    for values in (
        Note.objects.filter(deck=deck)
        .order_by("id")
        .values("id", "source_key", "content_hash", "is_archived", "source_file", "source_line")
    ):
        existing.setdefault(values["source_key"], {**values})
    return existing


def _import_plan(*, deck: Deck, parsed: ParsedDeck, now: datetime) -> _ImportPlan:
    """Plan step: each parsed card is new, changed, unchanged (maybe moved); notes no longer
    in the file are archived."""
    existing = _existing_notes(deck)
    source_file = parsed.source_name[:500]
    keys = note_source_keys(identity_text(c.kind, c.question) for c in parsed.cards)
    plan = _ImportPlan()
    for position, (pc, key) in enumerate(zip(parsed.cards, keys, strict=True)):
        note_tags = tag_rules.tag_names_clean([*pc.tags, *parsed.tags])
        kind = pc.kind if pc.kind in _KINDS else CardKind.BASIC
        chash = _with_context(
            note_content_hash(
                question=pc.question, answer=pc.answer, tags=note_tags, kind=kind, position=position
            ),
            pc.heading_path,
        )
        row = existing.get(key)
        if row is not None and row["content_hash"] == chash and not row["is_archived"]:
            plan.unchanged += 1
            plan.kept_texts[row["id"]] = f"{pc.question}\n{pc.answer}"
            if row["source_line"] != pc.line or row["source_file"] != source_file:
                plan.moved.append(
                    Note(id=row["id"], source_line=pc.line, source_file=source_file, updated_at=now)
                )
            continue
        note = _card_from(pc, deck, position, kind, key, chash, source_file, now)
        planned = _Planned(note, note_tags, f"{pc.question}\n{pc.answer}", pc.schedule)
        if row is None:
            plan.to_create.append(planned)
        else:
            note.pk = row["id"]
            plan.to_update.append(planned)
    seen_keys = set(keys)
    plan.archived_ids = [
        row["id"]
        for key, row in existing.items()
        if key not in seen_keys and not row["is_archived"]
    ]
    return plan


def _render_planned(planned: list[_Planned], step: Callable[[int], None]) -> int:
    """Render step: the HTML of every written note, all at once (bulk writes skip
    Note.save; see render_many). Returns how many notes were reported to ``step``."""
    # Rendering is the slow part of an import, so progress follows it (two texts a note).
    texts_done = notes_reported = 0

    def rendered_texts(n: int) -> None:
        nonlocal texts_done, notes_reported
        texts_done += n
        if texts_done // 2 > notes_reported:
            step(texts_done // 2 - notes_reported)
            notes_reported = texts_done // 2

    sources = [t for p in planned for t in (p.note.question, p.note.answer)]
    rendered = iter(render_many(sources, done=rendered_texts))
    for p in planned:
        p.note.question_html, p.note.answer_html = next(rendered), next(rendered)
    return notes_reported


def _write_plan(plan: _ImportPlan, now: datetime) -> None:
    """Write step: new, changed, moved and archived notes, then the cards they make."""
    insert_rows(Note, [p.note for p in plan.to_create], now)
    if plan.to_update:
        Note.objects.bulk_update([p.note for p in plan.to_update], _NOTE_FIELDS, batch_size=_BATCH)
    if plan.moved:
        Note.objects.bulk_update(
            plan.moved, ["source_line", "source_file", "updated_at"], batch_size=_BATCH
        )
    if plan.archived_ids:
        for chunk in _chunks(plan.archived_ids, _BATCH):
            Note.objects.filter(id__in=chunk).update(is_archived=True, updated_at=now)
        cards_archive(plan.archived_ids, now=now)
    cards_sync(
        [p.note for p in plan.written],
        now=now,
        without_cards={p.note.pk for p in plan.to_create},
    )


def _import_deck(
    *,
    owner: Any,
    parsed: ParsedDeck,
    deck_slug: str | None,
    tags: dict[str, Tag],
    step: Callable[[int], None],
    options: ImportOptions | None = None,
) -> ImportSummary:
    """One parsed file into one deck: plan, render, write, then sync schedules, tags,
    references, links and listeners."""
    deck = _find_or_create_deck(owner=owner, parsed=parsed, deck_slug=deck_slug)
    summary = ImportSummary(
        deck_ids=[deck.pk], files=[parsed.source_name], skipped=skipped_lines(parsed)
    )
    if options is not None and deck.import_options != options.to_dict():
        # Remembered for the next import of this deck (the front matter is read again anyway).
        deck.import_options = options.to_dict()
        deck.save(update_fields=["import_options", "updated_at"])
    if parsed.description and parsed.description != deck.description:
        deck.description = parsed.description
        deck.save(update_fields=["description", "updated_at"])

    now = timezone.now()
    plan = _import_plan(deck=deck, parsed=parsed, now=now)
    written = plan.written
    notes_reported = _render_planned(written, step)
    _write_plan(plan, now)

    _send_schedules(owner, plan.to_create)
    _sync_card_tags(plan.to_create, plan.to_update, tags)
    _sync_references(deck, parsed)
    texts = {p.note.pk: p.text for p in written}
    texts.update(plan.kept_texts)
    _sync_links(deck, texts, [r.url for r in parsed.references])
    step(len(written) - notes_reported + plan.unchanged)

    summary.unchanged = plan.unchanged
    summary.created = len(plan.to_create)
    summary.updated = len(plan.to_update)
    summary.archived = len(plan.archived_ids)
    changed_ids = [p.note.pk for p in written]
    if changed_ids or plan.archived_ids:
        notes_changed(deck_id=deck.pk, note_ids=changed_ids, archived_ids=plan.archived_ids)
    return summary


def _card_from(
    pc: ParsedCard,
    deck: Deck,
    position: int,
    kind: str,
    key: str,
    chash: str,
    source_file: str,
    now: Any,
) -> Note:
    return Note(
        deck_id=deck.pk,
        position=position,
        kind=kind,
        question=pc.question,
        answer=pc.answer,
        source_file=source_file,
        source_line=pc.line,
        context=_context(pc.heading_path),
        source_key=key,
        content_hash=chash,
        is_archived=False,
        updated_at=now,
    )


def _sync_card_tags(
    created: Sequence[_Planned], updated: Sequence[_Planned], tags: dict[str, Tag]
) -> None:
    through = Note.tags.through
    if updated:
        for chunk in _chunks([p.note.pk for p in updated], _BATCH):
            through.objects.filter(note_id__in=chunk).delete()
    rows = [(p.note.pk, tags[name].pk) for p in [*created, *updated] for name in p.tags]
    _insert_pairs(through, ("note", "tag"), rows)


def _sync_references(deck: Deck, parsed: ParsedDeck) -> None:
    wanted = [(r.title[:500], r.url[:2000]) for r in parsed.references if r.url]
    current = list(deck.references.order_by("position", "id").values_list("title", "url"))
    if current == wanted:
        return
    deck.references.all().delete()
    Reference.objects.bulk_create(
        [Reference(deck=deck, position=i, title=t, url=u) for i, (t, u) in enumerate(wanted)]
    )


def _read_within_limit(filename: str, handle: IO[bytes]) -> bytes:
    limit = upload_limit(filename)
    data = handle.read(limit + 1)
    if len(data) > limit:
        check_upload(filename, len(data))
    return bytes(data)
