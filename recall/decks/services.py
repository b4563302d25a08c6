"""Writes of the decks app: importing notes, background import jobs, copying and editing decks."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, connections, models, router, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from recall.core.exceptions import ApplicationError
from recall.core.progress import JobProgress, publish_job

from . import tags as tag_rules
from .bulk import insert_rows
from .cards import cards_archive, cards_sync
from .importers.base import ImportFormatError, ParsedCard, ParsedDeck
from .importers.questions import title_from_filename
from .limits import FieldTooLong, check_card_text
from .models import (
    Card,
    CardKind,
    Deck,
    Job,
    JobKind,
    JobStatus,
    Link,
    Note,
    Reference,
    Tag,
    Visibility,
)
from .prompts import identity_text
from .rendering import render_many
from .selectors import deck_is_readable
from .signals import notes_changed
from .uploads import (
    PACKAGE_EXTENSIONS,
    ImportRejected,
    TextDocument,
    check_upload,
    documents_from_upload,
    extension_of,
    upload_limit,
)

if TYPE_CHECKING:
    from .exporters import ExportedFile

__all__ = [
    "ImportRejected",
    "ImportSummary",
    "card_set_flags",
    "deck_archive_cards",
    "deck_copy",
    "deck_create",
    "deck_delete",
    "deck_export",
    "deck_export_markdown",
    "deck_export_response",
    "deck_update",
    "job_create_import",
    "job_mark_failed",
    "job_run_import",
    "note_create",
    "note_delete",
    "note_set_fields",
    "note_update",
    "notes_import",
    "notes_rerender",
    "unique_deck_slug",
]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]

_BATCH = 500
_URL_RE = re.compile(r"https?://[^\s<>\"'`()\[\]{}|\\^]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?*_~"
_LEADING_NUMBER_RE = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+\s*[.):-]\s*", re.IGNORECASE)
_WS_RE = re.compile(r"\s+")
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

    def add(self, other: ImportSummary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.archived += other.archived
        self.unchanged += other.unchanged
        self.deck_ids.extend(other.deck_ids)
        self.files.extend(other.files)
        self.warnings.extend(other.warnings)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.archived} archived, {self.unchanged} unchanged"
        )


# ---------------------------------------------------------------------------------------------
# Identity and content of a note across re-imports


def normalise_question(question: str) -> str:
    """The question as identity: case, spacing and a leading "12." number do not matter."""
    text = unicodedata.normalize("NFKC", question)
    text = _LEADING_NUMBER_RE.sub("", text, count=1)
    return _WS_RE.sub(" ", text).strip().casefold()


def note_source_keys(questions: Iterable[str]) -> list[str]:
    """One key per question; a repeated question gets its occurrence number in the key."""
    seen: dict[str, int] = {}
    keys = []
    for question in questions:
        norm = normalise_question(question)
        count = seen.get(norm, 0)
        seen[norm] = count + 1
        material = norm if count == 0 else f"{norm}\x00{count}"
        keys.append(hashlib.sha256(material.encode()).hexdigest())
    return keys


def note_content_hash(
    *, question: str, answer: str, tags: Sequence[str], kind: str, position: int
) -> str:
    payload = json.dumps([question, answer, sorted(set(tags)), kind, position])
    return hashlib.sha256(payload.encode()).hexdigest()


def urls_in(text: str) -> list[str]:
    """Every http(s) URL in a Markdown text, without the punctuation that ends a sentence."""
    found = []
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://") and len(url) <= 2000:
            found.append(url)
    return found


# ---------------------------------------------------------------------------------------------
# Slugs and small deck services


def unique_deck_slug(*, owner: Any, title: str, exclude_pk: int | None = None) -> str:
    """slugify(title), then -2, -3 ... until no other deck of this owner uses it."""
    base = slugify(title)[:180].strip("-") or "deck"
    taken_qs = Deck.objects.filter(owner=owner, slug__startswith=base)
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def deck_create(
    *,
    owner: Any,
    title: str,
    description: str = "",
    visibility: str = Visibility.PRIVATE,
    source_name: str = "",
    slug: str = "",
) -> Deck:
    title = title.strip() or "Untitled deck"
    deck = Deck(
        owner=owner,
        title=title[:200],
        slug=slug or unique_deck_slug(owner=owner, title=title),
        description=description,
        visibility=visibility,
        source_name=source_name[:255],
    )
    deck.full_clean(exclude=["copied_from"])
    deck.save()
    return deck


_DECK_EDITABLE = {
    "title",
    "description",
    "visibility",
    "new_cards_per_day",
    "reviews_per_day",
    "bury_siblings",
}


def deck_update(*, deck: Deck, **fields: Any) -> Deck:
    """Change a deck's settings; the slug follows a new title only when asked (slug="")."""
    unknown = set(fields) - _DECK_EDITABLE - {"slug"}
    if unknown:
        raise ApplicationError(f"cannot change {', '.join(sorted(unknown))} of a deck")
    changed = []
    for name, value in fields.items():
        if name == "slug":
            value = value or unique_deck_slug(
                owner=deck.owner, title=fields.get("title", deck.title), exclude_pk=deck.pk
            )
        if getattr(deck, name) != value:
            setattr(deck, name, value)
            changed.append(name)
    if changed:
        deck.full_clean(exclude=["copied_from"])
        deck.save(update_fields=[*changed, "updated_at"])
    return deck


