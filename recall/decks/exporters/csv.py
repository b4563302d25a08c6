"""A deck as CSV or TSV: a header row, then question, answer, tags and kind per live note.

Questions and answers are the Markdown sources, so importing the file again gives the same
cards (the ``kind`` column keeps reversed and cloze cards what they are); fields with
separators, quotes or line breaks are quoted (RFC 4180), never mangled. A cell a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@``...) starts with a single quote
(``recall.decks.csv_cells``), which the importer takes off again. Tags are separated by
spaces (Recall tag names hold none). UTF-8 without a byte order mark.
"""

from __future__ import annotations

import csv
import io

from recall.decks.csv_cells import formula_safe
from recall.decks.models import Deck

HEADER = ("question", "answer", "tags", "kind")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
TSV_CONTENT_TYPE = "text/tab-separated-values; charset=utf-8"


def _rows(deck: Deck) -> list[tuple[str, str, str, str]]:
    cards = deck.notes.filter(is_archived=False).prefetch_related("tags").order_by("position", "id")
    return [
        (
            formula_safe(card.question),
            formula_safe(card.answer),
            formula_safe(" ".join(sorted(t.name for t in card.tags.all()))),
            card.kind,
        )
        for card in cards
    ]


def _export(deck: Deck, delimiter: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow(HEADER)
    writer.writerows(_rows(deck))
    return buffer.getvalue().encode("utf-8")


def export_csv(deck: Deck) -> bytes:
    return _export(deck, ",")


def export_tsv(deck: Deck) -> bytes:
    # Quoting as in CSV: a tab or line break inside a field cannot break the columns.
    return _export(deck, "\t")
