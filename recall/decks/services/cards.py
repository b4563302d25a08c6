"""Writes on many cards at once (the card browser, the bulk API) and moving notes between decks.

Every function takes the acting user and touches only their own cards: ids of other
people's cards (or of cards that do not exist) are ignored, never an error, so a stale
page cannot reach another person's deck. Tags, moves and deletions act on the cards'
notes (a card is one prompt of a note; its siblings go with it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from recall.core.exceptions import ApplicationError, NotFoundError

from .. import extensions
from .. import tags as tag_rules
from ..cards import cards_sync
from ..models import Card, Deck, Note
from ..signals import notes_changed, notes_moved
from ._common import _BATCH, _chunks
from .notes import _sync_links, note_set_fields, note_update
from .tags import _tags_for

BULK_ACTIONS = (
    "suspend",
    "unsuspend",
    "bury",
    "unbury",
    "flag",
    "unflag",
    "tag",
    "untag",
    "move",
    "delete",
)
# Actions on the cards themselves (the others act on whole notes).
CARD_ACTIONS = {"suspend", "unsuspend", "bury", "unbury", "flag", "unflag"}
# One request's worth: a page of the browser is 50 cards, the API's largest page 200.
MAX_BULK_CARDS = 1000


@dataclass(frozen=True)
class BulkResult:
    action: str
    cards: int  # cards changed (suspend, unsuspend) or cards of the notes acted on
    notes: int

    @property
    def message(self) -> str:
        what = {
            "suspend": "suspended",
            "unsuspend": "unsuspended",
            "bury": "buried until your next study day",
            "unbury": "unburied",
            "flag": "flagged",
            "unflag": "unflagged",
            "tag": "tagged",
            "untag": "untagged",
            "move": "moved",
            "delete": "deleted",
        }[self.action]
        cards = f"{self.cards} card{'' if self.cards == 1 else 's'}"
        if self.action in CARD_ACTIONS:
            return f"{cards} {what}."
        notes = f"{self.notes} note{'' if self.notes == 1 else 's'}"
        return f"{notes} ({cards}) {what}."


def _own_notes(user: Any, card_ids: Sequence[int]) -> list[Note]:
    ids: set[int] = set()
    for chunk in _chunks(list(card_ids), _BATCH):
        ids.update(
            Card.objects.filter(pk__in=chunk, deck__owner=user).values_list("note_id", flat=True)
        )
    return list(
        Note.objects.filter(pk__in=ids).select_related("deck").order_by("deck_id", "position", "id")
    )


def _card_count(notes: Sequence[Note]) -> int:
    return Card.objects.filter(note__in=[n.pk for n in notes], is_archived=False).count()


def cards_set_suspended(*, user: Any, card_ids: Sequence[int], suspended: bool) -> int:
    """Suspend or unsuspend many of the user's own cards; returns how many cards changed."""
    changed = 0
    decks: set[int] = set()
    with transaction.atomic():
        for chunk in _chunks(list(card_ids), _BATCH):
            cards = Card.objects.filter(pk__in=chunk, deck__owner=user).exclude(suspended=suspended)
            decks.update(cards.values_list("deck_id", flat=True).distinct())
            changed += cards.update(suspended=suspended, updated_at=timezone.now())
        for deck_id in sorted(decks):
            # No note changed, but the decks' cached day queues must be read again: an
            # unsuspended card is eligible once more.
            notes_changed(deck_id=deck_id)
    return changed


def cards_set_flagged(*, user: Any, card_ids: Sequence[int], flagged: bool) -> int:
    """Flag or unflag many of the user's own cards; returns how many cards changed."""
    changed = 0
    with transaction.atomic():
        for chunk in _chunks(list(card_ids), _BATCH):
            cards = Card.objects.filter(pk__in=chunk, deck__owner=user).exclude(flagged=flagged)
            changed += cards.update(flagged=flagged, updated_at=timezone.now())
    return changed