def deck_delete(*, deck: Deck) -> None:
    deck_id = deck.pk
    note_ids = list(deck.notes.values_list("id", flat=True))
    with transaction.atomic():
        deck.delete()
        # Listeners (the search index) drop these notes as archived ones.
        notes_changed(deck_id=deck_id, archived_ids=note_ids)


def note_update(
    *,
    note: Note,
    question: str | None = None,
    answer: str | None = None,
    tags: Sequence[str] | None = None,
) -> Note:
    """Edit a note's text or tags; its study state (in other tables) is never touched.

    source_key and content_hash keep describing the last imported version, so re-importing an
    unchanged file keeps this edit, while a file whose note changed wins.
    """
    _check_card_texts(question, answer)
    with transaction.atomic():
        fields = []
        if question is not None and question != note.question:
            if not question.strip():
                raise ApplicationError("a note needs a question")
            note.question = question
            fields.append("question")
        if answer is not None and answer != note.answer:
            note.answer = answer
            fields.append("answer")
        if fields:
            # Note.save renders the Markdown: once per edit, not here as well.
            note.save(update_fields=[*fields, "question_html", "answer_html", "updated_at"])
            cards_sync([note])
        if tags is not None:
            names = tag_rules.tag_names_clean(tags)
            tag_objs = _tags_for(note.deck.owner, names)
            note.tags.set([tag_objs[n] for n in names])
        note_id, deck_id = note.pk, note.deck_id
        notes_changed(deck_id=deck_id, note_ids=[note_id])
    return note


RERENDER_BATCH = 1000


