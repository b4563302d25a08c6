"""CSV/TSV export, the round trip back through notes_import, and encodings of imported CSVs."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.management import call_command

from recall.decks.exporters import EXPORTERS
from recall.decks.exporters.csv import export_csv, export_tsv
from recall.decks.models import Deck, Tag
from recall.decks.services import ImportRejected, deck_export, notes_import
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

AWKWARD_ANSWER = 'Use "quotes", commas; tabs\there\nand\r\nseveral lines:\n\n```python\nx = 1\n```'


def _deck_with_awkward_cards() -> Deck:
    deck = Deck.objects.get(pk=DeckFactory(title="Awkward").pk)
    owner = deck.owner
    first = NoteFactory(deck=deck, question='What, exactly, is a "view"?', answer=AWKWARD_ANSWER)
    first.tags.add(Tag.objects.create(owner=owner, name="django"))
    first.tags.add(Tag.objects.create(owner=owner, name="views"))
    NoteFactory(deck=deck, kind="reversed", question="chat", answer="cat")
    NoteFactory(deck=deck, kind="cloze", question="{{c1::Redis}} is a cache", answer="")
    NoteFactory(deck=deck, question="Archived?", answer="gone", is_archived=True)
    return deck


def _cards(deck: Deck) -> list[tuple[str, str, str, list[str]]]:
    return [
        (c.kind, c.question, c.answer, sorted(t.name for t in c.tags.all()))
        for c in deck.notes.filter(is_archived=False).prefetch_related("tags").order_by("position")
    ]


@pytest.mark.parametrize(("export", "delimiter"), [(export_csv, ","), (export_tsv, "\t")])
def test_export_has_a_header_and_quotes_every_awkward_field(export, delimiter):
    deck = _deck_with_awkward_cards()
    data = export(deck)
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter))
    assert rows == [
        ["question", "answer", "tags", "kind"],
        ['What, exactly, is a "view"?', AWKWARD_ANSWER, "django views", "basic"],
        ["chat", "cat", "", "reversed"],
        ["{{c1::Redis}} is a cache", "", "", "cloze"],
    ]


@pytest.mark.parametrize(("fmt", "extension"), [("csv", ".csv"), ("tsv", ".tsv")])
def test_export_then_import_gives_the_same_cards(fmt, extension):
    deck = _deck_with_awkward_cards()
    exported = deck_export(deck=deck, fmt=fmt)
    assert exported.filename.endswith(extension)
    other = UserFactory()
    summary = notes_import(owner=other, filename=exported.filename, data=exported.content)
    [copy] = Deck.objects.filter(pk__in=summary.deck_ids)
    # The importer trims cells and normalises line endings to \n, as for every notes file.
    expected = [(k, q, a.replace("\r\n", "\n").strip(), t) for k, q, a, t in _cards(deck)]
    assert _cards(copy) == expected


def test_registry_lists_csv_tsv_and_apkg_with_extension_and_content_type():
    assert EXPORTERS["csv"].extension == ".csv"
    assert EXPORTERS["csv"].content_type.startswith("text/csv")
    assert EXPORTERS["tsv"].extension == ".tsv"
    assert EXPORTERS["tsv"].content_type.startswith("text/tab-separated-values")
    assert EXPORTERS["apkg"].extension == ".apkg"
    assert EXPORTERS["apkg"].content_type == "application/octet-stream"


@pytest.mark.parametrize("fmt", ["csv", "apkg"])
def test_export_deck_command_writes_the_registered_format(tmp_path, fmt):
    deck = _deck_with_awkward_cards()
    out = tmp_path / f"out.{fmt}"
    call_command(
        "export_deck", deck.slug, "-o", str(out), "--format", fmt, "--owner", deck.owner.username
    )
    data = out.read_bytes()
    if fmt == "csv":
        assert data == export_csv(deck)
    else:
        assert data.startswith(b"PK")  # a zip, as every .apkg
    summary = notes_import(owner=UserFactory(), filename=out.name, data=data)
    assert summary.created == 3


CP1252_CSV = (
    "question,answer,tags\nQu'est-ce qu'un café ?,Une boisson très chaude — noire,boisson\n"
)


def test_a_cp1252_csv_imports_with_its_accents():
    owner = UserFactory()
    summary = notes_import(owner=owner, filename="cafe.csv", data=CP1252_CSV.encode("cp1252"))
    [card] = Deck.objects.get(pk=summary.deck_ids[0]).notes.all()
    assert card.question == "Qu'est-ce qu'un café ?"
    assert card.answer == "Une boisson très chaude — noire"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_csv_imports(encoding):
    owner = UserFactory()
    text = "question\tanswer\n日本語とは?\tA language, «ja»\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Excel's "Unicode text" always carries the mark
    summary = notes_import(owner=owner, filename="ja.tsv", data=data)
    [card] = Deck.objects.get(pk=summary.deck_ids[0]).notes.all()
    assert (card.question, card.answer) == ("日本語とは?", "A language, «ja»")


def test_random_bytes_get_a_clear_error_naming_the_file():
    owner = UserFactory()
    noise = random.Random(7).randbytes(4096)
    with pytest.raises(ImportRejected) as error:
        notes_import(owner=owner, filename="noise.csv", data=noise)
    message = error.value.message
    assert message.startswith("noise.csv")
    assert "binary" in message or "encoding" in message
    assert not Deck.objects.exists()


def test_undecidable_encoding_gets_a_clear_error():
    owner = UserFactory()
    # High bytes with no NUL that read as nonsense in every legacy code page.
    data = bytes(random.Random(3).choice(range(0x80, 0x100)) for _ in range(3000))
    with pytest.raises(ImportRejected) as error:
        notes_import(owner=owner, filename="mystery.csv", data=data)
    assert "mystery.csv" in error.value.message
    assert not Deck.objects.exists()
