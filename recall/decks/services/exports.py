"""Exporting a deck to a file (Markdown, CSV, Anki package)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

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


def deck_export_response(*, deck: Deck, fmt: str) -> HttpResponse:
    """The export as a download (used by the web page and the API)."""
    exported = deck_export(deck=deck, fmt=fmt)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=exported.filename) or ""
    )
    return response