def notes_rerender(
    *, deck: Deck | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Render every note's stored HTML again (one deck's, or all); returns notes changed.

    The Markdown is the source and the HTML a copy made on save: after the renderer
    changes (bare URLs became links, a new highlighter), this brings old notes up to date.
    Notes are read in id order by batches, rendered like an import (``render_many``), and
    only those whose HTML differs are written, with ``bulk_update``: no signals, since
    neither the search index nor the schedule depend on the HTML.
    """
    notes = Note.objects.all() if deck is None else Note.objects.filter(deck=deck)
    total = notes.count()
    done = changed = 0
    last = 0
    while True:
        batch = list(
            notes.filter(pk__gt=last)
            .order_by("pk")
            .only(
                "pk",
                "deck_id",
                "position",
                "kind",
                "question",
                "answer",
                "question_html",
                "answer_html",
                "is_archived",
            )[:RERENDER_BATCH]
        )
        if not batch:
            return changed
        html = iter(render_many([text for c in batch for text in (c.question, c.answer)]))
        stale = []
        for note in batch:
            question_html, answer_html = next(html), next(html)
            if (question_html, answer_html) != (note.question_html, note.answer_html):
                note.question_html, note.answer_html = question_html, answer_html
                stale.append(note)
        with transaction.atomic():
            Note.objects.bulk_update(stale, ["question_html", "answer_html"])
            # Cards copy their note's HTML, and cloze sides render from the same Markdown.
            cards_sync(batch)
        changed += len(stale)
        done += len(batch)
        last = batch[-1].pk
        if progress:
            progress(done, total)


def deck_copy(*, deck: Deck, owner: Any) -> Deck:
    """Copy a deck's live notes, tags and references to another owner (not its study state)."""
    if not deck_is_readable(owner, deck):
        raise ApplicationError("only public or unlisted decks can be copied")
    with transaction.atomic():
        copy = Deck.objects.create(
            owner=owner,
            title=deck.title,
            slug=unique_deck_slug(owner=owner, title=deck.title),
            description=deck.description,
            visibility=Visibility.PRIVATE,
            copied_from=deck,
            new_cards_per_day=deck.new_cards_per_day,
            reviews_per_day=deck.reviews_per_day,
            bury_siblings=deck.bury_siblings,
        )
        notes = list(
            deck.notes.filter(is_archived=False).prefetch_related("tags").order_by("position", "id")
        )
        tag_names = tag_rules.tag_names_clean(t.name for c in notes for t in c.tags.all())
        tag_objs = _tags_for(owner, tag_names)
        new_notes = [
            Note(
                deck=copy,
                position=c.position,
                kind=c.kind,
                question=c.question,
                answer=c.answer,
                question_html=c.question_html,
                answer_html=c.answer_html,
                source_key=c.source_key,
                content_hash=c.content_hash,
            )
            for c in notes
        ]
        Note.objects.bulk_create(new_notes, batch_size=_BATCH)
        cards_sync(new_notes)
        through = Note.tags.through
        through.objects.bulk_create(
            [
                through(note_id=new.pk, tag_id=tag_objs[t.name].pk)
                for old, new in zip(notes, new_notes, strict=True)
                for t in old.tags.all()
                if t.name in tag_objs
            ],
            batch_size=_BATCH,
            ignore_conflicts=True,
        )
        references = [
            Reference(deck=copy, position=r.position, title=r.title, url=r.url)
            for r in deck.references.all()
        ]
        Reference.objects.bulk_create(references)
        _sync_links(
            copy,
            {c.pk: f"{c.question}\n{c.answer}" for c in new_notes},
            [r.url for r in references],
        )
        new_ids = [c.pk for c in new_notes]
        notes_changed(deck_id=copy.pk, note_ids=new_ids)
    return copy


def deck_export_markdown(*, deck: Deck) -> str:
    from .exporters.markdown import export_markdown

    return export_markdown(deck)


def deck_export(*, deck: Deck, fmt: str) -> ExportedFile:
    """A deck as a file in one of the registered formats (see recall.decks.exporters)."""
    from .exporters import EXPORTERS, ExportedFile

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ApplicationError(
            f"unknown export format '{fmt}'; use one of {', '.join(sorted(EXPORTERS))}"
        )
    content = exporter.export(deck)
    if isinstance(content, str):
        content = content.encode()
    return ExportedFile(
        filename=f"{deck.slug or 'deck'}{exporter.extension}",
        content_type=exporter.content_type,
        content=content,
    )


def deck_export_response(*, deck: Deck, fmt: str) -> HttpResponse:
    """The export as a download (used by the web page and the API)."""
    exported = deck_export(deck=deck, fmt=fmt)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=exported.filename) or ""
    )
    return response


# ---------------------------------------------------------------------------------------------
# Import