def cards_set_buried(*, user: Any, card_ids: Sequence[int], buried: bool) -> int:
    """Bury many of the user's own cards until their next study day (the study app's rule,
    one card at a time as on the study screen), or unbury them; returns how many changed."""
    changed = 0
    with transaction.atomic():
        for chunk in _chunks(list(card_ids), _BATCH):
            for card in Card.objects.filter(pk__in=chunk, deck__owner=user).select_related("deck"):
                before = card.buried_until
                if extensions.card_bury(user, card, buried).buried_until != before:
                    changed += 1
    return changed


def _changed_by_deck(notes: Sequence[Note]) -> None:
    by_deck: dict[int, list[int]] = defaultdict(list)
    for note in notes:
        by_deck[note.deck_id].append(note.pk)
    for deck_id, note_ids in by_deck.items():
        notes_changed(deck_id=deck_id, note_ids=note_ids)


def cards_tag(*, user: Any, card_ids: Sequence[int], tags: Sequence[str]) -> BulkResult:
    """Add tags (the user's, created when missing) to the notes of these cards."""
    names = _clean_tags(tags)
    with transaction.atomic():
        notes = _own_notes(user, card_ids)
        tag_objs = _tags_for(user, names)
        through = Note.tags.through
        through.objects.bulk_create(
            [through(note_id=n.pk, tag_id=tag_objs[name].pk) for n in notes for name in names],
            batch_size=_BATCH,
            ignore_conflicts=True,
        )
        _changed_by_deck(notes)
    return BulkResult("tag", _card_count(notes), len(notes))


def cards_untag(*, user: Any, card_ids: Sequence[int], tags: Sequence[str]) -> BulkResult:
    """Take tags off the notes of these cards (the tags themselves stay)."""
    names = _clean_tags(tags)
    with transaction.atomic():
        notes = _own_notes(user, card_ids)
        through = Note.tags.through
        for chunk in _chunks([n.pk for n in notes], _BATCH):
            through.objects.filter(note_id__in=chunk, tag__owner=user, tag__name__in=names).delete()
        _changed_by_deck(notes)
    return BulkResult("untag", _card_count(notes), len(notes))


def _clean_tags(tags: Sequence[str]) -> list[str]:
    try:
        names = tag_rules.tag_names_clean(tags, strict=True)
    except tag_rules.TagNameTooLong as exc:
        raise ApplicationError(str(exc)) from exc
    if not names:
        raise ApplicationError("name at least one tag")
    return names


def _resync_links(deck: Deck) -> None:
    """The deck's links after notes came or went: from its live notes and references."""
    texts = {
        pk: f"{question}\n{answer}"
        for pk, question, answer in deck.notes.filter(is_archived=False).values_list(
            "pk", "question", "answer"
        )
    }
    _sync_links(deck, texts, list(deck.references.values_list("url", flat=True)))


def notes_move(*, user: Any, notes: Sequence[Note], deck: Deck) -> int:
    """Move notes (with their cards, study states and reviews) to the end of another of the
    user's decks; returns how many moved. Both decks must be the user's."""
    if deck.owner_id != user.pk:
        raise NotFoundError("No such deck.")
    moving = [n for n in notes if n.deck_id != deck.pk]
    if any(n.deck.owner_id != user.pk for n in moving):
        raise NotFoundError("No such note.")
    if not moving:
        return 0
    with transaction.atomic():
        sources = {n.deck_id: n.deck for n in moving}
        last = deck.notes.order_by("-position").values_list("position", flat=True).first()
        start = 0 if last is None else last + 1
        now = timezone.now()
        for offset, note in enumerate(moving):
            note.deck, note.position, note.updated_at = deck, start + offset, now
        Note.objects.bulk_update(moving, ["deck", "position", "updated_at"], batch_size=_BATCH)
        cards_sync(moving, now=now)
        ids = [n.pk for n in moving]
        # Listeners keep their copies of a card's deck (the study states) in step, now.
        notes_moved.send(sender=Note, note_ids=ids, deck_id=deck.pk)
        for source in sources.values():
            _resync_links(source)
        _resync_links(deck)
        notes_changed(deck_id=deck.pk, note_ids=ids)
        for source_id in sources:
            notes_changed(deck_id=source_id)
    return len(moving)


