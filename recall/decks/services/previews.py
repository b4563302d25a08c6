"""Import previews (dry runs): what an upload would give, per file, without writing anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from ..importers.base import ParsedDeck
from ..models import Deck
from ..uploads import PACKAGE_EXTENSIONS, extension_of
from .import_steps import existing_deck, new_deck_title
from .imports import _read_within_limit, anki_package, check_import_sizes, parse_upload


@dataclass
class FilePreview:
    """One notes file (one deck) of an upload, as the import would read it."""

    name: str
    deck_title: str
    deck_id: int | None  # the deck a re-import updates; None: a new deck
    cards: int
    by_syntax: dict[str, int]  # card syntax ("inline", "cloze", ...) -> cards written in it
    skipped: list[dict[str, Any]]  # {"line", "text", "reason"}: looked like a card, not taken
    options: dict[str, Any]  # the import options it was read with (non-defaults only)


@dataclass
class ImportPreview:
    filename: str
    files: list[FilePreview] = field(default_factory=list)

    @property
    def cards(self) -> int:
        return sum(f.cards for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(len(f.skipped) for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "cards": self.cards,
            "skipped": self.skipped,
            "files": [asdict(f) for f in self.files],
        }


def notes_preview(
    *,
    owner: Any,
    filename: str,
    data: bytes | IO[bytes],
    deck_slug: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> ImportPreview:
    """Read an upload exactly as ``notes_import`` would, and say what it would import.

    Refuses what the import would refuse, with the same message; writes nothing.
    """
    if extension_of(filename) in PACKAGE_EXTENSIONS:
        decks = _anki_decks(filename, data, deck_slug)
        used: list[dict[str, Any]] = [{} for _ in decks]
    else:
        if not isinstance(data, bytes):
            data = _read_within_limit(filename, data)
        decks, read_with = parse_upload(
            owner=owner, filename=filename, data=data, deck_slug=deck_slug, options=options
        )
        used = [o.to_dict() for o in read_with]
    check_import_sizes(decks)
    preview = ImportPreview(filename=filename)
    for parsed, opts in zip(decks, used, strict=True):
        deck = _target(owner, parsed, deck_slug)
        preview.files.append(
            FilePreview(
                name=parsed.source_name,
                deck_title=deck.title if deck is not None else new_deck_title(parsed),
                deck_id=deck.pk if deck is not None else None,
                cards=len(parsed.cards),
                by_syntax=dict(Counter(syntax_of(card, parsed) for card in parsed.cards)),
                skipped=[
                    {"line": s.line, "text": s.text, "reason": s.reason} for s in parsed.skipped
                ],
                options=opts,
            )
        )
    return preview


def syntax_of(card: Any, parsed: ParsedDeck) -> str:
    """The card's syntax; a reader that does not tell it is named by the file's layout."""
    return str(card.syntax or parsed.layout or "card")


def _target(owner: Any, parsed: ParsedDeck, deck_slug: str | None) -> Deck | None:
    return existing_deck(owner=owner, name=parsed.source_name, deck_slug=deck_slug)


def _anki_decks(filename: str, data: bytes | IO[bytes], deck_slug: str | None) -> list[ParsedDeck]:
    return list(anki_package(filename, data, deck_slug).decks)