def notes_import(
    *,
    owner: Any,
    filename: str,
    data: bytes | IO[bytes],
    deck_slug: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import a notes file (or a .zip of them) for owner: one deck per file, all or nothing.

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
    documents = documents_from_upload(filename, data)
    if deck_slug and len(documents) > 1:
        raise ImportRejected(
            f"{filename} holds {len(documents)} notes files; a target deck can only be given "
            "for a single file"
        )
    container = filename if len(documents) > 1 or documents[0].name != filename else ""
    parsed = [_parse(doc, container) for doc in documents]
    return _write_import(owner=owner, parsed=parsed, deck_slug=deck_slug, progress=progress)


def _parse(doc: TextDocument, container: str) -> ParsedDeck:
    from .importers import parse_document

    prefix = f"{container}: " if container else ""
    try:
        deck = parse_document(doc.name, doc.text)
    except ImportFormatError as exc:
        raise ImportRejected(f"{prefix}{exc}") from None
    # Identity of the deck is the name we were given, whatever the parser reports.
    deck.source_name = doc.name
    if not deck.cards:
        raise ImportRejected(f"{prefix}{doc.name}: no questions found")
    return deck


def _import_anki_package(
    *,
    owner: Any,
    filename: str,
    data: bytes | IO[bytes],
    deck_slug: str | None,
    progress: ProgressCallback | None,
) -> ImportSummary:
    """An Anki .apkg: one deck per Anki deck, its media stored (see importers.apkg)."""
    from .importers.apkg import delete_media, parse_apkg, store_media

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
) -> ImportSummary:
    _check_import_sizes(parsed)
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
        for deck_data in parsed:
            summary.add(
                _import_deck(
                    owner=owner, parsed=deck_data, deck_slug=deck_slug, tags=tags, step=step
                )
            )
    return summary


def _check_import_sizes(parsed: Sequence[ParsedDeck]) -> None:
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


def _find_or_create_deck(*, owner: Any, parsed: ParsedDeck, deck_slug: str | None) -> Deck:
    name = parsed.source_name
    if deck_slug:
        deck = Deck.objects.filter(owner=owner, slug=deck_slug).first()
        if deck is None:
            raise ImportRejected(f"you have no deck '{deck_slug}' to import {name} into")
        if deck.source_name != name:
            # A renamed file re-attached to its deck: future imports find it by the new name.
            deck.source_name = name[:255]
            deck.save(update_fields=["source_name", "updated_at"])
        return deck
    deck = Deck.objects.filter(owner=owner, source_name=name[:255]).order_by("id").first()
    if deck is not None:
        return deck
    title = parsed.title
    if not title or ("/" in name and title == title_from_filename(name)):
        # A file in a folder or zip with no title of its own is named from its whole path.
        title = title_from_path(name)
    return deck_create(owner=owner, title=title, description=parsed.description, source_name=name)


