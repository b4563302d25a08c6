"""Deck exporters, one module per format, found through the ``EXPORTERS`` registry.

An exporter turns a deck into the bytes of one downloadable file. To add a format, write a
module here with a function ``(deck) -> bytes | str`` and register it below with its file
extension and content type; the web page, the API and ``manage.py export_deck --format``
all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .apkg import APKG_CONTENT_TYPE, export_apkg
from .csv import CSV_CONTENT_TYPE, TSV_CONTENT_TYPE, export_csv, export_tsv
from .markdown import export_markdown

if TYPE_CHECKING:
    from recall.decks.models import Deck


@dataclass(frozen=True)
class Exporter:
    name: str  # the --format value and the URL part
    label: str  # shown on the download button
    extension: str  # with its dot
    content_type: str
    export: Callable[[Deck], bytes | str]


@dataclass(frozen=True)
class ExportedFile:
    filename: str
    content_type: str
    content: bytes


EXPORTERS: dict[str, Exporter] = {
    "md": Exporter(
        name="md",
        label="Markdown",
        extension=".md",
        content_type="text/markdown; charset=utf-8",
        export=export_markdown,
    ),
    "csv": Exporter(
        name="csv",
        label="CSV",
        extension=".csv",
        content_type=CSV_CONTENT_TYPE,
        export=export_csv,
    ),
    "tsv": Exporter(
        name="tsv",
        label="TSV",
        extension=".tsv",
        content_type=TSV_CONTENT_TYPE,
        export=export_tsv,
    ),
    "apkg": Exporter(
        name="apkg",
        label="Anki package",
        extension=".apkg",
        content_type=APKG_CONTENT_TYPE,
        export=export_apkg,
    ),
}


def register(exporter: Exporter) -> None:
    EXPORTERS[exporter.name] = exporter
