"""Viewsets of the decks API, one module per resource: decks, notes, their cards, tags and
import jobs.

Reads go through querysets built from the selectors' visibility rule; writes go through
recall.decks.services, the same functions the web pages call.
"""

from __future__ import annotations

from .cards import CardViewSet
from .decks import DeckViewSet
from .notes import NoteViewSet
from .tags import TagViewSet

__all__ = ["CardViewSet", "DeckViewSet", "NoteViewSet", "TagViewSet"]
