"""Writes of decks: create, update, delete, copy, and archiving the notes of a removed file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from recall.core.exceptions import ApplicationError, ConflictError, NotFoundError

from .. import tags as tag_rules
from ..cards import cards_archive, cards_sync
from ..models import Deck, Note, Reference, Visibility
from ..selectors import deck_is_readable
from ..signals import notes_changed
from ._common import _BATCH, _chunks
from .notes import _sync_links, note_content_hash, note_create, note_set_fields, note_update
from .tags import _tags_for


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


class AlreadyCopied(ConflictError):
    """The user already has a copy of this deck: update it instead of making another."""

    code = "already_copied"

    def __init__(self, copy: Deck) -> None:
        super().__init__(
            f"you already have a copy of this deck (deck {copy.pk}); update it instead",
            extra={"copy": copy.pk},
        )
        self.copy = copy


def copy_of(*, deck: Deck, owner: Any) -> Deck | None:
    """The owner's copy of this deck, if they made one (the oldest, should there be several)."""
    return Deck.objects.filter(owner=owner, copied_from=deck).order_by("pk").first()


def _origin_hash(note: Note, tag_names: list[str]) -> str:
    # What the copy records of the origin's note: a later change of any of these is pulled.
    return note_content_hash(
        question=note.question,
        answer=note.answer,
        tags=tag_names,
        kind=note.kind,
        position=note.position,
    )


def deck_copy(*, deck: Deck, owner: Any) -> Deck:
    """Copy a deck's live notes, tags and references to another owner (not its study state).

    A second copy of the same deck is refused (``AlreadyCopied``): ``deck_copy_update``
    brings the author's changes into the first one instead.
    """
    if not deck_is_readable(owner, deck):
        raise ApplicationError("only public or unlisted decks can be copied")
    existing = copy_of(deck=deck, owner=owner)
    if existing is not None:
        raise AlreadyCopied(existing)
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
                context=c.context,
                source_key=c.source_key,
                content_hash=_origin_hash(c, [t.name for t in c.tags.all()]),
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


@dataclass
class CopyUpdate:
    """What ``deck_copy_update`` did to the copy."""

    created: int = 0
    updated: int = 0
    archived: int = 0

    @property
    def message(self) -> str:
        if not (self.created or self.updated or self.archived):
            return "Your copy is up to date."
        return (
            f"Copy updated: {self.created} new, {self.updated} changed, "
            f"{self.archived} archived note{'' if self.archived == 1 else 's'}."
        )


def deck_copy_update(*, copy: Deck, user: Any) -> CopyUpdate:
    """Bring the origin's changes into the user's copy of a deck, keeping their reviews.

    Notes are matched by identity (``source_key``, kept by copies). A note new in the origin
    is added; one the author changed since the copy recorded it (``content_hash``) takes the
    author's text, kind, tags and place, keeping its cards, so their schedules and review
    history stay; one the author removed is archived. Notes the copier changed while the
    author did not keep the copier's version, and notes the copier wrote (no recorded
    origin) are left alone. References follow the origin's.
    """
    if copy.owner_id != user.pk:
        raise NotFoundError("No such deck.")
    origin = copy.copied_from
    if origin is None or not deck_is_readable(user, origin):
        raise ApplicationError("this deck is not a copy of a deck you can read")
    summary = CopyUpdate()
    with transaction.atomic():
        theirs = list(
            origin.notes.filter(is_archived=False)
            .prefetch_related("tags")
            .order_by("position", "id")
        )
        mine: dict[str, list[Note]] = {}
        for note in copy.notes.prefetch_related("tags").order_by("position", "id"):
            mine.setdefault(note.source_key, []).append(note)
        matched: set[int] = set()
        for source in theirs:
            tag_names = [t.name for t in source.tags.all()]
            wanted = _origin_hash(source, tag_names)
            candidates = mine.get(source.source_key) or []
            if not candidates:
                note = note_create(
                    deck=copy,
                    question=source.question,
                    answer=source.answer,
                    kind=source.kind,
                    tags=tag_names,
                    position=source.position,
                )
                Note.objects.filter(pk=note.pk).update(
                    source_key=source.source_key, content_hash=wanted
                )
                summary.created += 1
                continue
            note = candidates.pop(0)
            matched.add(note.pk)
            if note.content_hash == wanted and not note.is_archived:
                continue
            if note.content_hash != wanted:
                note_update(
                    note=note, question=source.question, answer=source.answer, tags=tag_names
                )
                note_set_fields(note=note, kind=source.kind, position=source.position)
                summary.updated += 1
            if note.is_archived:
                note_set_fields(note=note, is_archived=False)
            Note.objects.filter(pk=note.pk).update(content_hash=wanted)
        for notes in mine.values():
            for note in notes:
                # Only notes that came from the origin (a recorded hash) leave with it.
                if note.pk not in matched and note.content_hash and not note.is_archived:
                    note_set_fields(note=note, is_archived=True)
                    summary.archived += 1
        copy.references.all().delete()
        Reference.objects.bulk_create(
            [
                Reference(deck=copy, position=r.position, title=r.title, url=r.url)
                for r in origin.references.all()
            ]
        )
        texts = {
            pk: f"{question}\n{answer}"
            for pk, question, answer in copy.notes.filter(is_archived=False).values_list(
                "pk", "question", "answer"
            )
        }
        _sync_links(copy, texts, list(copy.references.values_list("url", flat=True)))
    return summary