def cards_move(*, user: Any, card_ids: Sequence[int], deck_id: int) -> BulkResult:
    """Move the notes of these cards to another of the user's decks."""
    deck = Deck.objects.filter(pk=deck_id, owner=user).first()
    if deck is None:
        raise NotFoundError("You have no such deck to move cards to.")
    notes = _own_notes(user, card_ids)
    moved = notes_move(user=user, notes=notes, deck=deck)
    return BulkResult("move", _card_count(notes) if moved else 0, moved)


def cards_delete(*, user: Any, card_ids: Sequence[int]) -> BulkResult:
    """Delete the notes of these cards and their cards; the review log keeps the grades."""
    with transaction.atomic():
        notes = _own_notes(user, card_ids)
        cards = _card_count(notes)
        by_deck: dict[int, list[int]] = defaultdict(list)
        for note in notes:
            by_deck[note.deck_id].append(note.pk)
        for chunk in _chunks([n.pk for n in notes], _BATCH):
            Note.objects.filter(pk__in=chunk).delete()
        for deck_id, note_ids in by_deck.items():
            notes_changed(deck_id=deck_id, archived_ids=note_ids)
    return BulkResult("delete", cards, len(notes))


def cards_bulk(
    *,
    user: Any,
    card_ids: Sequence[int],
    action: str,
    tags: Sequence[str] = (),
    deck_id: int | None = None,
) -> BulkResult:
    """One bulk action on the user's cards: the web page and the API both call this."""
    ids = list(dict.fromkeys(card_ids))
    if not ids:
        raise ApplicationError("choose at least one card")
    if len(ids) > MAX_BULK_CARDS:
        raise ApplicationError(f"at most {MAX_BULK_CARDS} cards at once")
    if action in ("suspend", "unsuspend"):
        changed = cards_set_suspended(user=user, card_ids=ids, suspended=action == "suspend")
        return BulkResult(action, changed, 0)
    if action in ("flag", "unflag"):
        changed = cards_set_flagged(user=user, card_ids=ids, flagged=action == "flag")
        return BulkResult(action, changed, 0)
    if action in ("bury", "unbury"):
        changed = cards_set_buried(user=user, card_ids=ids, buried=action == "bury")
        return BulkResult(action, changed, 0)
    if action == "tag":
        return cards_tag(user=user, card_ids=ids, tags=tags)
    if action == "untag":
        return cards_untag(user=user, card_ids=ids, tags=tags)
    if action == "move":
        if deck_id is None:
            raise ApplicationError("choose a deck to move the cards to")
        return cards_move(user=user, card_ids=ids, deck_id=deck_id)
    if action == "delete":
        return cards_delete(user=user, card_ids=ids)
    raise ApplicationError(f"unknown action {action!r}; use one of {', '.join(BULK_ACTIONS)}")


def note_edit(
    *,
    user: Any,
    note: Note,
    question: str,
    answer: str,
    tags: Sequence[str],
    kind: str | None = None,
    deck: Deck | None = None,
) -> Note:
    """The note editor's save: text and tags, kind, and a move to another of the user's
    decks, all or nothing. Its cards keep their ids, so their schedules and reviews stay."""
    if note.deck.owner_id != user.pk:
        raise NotFoundError("No such note.")
    with transaction.atomic():
        note_update(note=note, question=question, answer=answer, tags=tags)
        if kind is not None:
            note_set_fields(note=note, kind=kind)
        if deck is not None and deck.pk != note.deck_id:
            notes_move(user=user, notes=[note], deck=deck)
    return note