def title_from_path(name: str) -> str:
    """'python/async_io-basics.md' -> 'Python / Async Io Basics'."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return " / ".join(w for w in map(title_from_filename, parts) if w) or "Imported notes"


@dataclass
class _Planned:
    note: Note
    tags: list[str]
    text: str  # where its links are looked for


def _import_deck(
    *,
    owner: Any,
    parsed: ParsedDeck,
    deck_slug: str | None,
    tags: dict[str, Tag],
    step: Callable[[int], None],
) -> ImportSummary:
    deck = _find_or_create_deck(owner=owner, parsed=parsed, deck_slug=deck_slug)
    summary = ImportSummary(deck_ids=[deck.pk], files=[parsed.source_name])
    if parsed.description and parsed.description != deck.description:
        deck.description = parsed.description
        deck.save(update_fields=["description", "updated_at"])

    existing: dict[str, dict[str, Any]] = {}
    for values in (
        Note.objects.filter(deck=deck)
        .order_by("id")
        .values("id", "source_key", "content_hash", "is_archived", "source_file", "source_line")
    ):
        existing.setdefault(values["source_key"], {**values})

    now = timezone.now()
    source_file = parsed.source_name[:500]
    keys = note_source_keys(identity_text(c.kind, c.question) for c in parsed.cards)
    to_create: list[_Planned] = []
    to_update: list[_Planned] = []
    moved: list[Note] = []
    kept_ids: dict[int, str] = {}  # unchanged note id -> text, for links
    for position, (pc, key) in enumerate(zip(parsed.cards, keys, strict=True)):
        note_tags = tag_rules.tag_names_clean([*pc.tags, *parsed.tags])
        kind = pc.kind if pc.kind in _KINDS else CardKind.BASIC
        chash = note_content_hash(
            question=pc.question, answer=pc.answer, tags=note_tags, kind=kind, position=position
        )
        row = existing.get(key)
        if row is not None and row["content_hash"] == chash and not row["is_archived"]:
            summary.unchanged += 1
            kept_ids[row["id"]] = f"{pc.question}\n{pc.answer}"
            if row["source_line"] != pc.line or row["source_file"] != source_file:
                moved.append(
                    Note(id=row["id"], source_line=pc.line, source_file=source_file, updated_at=now)
                )
            continue
        note = _card_from(pc, deck, position, kind, key, chash, source_file, now)
        planned = _Planned(note, note_tags, f"{pc.question}\n{pc.answer}")
        if row is None:
            to_create.append(planned)
        else:
            note.pk = row["id"]
            to_update.append(planned)

    # Rendering is the slow part of an import, so progress follows it (two texts a note).
    texts_done = notes_reported = 0

    def rendered_texts(n: int) -> None:
        nonlocal texts_done, notes_reported
        texts_done += n
        if texts_done // 2 > notes_reported:
            step(texts_done // 2 - notes_reported)
            notes_reported = texts_done // 2

    # bulk writes skip Note.save, so the HTML is rendered here, all at once (see render_many).
    to_render = [*to_create, *to_update]
    sources = [t for p in to_render for t in (p.note.question, p.note.answer)]
    rendered = iter(render_many(sources, done=rendered_texts))
    for p in to_render:
        p.note.question_html, p.note.answer_html = next(rendered), next(rendered)

    seen_keys = set(keys)
    archived_ids = [
        row["id"]
        for key, row in existing.items()
        if key not in seen_keys and not row["is_archived"]
    ]
    insert_rows(Note, [p.note for p in to_create], now)
    if to_update:
        Note.objects.bulk_update([p.note for p in to_update], _NOTE_FIELDS, batch_size=_BATCH)
    if moved:
        Note.objects.bulk_update(
            moved, ["source_line", "source_file", "updated_at"], batch_size=_BATCH
        )
    if archived_ids:
        for chunk in _chunks(archived_ids, _BATCH):
            Note.objects.filter(id__in=chunk).update(is_archived=True, updated_at=now)
        cards_archive(archived_ids, now=now)
    cards_sync([p.note for p in to_render], now=now)
    _sync_card_tags(to_create, to_update, tags)
    _sync_references(deck, parsed)
    texts = {p.note.pk: p.text for p in [*to_create, *to_update]}
    texts.update(kept_ids)
    _sync_links(deck, texts, [r.url for r in parsed.references])
    step(len(to_render) - notes_reported + summary.unchanged)

    summary.created = len(to_create)
    summary.updated = len(to_update)
    summary.archived = len(archived_ids)
    changed_ids = [p.note.pk for p in [*to_create, *to_update]]
    if changed_ids or archived_ids:
        deck_id = deck.pk
        notes_changed(deck_id=deck_id, note_ids=changed_ids, archived_ids=archived_ids)
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
        deck=deck,
        position=position,
        kind=kind,
        question=pc.question,
        answer=pc.answer,
        source_file=source_file,
        source_line=pc.line,
        source_key=key,
        content_hash=chash,
        is_archived=False,
        updated_at=now,
    )


def _insert_pairs(
    through: type[models.Model], fields: tuple[str, str], pairs: Sequence[tuple[int, int]]
) -> None:
    """bulk_create of many-to-many rows given as id pairs, without a model object per row."""
    if not pairs:
        return
    connection = connections[router.db_for_write(through)]
    quote = connection.ops.quote_name
    column_of = {f.name: f.column for f in through._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in fields)
    table = quote(through._meta.db_table)
    batch = min(_BATCH, (connection.features.max_query_params or 65535) // 2)
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs, batch):
            marks = ", ".join(["(%s, %s)"] * len(chunk))
            # Only quoted names and placeholders are interpolated; the ids are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks}"  # noqa: S608
            cursor.execute(sql, [value for pair in chunk for value in pair])


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _tags_for(owner: Any, names: Sequence[str]) -> dict[str, Tag]:
    """The owner's Tag rows for these names, creating the missing ones."""
    if not names:
        return {}
    found: dict[str, Tag] = {}
    # In chunks: SQLite caps the number of query parameters.
    for chunk in _chunks(names, _BATCH):
        found.update((t.name, t) for t in Tag.objects.filter(owner=owner, name__in=chunk))
    missing = [n for n in names if n not in found]
    if missing:
        Tag.objects.bulk_create(
            [Tag(owner=owner, name=n) for n in missing], batch_size=_BATCH, ignore_conflicts=True
        )
        for chunk in _chunks(missing, _BATCH):
            found.update((t.name, t) for t in Tag.objects.filter(owner=owner, name__in=chunk))
    return found


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


