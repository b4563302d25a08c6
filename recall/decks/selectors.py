"""Reads of decks and notes: who may see what, and querysets with their joins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Card, Deck, Note, Tag, Visibility


@dataclass(frozen=True)
class ListedDecks:
    """A rule of which decks a user sees, as data an index or a raw SQL statement can hold:
    the decks of ``owner_id`` (any visibility), and anyone's decks whose visibility is in
    ``visibilities``."""

    owner_id: int | None
    visibilities: tuple[str, ...]


def decks_readable_for(user: Any) -> ListedDecks:
    """THE read rule, "who may read a deck": the owner, and anyone for public or unlisted
    decks (unlisted ones by link).

    Every read derives from this one function: ``deck_readable_q`` (ORM querysets of the
    API, the pages and the study queue and grade), ``deck_is_readable`` (a deck in hand)
    and ``decks_listed_for`` (lists and search), so changing it here changes them all
    (tests/search/test_read_rule.py).
    """
    owner_id = user.pk if user is not None and user.is_authenticated else None
    return ListedDecks(
        owner_id=owner_id, visibilities=(Visibility.PUBLIC.value, Visibility.UNLISTED.value)
    )


def decks_listed_for(user: Any) -> ListedDecks:
    """The rule of which decks appear in a user's lists and search results: the readable
    ones (``decks_readable_for``) except unlisted decks, which are readable by link only and
    so found by nobody but their owner.

    Every list, search backend (SQLite, PostgreSQL, Elasticsearch) and spelling vocabulary
    derives its filter from this one function.
    """
    readable = decks_readable_for(user)
    return ListedDecks(
        owner_id=readable.owner_id,
        visibilities=tuple(v for v in readable.visibilities if v != Visibility.UNLISTED.value),
    )


def _rule_q(rule: ListedDecks, prefix: str) -> Q:
    allowed = Q(**{f"{prefix}visibility__in": list(rule.visibilities)})
    if rule.owner_id is not None:
        allowed |= Q(**{f"{prefix}owner_id": rule.owner_id})
    return allowed


def deck_readable_q(user: Any, *, prefix: str = "") -> Q:
    """``decks_readable_for`` as a filter on decks (or on a relation to them, with ``prefix``)."""
    return _rule_q(decks_readable_for(user), prefix)


def deck_listed_q(user: Any, *, prefix: str = "") -> Q:
    """``decks_listed_for`` as a filter on decks (or on a relation to them, with ``prefix``)."""
    return _rule_q(decks_listed_for(user), prefix)


def deck_is_readable(user: Any, deck: Deck) -> bool:
    """``decks_readable_for`` for one deck already loaded."""
    rule = decks_readable_for(user)
    if rule.owner_id is not None and deck.owner_id == rule.owner_id:
        return True
    return deck.visibility in rule.visibilities


def deck_list_for(user: Any) -> QuerySet[Deck]:
    """Decks in a user's own list (others' public decks are in the gallery)."""
    if user is not None and user.is_authenticated:
        return Deck.objects.filter(owner=user).select_related("owner")
    return Deck.objects.none()


def deck_readable(user: Any) -> QuerySet[Deck]:
    return Deck.objects.filter(deck_readable_q(user)).select_related("owner")


def public_decks() -> QuerySet[Deck]:
    """The decks listed to everyone (the gallery): ``decks_listed_for`` an anonymous user."""
    return Deck.objects.filter(deck_listed_q(None)).select_related("owner")


def note_readable(user: Any) -> QuerySet[Note]:
    """Notes of decks the user may read, with their deck, tags and cards."""
    return (
        Note.objects.filter(deck_readable_q(user, prefix="deck__"))
        .select_related("deck", "deck__owner")
        .prefetch_related("tags", "cards")
    )


def decks_owned_by(user: Any) -> QuerySet[Deck]:
    """The user's own decks (the ones they may edit, delete or import into)."""
    return Deck.objects.filter(owner_id=user.pk)


def deck_copies_by_origin(user: Any, origin_ids: Sequence[int]) -> dict[int, int]:
    """origin deck id -> the id of the user's copy of it (for the decks shown)."""
    rows = (
        Deck.objects.filter(owner_id=user.pk, copied_from__in=list(origin_ids))
        .order_by("-pk")
        .values_list("copied_from", "pk")
    )
    return {origin: pk for origin, pk in rows if origin is not None}


def deck_origin(user: Any, deck: Deck) -> Deck | None:
    """The deck ``deck`` was copied from, when it still exists and the user may read it."""
    if deck.copied_from_id is None:
        return None
    origin = Deck.objects.select_related("owner").filter(pk=deck.copied_from_id).first()
    return origin if origin and deck_is_readable(user, origin) else None


def deck_fresh(deck_id: int) -> Deck:
    """The deck as stored now (a form may have filled an instance in while validating)."""
    return Deck.objects.get(pk=deck_id)


def deck_live_notes(deck: Deck) -> QuerySet[Note]:
    """The deck's notes that are not archived, with their tags, for its page."""
    return deck.notes.filter(is_archived=False).prefetch_related("tags")


