"""Exporting a deck to a file (Markdown, CSV, Anki package)."""

from __future__ import annotations

from recall.core.exceptions import ApplicationError

from ..exporters import EXPORTERS, ExportedFile
from ..exporters.markdown import export_markdown
from ..models import Deck


def deck_export_markdown(*, deck: Deck) -> str:
    return export_markdown(deck)


def deck_export(*, deck: Deck, fmt: str) -> ExportedFile:
    """A deck as a file in one of the registered formats (see recall.decks.exporters)."""

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ApplicationError(
            f"unknown export format '{fmt}'; use one of {', '.join(sorted(EXPORTERS))}"
        )
    content = exporter.export(deck)
    if isinstance(content, str):
        content = content.encode()
    return ExportedFile(
        filename=f"{deck.slug or 'deck'}{exporter.extension}",
        content_type=exporter.content_type,
        content=content,
    )