def _sync_links(deck: Deck, note_texts: dict[int, str], reference_urls: Sequence[str]) -> None:
    """Make the deck's Link rows and their note links match the URLs found now.

    Existing rows keep their check status; URLs no longer present anywhere are dropped.
    """
    wanted_pairs: set[tuple[str, int]] = set()
    wanted_urls: set[str] = set()
    for note_id, text in note_texts.items():
        for url in urls_in(text):
            wanted_pairs.add((url, note_id))
            wanted_urls.add(url)
    for url in reference_urls:
        wanted_urls.update(urls_in(url) or [])
    links = dict(Link.objects.filter(deck=deck).values_list("url", "id"))
    stale = [link_id for url, link_id in links.items() if url not in wanted_urls]
    if stale:
        Link.objects.filter(id__in=stale).delete()
    missing = sorted(wanted_urls - set(links))
    if missing:
        Link.objects.bulk_create([Link(deck=deck, url=u) for u in missing], batch_size=_BATCH)
        links = dict(Link.objects.filter(deck=deck).values_list("url", "id"))
    through = Link.notes.through
    wanted = {(links[url], note_id) for url, note_id in wanted_pairs}
    current = {
        (link_id, note_id): row_id
        for row_id, link_id, note_id in through.objects.filter(link__deck=deck).values_list(
            "id", "link_id", "note_id"
        )
    }
    extra = [row_id for pair, row_id in current.items() if pair not in wanted]
    for chunk in _chunks(extra, _BATCH):
        through.objects.filter(id__in=chunk).delete()
    _insert_pairs(through, ("link", "note"), sorted(wanted - set(current)))


# ---------------------------------------------------------------------------------------------
# Background import jobs


def job_create_import(*, owner: Any, uploaded_file: UploadedFile, deck_slug: str = "") -> Job:
    """Store an upload and queue its import; the cheap checks refuse bad uploads at once."""
    name = PurePosixPath((uploaded_file.name or "upload").replace("\\", "/")).name
    check_upload(name, uploaded_file.size or 0)
    if deck_slug and not Deck.objects.filter(owner=owner, slug=deck_slug).exists():
        raise ImportRejected(f"you have no deck '{deck_slug}' to import {name} into")
    with transaction.atomic():
        job = Job(kind=JobKind.IMPORT, owner=owner, filename=name, target_deck_slug=deck_slug)
        job.upload.save(name, uploaded_file, save=False)
        job.save()
        job_id = job.pk

        def schedule() -> None:
            from .tasks import run_import_job

            run_import_job.delay(job_id)

        transaction.on_commit(schedule)
    return job


@contextlib.contextmanager
def _open_upload(job: Job) -> Iterator[IO[bytes]]:
    try:
        handle = job.upload.open("rb")
    except (OSError, ValueError):
        raise ImportRejected(f"the uploaded file {job.filename} is no longer available") from None
    with handle:
        yield handle


