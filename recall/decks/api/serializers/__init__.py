"""Serializers of the decks API, one module per resource: they validate input and shape output;
services do the writes."""

from __future__ import annotations

from .cards import CardBulkResultSerializer, CardBulkSerializer, CardSerializer
from .decks import CopyUpdateSerializer, DeckCopySerializer, DeckSerializer
from .fields import TagNamesField
from .imports import (
    DeckImportSerializer,
    FilePreviewSerializer,
    ImportOptionsSerializer,
    ImportPreviewSerializer,
    SkippedLineSerializer,
)
from .notes import NoteCardSerializer, NoteSerializer, note_cards
from .tags import TagSerializer

__all__ = [
    "CardBulkResultSerializer",
    "CardBulkSerializer",
    "CardSerializer",
    "CopyUpdateSerializer",
    "DeckCopySerializer",
    "DeckImportSerializer",
    "DeckSerializer",
    "FilePreviewSerializer",
    "ImportOptionsSerializer",
    "ImportPreviewSerializer",
    "NoteCardSerializer",
    "NoteSerializer",
    "SkippedLineSerializer",
    "TagNamesField",
    "TagSerializer",
    "note_cards",
]
