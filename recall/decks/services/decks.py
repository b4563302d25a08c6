"""Writes of decks: create, update, delete, copy, and archiving the notes of a removed file."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from recall.core.exceptions import ApplicationError

from .. import tags as tag_rules
from ..cards import cards_archive, cards_sync
from ..models import Deck, Note, Reference, Visibility
from ..selectors import deck_is_readable
from ..signals import notes_changed
from ._common import _BATCH, _chunks
from .notes import _sync_links
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
                context=c.context,
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