def _read_within_limit(filename: str, handle: IO[bytes]) -> bytes:
    limit = upload_limit(filename)
    data = handle.read(limit + 1)
    if len(data) > limit:
        check_upload(filename, len(data))
    return bytes(data)


def job_run_import(*, job_id: int) -> None:
    """Run an import job once: a job that finished (either way) is left alone.

    The job row stays locked for the whole run, so a redelivered task waits for a live run
    and then finds it finished; a run that died rolled back with its connection. Only the
    job row: locking its owner too (a join without ``of``) made every write of that user
    wait for the import, since a new deck or tag references the user row.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return
        job.status = JobStatus.RUNNING
        job.message = ""
        job.save(update_fields=["status", "message", "updated_at"])
    publish_job(job)

    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("owner").get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return
        try:
            with _open_upload(job) as upload:
                summary = notes_import(
                    owner=job.owner,
                    filename=job.filename,
                    data=upload,
                    deck_slug=job.target_deck_slug or None,
                    progress=JobProgress(job),
                )
        except ImportRejected as exc:
            job.status, job.message = JobStatus.FAILED, exc.message
        except OperationalError:
            # Transient database trouble: the task retries with back-off.
            raise
        except SoftTimeLimitExceeded:
            job.status = JobStatus.FAILED
            job.message = f"{job.filename} took too long to import; try splitting it."
        except Exception:
            logger.exception("import job %s failed", job_id)
            job.status = JobStatus.FAILED
            job.message = f"{job.filename} could not be imported because of an internal error."
        else:
            job.status = JobStatus.SUCCEEDED
            job.message = f"{job.filename}: {summary}"
            job.result = summary.as_dict()
            job.progress = job.total
            if summary.deck_ids:
                job.deck_id = summary.deck_ids[0]
        job.finished_at = timezone.now()
        job.save()
        transaction.on_commit(lambda: _job_finished(job))


def job_mark_failed(*, job_id: int, message: str) -> None:
    """Give up on a job that cannot run (its retries are spent), telling the user why."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return
        job.status, job.message, job.finished_at = JobStatus.FAILED, message, timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _job_finished(job))


def _job_finished(job: Job) -> None:
    """Tell the watchers, then drop the upload: a finished job never reads it again."""
    publish_job(job)
    if job.upload:
        try:
            job.upload.delete(save=False)
        except OSError:
            logger.warning("could not delete the upload of job %s", job.pk, exc_info=True)
        Job.objects.filter(pk=job.pk).update(upload="")


# ---------------------------------------------------------------------------------------------
# Notes and tags edited one at a time (API and web), deck settings at creation


def note_create(
    *,
    deck: Deck,
    question: str,
    answer: str = "",
    kind: str = CardKind.BASIC,
    tags: Sequence[str] = (),
    position: int | None = None,
    is_archived: bool = False,
) -> Note:
    """Add a note by hand; it goes last in the deck unless a position is given."""
    if not question.strip():
        raise ApplicationError("a note needs a question")
    _check_card_texts(question, answer)
    with transaction.atomic():
        if position is None:
            last = deck.notes.order_by("-position").values_list("position", flat=True).first()
            position = 0 if last is None else last + 1
        note = Note(
            deck=deck,
            question=question,
            answer=answer,
            kind=kind,
            position=position,
            is_archived=is_archived,
            source_key=note_source_keys([identity_text(kind, question)])[0],
        )
        note.save()
        cards_sync([note])
        names = tag_rules.tag_names_clean(tags)
        if names:
            tag_objs = _tags_for(deck.owner, names)
            note.tags.set([tag_objs[n] for n in names])
        note_id, deck_id = note.pk, deck.pk
        notes_changed(deck_id=deck_id, note_ids=[note_id])
    return note


def _check_card_texts(question: str | None, answer: str | None) -> None:
    for name, text in (("question", question), ("answer", answer)):
        if text is not None:
            check_card_text(text, field=name)