def deck_tag_counts(deck: Deck) -> QuerySet[Tag]:
    """The tags used by the deck's live notes, each with its count ``n`` of notes."""
    return (
        Tag.objects.filter(owner_id=deck.owner_id, notes__deck=deck, notes__is_archived=False)
        .annotate(n=Count("notes"))
        .order_by("name")
    )


def notes_owned_by(user: Any) -> QuerySet[Note]:
    """The notes in the user's own decks, with their deck and tags (the editor's reads)."""
    return (
        Note.objects.filter(deck__owner_id=user.pk).select_related("deck").prefetch_related("tags")
    )


def note_fresh(note_id: int) -> Note:
    """The note as stored now, with its deck and owner (a form may have filled it in)."""
    return Note.objects.select_related("deck__owner").get(pk=note_id)


def cards_notes_count(*, user: Any, card_ids: Sequence[int]) -> tuple[int, int]:
    """How many notes of the user's own, and cards of those notes, a bulk action on these
    card ids would act on (the delete confirmation shows it)."""
    note_ids = set(
        Card.objects.filter(pk__in=list(card_ids)[:1000], deck__owner=user).values_list(
            "note_id", flat=True
        )
    )
    cards = Card.objects.filter(note_id__in=note_ids, is_archived=False).count()
    return len(note_ids), cards


def skipped_lines_by_file(result: Any) -> list[dict[str, Any]]:
    """An import result's skipped lines grouped by file: [{"name", "lines": [{line, text,
    reason}]}]; [] when the result lists none (or predates the list).

    Accepts ``{"skipped": {file: [line, ...]}}``, ``{"skipped": [{"file", "line", ...}]}``
    and ``{"skipped": [{"file", "skipped": [line, ...]}]}``.
    """
    skipped = (result or {}).get("skipped") if isinstance(result, dict) else None
    groups: dict[str, list[dict[str, Any]]] = {}
    if isinstance(skipped, dict):
        for name, lines in skipped.items():
            groups.setdefault(str(name), []).extend(_lines(lines))
    elif isinstance(skipped, list):
        for item in skipped:
            if not isinstance(item, dict):
                continue
            name = str(item.get("file") or item.get("name") or item.get("source") or "")
            if isinstance(item.get("skipped"), list):
                groups.setdefault(name, []).extend(_lines(item["skipped"]))
            else:
                groups.setdefault(name, []).extend(_lines([item]))
    return [{"name": name, "lines": lines} for name, lines in groups.items() if lines]


def skipped_line_warnings(result: Any) -> list[str]:
    """The skipped lines of an import result as one warning each ("file:12: skipped …")."""
    return [
        f"{group['name'] or 'line'}:{line['line']}: skipped “{line['text']}”: {line['reason']}"
        for group in skipped_lines_by_file(result)
        for line in group["lines"]
    ]


def _lines(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        return []
    return [
        {"line": i.get("line"), "text": i.get("text", ""), "reason": i.get("reason", "")}
        for i in items
        if isinstance(i, dict)
    ]


def note_cards_count(note: Note) -> int:
    """How many cards the note makes (the message after adding it)."""
    return note.cards.count()


def decks_owned_among(user: Any, deck_ids: Sequence[int]) -> QuerySet[Deck]:
    """Those of these decks the user owns (a finished job's decks, linked from its page)."""
    return decks_owned_by(user).filter(pk__in=list(deck_ids))


def own_deck_choices(user: Any) -> list[tuple[int, str]]:
    """(id, title) of the user's own decks, by title: a filter's deck choices."""
    return list(decks_owned_by(user).order_by("title", "id").values_list("pk", "title"))


def own_card(user: Any, card_id: int) -> Card | None:
    """The card with its deck when it is in one of the user's own decks, else None."""
    return Card.objects.select_related("deck").filter(pk=card_id, deck__owner_id=user.pk).first()


def deck_title(deck_id: int) -> str | None:
    return Deck.objects.filter(pk=deck_id).values_list("title", flat=True).first()


def card_with_note(card_id: int) -> Card | None:
    """The card with its deck and note, or None when it is gone."""
    return Card.objects.select_related("deck", "note").filter(pk=card_id).first()


def _with_card_counts(decks: QuerySet[Deck]) -> QuerySet[Deck]:
    return decks.annotate(card_count=Count("cards", filter=Q(cards__is_archived=False)))


def deck_list_page(user: Any) -> QuerySet[Deck]:
    """The user's deck list with each deck's live card count and its origin, by title."""
    decks = deck_list_for(user).select_related("copied_from__owner")
    # Aggregating drops Meta.ordering; pagination needs a stable order.
    return _with_card_counts(decks).order_by("title", "pk")


def gallery_decks() -> QuerySet[Deck]:
    """Public decks with their owner and live card count, the latest changed first."""
    decks = _with_card_counts(public_decks()).select_related("owner")
    return decks.order_by("-updated_at", "title")


def decks_to_copy(user: Any) -> QuerySet[Deck]:
    """The decks the user may copy: readable and someone else's."""
    return deck_readable(user).exclude(owner_id=user.pk)


def own_copies(user: Any) -> QuerySet[Deck]:
    """The user's own decks with the deck each was copied from (updating a copy)."""
    return decks_owned_by(user).select_related("copied_from")
