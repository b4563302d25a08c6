"""One parsed notes file into one deck: plan -> render -> write -> sync.

Plan decides, before anything is written, which notes are new, changed, unchanged (maybe
moved) or gone; render makes the HTML of the written ones, and the new ones are inserted
with their cards chunk by chunk while workers render the next; write updates the others;
sync brings schedules, tags, references, links and the listeners (search index, study) in
step."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from django.utils import timezone

from .. import tags as tag_rules
from ..bulk import insert_rows
from ..cards import cards_archive, cards_sync
from ..importers.base import ImportOptions, ParsedCard, ParsedDeck, SourceSchedule
from ..importers.questions import title_from_filename
from ..models import Card, CardKind, Deck, Note, Reference, Tag
from ..prompts import identity_text
from ..rendering import RenderPool, render_chunks
from ..signals import card_schedules_imported, notes_changed
from ..uploads import ImportRejected
from ._common import _BATCH, _chunks, _insert_pairs
from .decks import deck_create
from .notes import _sync_links, note_content_hash, note_source_keys

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


def _send_schedules(owner: Any, created: Sequence[_Planned]) -> bool:
    """New notes that carry a schedule from their notes file start their cards with it;
    whether any did.

    Only notes created by this import: a note that already exists keeps its own review
    history, whatever its file now says. The study app writes the states (receiver)."""
    scheduled = {p.note.pk: p.schedule for p in created if p.schedule is not None}
    if not scheduled:
        return False
    by_card = {
        card_id: scheduled[note_id]
        for card_id, note_id in Card.objects.filter(
            note_id__in=list(scheduled), is_archived=False
        ).values_list("id", "note_id")
    }
    card_schedules_imported.send(sender=Note, owner=owner, schedules=by_card)
    return True


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


def _render_and_create(
    plan: _ImportPlan, step: Callable[[int], None], now: datetime, pool: RenderPool | None
) -> int:
    """Render the HTML of every written note (bulk writes skip Note.save; see
    ``render_chunks``) and insert the new notes with their cards as their chunks come back,
    while workers render the next ones. Returns how many notes were reported to ``step``."""
    planned = plan.written  # the new ones first
    # Rendering is the slow part of an import, so progress follows it (two texts a note).
    texts_rendered = texts_done = notes_reported = created = 0

    def rendered_texts(n: int) -> None:
        nonlocal texts_rendered, notes_reported
        texts_rendered += n
        if texts_rendered // 2 > notes_reported:
            step(texts_rendered // 2 - notes_reported)
            notes_reported = texts_rendered // 2

    sources = [t for p in planned for t in (p.note.question, p.note.answer)]
    for chunk in render_chunks(sources, done=rendered_texts, pool=pool):
        for html in chunk:
            note = planned[texts_done // 2].note
            if texts_done % 2:
                note.answer_html = html
            else:
                note.question_html = html
            texts_done += 1
        whole = min(texts_done // 2, len(plan.to_create))
        # Batches as large as the inserts' own, and the last few notes once all are rendered.
        if whole - created >= _BATCH or (whole > created and texts_done == len(sources)):
            _create_notes(plan.to_create[created:whole], now)
            created = whole
    return notes_reported


def _create_notes(batch: Sequence[_Planned], now: datetime) -> None:
    notes = [p.note for p in batch]
    insert_rows(Note, notes, now)
    cards_sync(notes, now=now, without_cards={n.pk for n in notes})


def _write_plan(plan: _ImportPlan, now: datetime) -> None:
    """Write step: changed, moved and archived notes, then the cards they make (new notes
    and theirs are written as they are rendered)."""
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
    cards_sync([p.note for p in plan.to_update], now=now)


def _import_deck(
    *,
    owner: Any,
    parsed: ParsedDeck,
    deck_slug: str | None,
    tags: dict[str, Tag],
    step: Callable[[int], None],
    options: ImportOptions | None = None,
    pool: RenderPool | None = None,
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
    notes_reported = _render_and_create(plan, step, now, pool)
    _write_plan(plan, now)

    scheduled = _send_schedules(owner, plan.to_create)
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
        added_only = not (plan.to_update or plan.archived_ids or scheduled)
        notes_changed(
            deck_id=deck.pk,
            note_ids=changed_ids,
            archived_ids=plan.archived_ids,
            added_only=added_only,
        )
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