def note_set_fields(
    *,
    note: Note,
    kind: str | None = None,
    position: int | None = None,
    is_archived: bool | None = None,
) -> Note:
    """Change a note's kind, place in the deck or archived flag (text goes via note_update)."""
    fields = []
    for name, value in (("kind", kind), ("position", position), ("is_archived", is_archived)):
        if value is not None and getattr(note, name) != value:
            setattr(note, name, value)
            fields.append(name)
    if fields:
        with transaction.atomic():
            note.save(update_fields=[*fields, "updated_at"])
            cards_sync([note])
        note_id, deck_id = note.pk, note.deck_id
        archived = [note_id] if note.is_archived else []
        notes_changed(
            deck_id=deck_id, note_ids=[] if archived else [note_id], archived_ids=archived
        )
    return note


def card_set_flags(
    *, card: Card, suspended: bool | None = None, flagged: bool | None = None
) -> Card:
    """Suspend a card (kept out of study until unsuspended) or flag it; nothing else changes."""
    fields = []
    for name, value in (("suspended", suspended), ("flagged", flagged)):
        if value is not None and getattr(card, name) != value:
            setattr(card, name, value)
            fields.append(name)
    if fields:
        card.save(update_fields=[*fields, "updated_at"])
    return card


def note_delete(*, note: Note) -> None:
    """Delete one note; its review log keeps the grades (the note becomes null there)."""
    note_id, deck_id = note.pk, note.deck_id
    with transaction.atomic():
        note.delete()
        notes_changed(deck_id=deck_id, archived_ids=[note_id])


def _tag_name(name: str) -> str:
    try:
        cleaned = tag_rules.tag_names_clean([name], strict=True)
    except tag_rules.TagNameTooLong as exc:
        raise ApplicationError(str(exc)) from exc
    return cleaned[0] if cleaned else ""


def tag_create(*, owner: Any, name: str) -> Tag:
    name = _tag_name(name)
    if not name:
        raise ApplicationError("a tag needs a name")
    if Tag.objects.filter(owner=owner, name=name).exists():
        raise ApplicationError(f"you already have a tag named '{name}'")
    return Tag.objects.create(owner=owner, name=name)


def tag_rename(*, tag: Tag, name: str) -> Tag:
    name = _tag_name(name)
    if not name:
        raise ApplicationError("a tag needs a name")
    if name != tag.name:
        if Tag.objects.filter(owner=tag.owner_id, name=name).exclude(pk=tag.pk).exists():
            raise ApplicationError(f"you already have a tag named '{name}'")
        tag.name = name
        tag.save(update_fields=["name"])
        _tag_cards_changed(tag)
    return tag


def tag_delete(*, tag: Tag) -> None:
    """Delete a tag; its notes stay, without it."""
    with transaction.atomic():
        _tag_cards_changed(tag)
        tag.delete()


def _tag_cards_changed(tag: Tag) -> None:
    # The search index stores tag names with the notes: tell it which notes changed.
    by_deck: dict[int, list[int]] = {}
    for note_id, deck_id in tag.notes.values_list("id", "deck_id"):
        by_deck.setdefault(deck_id, []).append(note_id)
    for deck_id, note_ids in by_deck.items():
        notes_changed(deck_id=deck_id, note_ids=note_ids)


# ---------------------------------------------------------------------------------------------
# Hook for recall.sources: a deck whose notes file was deleted is archived, never deleted.


def deck_archive_cards(*, deck: Deck) -> int:
    """Archive every note of the deck and their cards (review history kept); returns how many
    notes were archived.

    A later import of the same file brings them back (archived notes are updated in place).
    """
    ids = list(Note.objects.filter(deck=deck, is_archived=False).values_list("id", flat=True))
    if ids:
        now = timezone.now()
        for chunk in _chunks(ids, _BATCH):
            Note.objects.filter(id__in=chunk).update(is_archived=True, updated_at=now)
        cards_archive(ids, now=now)
        deck_id = deck.pk
        notes_changed(deck_id=deck_id, archived_ids=ids)
    return len(ids)
