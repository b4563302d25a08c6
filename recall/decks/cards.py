"""Writes that keep each note's cards in step with it: one card per prompt the note generates.

Every service that writes a note (import, edit, copy, re-render) calls ``cards_sync`` for
it. A card is matched by (note, ordinal), so editing a note keeps its cards' ids and with
them their study state and review log; a prompt the note no longer generates (a deleted
cloze number, a reversed note made basic) archives its card rather than deleting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime

from django.utils import timezone

from .bulk import insert_rows
from .models import Card, Note
from .prompts import Prompt, note_prompts
from .rendering import render_many

_BATCH = 500
_SYNCED_FIELDS = [
    "deck",
    "position",
    "question",
    "answer",
    "question_html",
    "answer_html",
    "is_archived",
    "updated_at",
]


def _chunks(items: Sequence[int], size: int = _BATCH) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _known_html(note: Note, text: str) -> str | None:
    """The note's own rendering of a side, when the prompt shows that side unchanged."""
    if text == note.question:
        return note.question_html
    if text == note.answer:
        return note.answer_html
    return None


def cards_sync(
    notes: Sequence[Note],
    *,
    now: datetime | None = None,
    without_cards: AbstractSet[int] = frozenset(),
) -> list[int]:
    """Create, update or archive the cards of these (saved) notes; returns the card ids written.

    The notes' own HTML must be current: a prompt that shows a side of its note unchanged
    reuses it, and only cloze sides are rendered here (all at once, see ``render_many``).
    ``without_cards``: ids of notes the caller has just created, whose cards are not looked
    for (an import of 10,000 new notes would otherwise ask 20 times for nothing).
    """
    if not notes:
        return []
    now = now or timezone.now()
    existing: dict[tuple[int, int], Card] = {}
    for chunk in _chunks([n.pk for n in notes if n.pk not in without_cards]):
        for card in Card.objects.filter(note_id__in=chunk):
            existing[(card.note_id, card.ordinal)] = card
    planned: list[tuple[Note, Prompt]] = [
        (note, prompt)
        for note in notes
        for prompt in note_prompts(kind=note.kind, question=note.question, answer=note.answer)
    ]
    to_render = [
        text
        for note, prompt in planned
        for text in (prompt.front, prompt.back)
        if _known_html(note, text) is None
    ]
    rendered = iter(render_many(to_render))
    create: list[Card] = []
    update: list[Card] = []
    wanted: set[tuple[int, int]] = set()
    for note, prompt in planned:
        front_html = _known_html(note, prompt.front)
        back_html = _known_html(note, prompt.back)
        values = {
            "deck_id": note.deck_id,
            "position": note.position,
            "question": prompt.front,
            "answer": prompt.back,
            "question_html": next(rendered) if front_html is None else front_html,
            "answer_html": next(rendered) if back_html is None else back_html,
            "is_archived": note.is_archived,
        }
        key = (note.pk, prompt.ordinal)
        wanted.add(key)
        found = existing.get(key)
        if found is None:
            create.append(Card(note_id=note.pk, ordinal=prompt.ordinal, updated_at=now, **values))
        elif any(getattr(found, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            found.updated_at = now
            update.append(found)
    for key, card in existing.items():
        if key not in wanted and not card.is_archived:
            card.is_archived = True
            card.updated_at = now
            update.append(card)
    insert_rows(Card, create, now)
    Card.objects.bulk_update(update, _SYNCED_FIELDS, batch_size=_BATCH)
    return [c.pk for c in [*create, *update]]


def cards_archive(note_ids: Sequence[int], *, now: datetime | None = None) -> None:
    """Archive every card of these notes (the notes were archived)."""
    now = now or timezone.now()
    for chunk in _chunks(list(note_ids)):
        Card.objects.filter(note_id__in=chunk, is_archived=False).update(
            is_archived=True, updated_at=now
        )
