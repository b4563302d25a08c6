"""Writes of tags: a user's tags by name, and a note's tags kept in sync."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from recall.core.exceptions import ApplicationError

from .. import tags as tag_rules
from ..models import Tag
from ..signals import notes_changed
from ._common import _BATCH, _chunks


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
