"""Importing .apkg files through notes_import: all or nothing, media stored, clear refusals."""

from __future__ import annotations

from pathlib import Path

import genanki
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage

from recall.decks.exporters.apkg import export_apkg
from recall.decks.exporters.csv import export_csv
from recall.decks.importers.apkg import parse_apkg
from recall.decks.models import Deck, Note, Tag
from recall.decks.services import ImportRejected, notes_import
from tests.factories import DeckFactory, NoteFactory, UserFactory

from .apkg_builders import basic_type, genanki_package, sqlite_bytes, zip_bytes

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def _stored_media() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "anki"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _nothing_imported() -> bool:
    return not Deck.objects.exists() and not Note.objects.exists() and not Tag.objects.exists()


def _package(tmp_path, **media: bytes) -> bytes:
    notes = [
        genanki.Note(model=basic_type(), fields=['Small <img src="small.png">', "a"], tags=["t"]),
        genanki.Note(model=basic_type(), fields=['Huge <img src="huge.png">', "b"], tags=["t"]),
    ]
    return genanki_package(tmp_path, {"Deck": notes}, media=media)


def _bad_files(tmp_path) -> dict[str, bytes]:
    return {
        "not-a-zip": b"PK? no, just text pretending to be a package",
        "zip-without-collection": zip_bytes({"notes.txt": b"hello", "media": b"{}"}),
        "corrupt-sqlite": zip_bytes(
            {"collection.anki21": b"SQLite format 3\x00" + bytes(range(256)) * 8}
        ),
        "not-a-collection": zip_bytes(
            {"collection.anki2": sqlite_bytes(tmp_path, "CREATE TABLE x (y);")}
        ),
    }


@pytest.mark.parametrize(
    "case", ["not-a-zip", "zip-without-collection", "corrupt-sqlite", "not-a-collection"]
)
def test_bad_packages_are_refused_with_the_file_name_and_nothing_imported(tmp_path, case):
    owner = UserFactory()
    with pytest.raises(ImportRejected) as error:
        notes_import(owner=owner, filename=f"{case}.apkg", data=_bad_files(tmp_path)[case])
    assert f"{case}.apkg" in error.value.message
    assert _nothing_imported()
    assert _stored_media() == []


def test_a_huge_media_file_refuses_the_whole_package(tmp_path, settings):
    settings.RECALL_MAX_MEDIA_FILE_BYTES = 1024
    owner = UserFactory()
    data = _package(tmp_path, **{"small.png": PNG, "huge.png": PNG * 20})
    with pytest.raises(ImportRejected) as error:
        notes_import(owner=owner, filename="media.apkg", data=data)
    assert "media.apkg" in error.value.message
    assert "huge.png" in error.value.message
    assert "RECALL_MAX_MEDIA_FILE_BYTES" in error.value.message
    # The small file read before it is not left behind either.
    assert _stored_media() == []
    assert _nothing_imported()


def test_media_is_stored_once_and_missing_media_is_reported(tmp_path):
    owner = UserFactory()
    data = _package(tmp_path, **{"small.png": PNG})
    summary = notes_import(owner=owner, filename="media.apkg", data=data)
    assert summary.created == 2
    assert any("huge.png" in w and "missing" in w for w in summary.warnings)
    [stored] = _stored_media()
    assert stored.read_bytes() == PNG
    card = Note.objects.get(question__startswith="Small")
    relative = stored.relative_to(django_settings.MEDIA_ROOT).as_posix()
    assert card.question == f"Small ![]({default_storage.url(relative)})"

    again = notes_import(owner=owner, filename="media.apkg", data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _stored_media() == [stored]


def test_a_failed_write_removes_the_media_it_stored(tmp_path):
    owner = UserFactory()
    data = _package(tmp_path, **{"small.png": PNG})
    with pytest.raises(ImportRejected, match="no deck 'missing'"):
        notes_import(owner=owner, filename="media.apkg", data=data, deck_slug="missing")
    assert _stored_media() == []
    assert _nothing_imported()


def test_a_package_with_several_decks_cannot_target_one_deck(tmp_path):
    owner = UserFactory()
    DeckFactory(owner=owner, slug="target")
    note = genanki.Note(model=basic_type(), fields=["q", "a"])
    other = genanki.Note(model=basic_type(), fields=["q2", "a2"])
    data = genanki_package(tmp_path, {"One": [note], "Two": [other]})
    with pytest.raises(ImportRejected, match="2 Anki decks"):
        notes_import(owner=owner, filename="two.apkg", data=data, deck_slug="target")
    assert not Note.objects.exists()


def test_nested_decks_import_as_separate_flat_decks(tmp_path):
    owner = UserFactory()
    data = genanki_package(
        tmp_path,
        {
            "Python": [genanki.Note(model=basic_type(), fields=["What is a list?", "A sequence"])],
            "Python::Django": [
                genanki.Note(model=basic_type(), fields=["What is a view?", "A callable"])
            ],
        },
    )
    summary = notes_import(owner=owner, filename="py.apkg", data=data)
    decks = Deck.objects.filter(pk__in=summary.deck_ids).order_by("title")
    assert [(d.title, d.source_name, d.notes.count()) for d in decks] == [
        ("Python", "py.apkg::Python", 1),
        (
            "Python \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Django",
            "py.apkg::Python::Django",
            1,
        ),
    ]


def test_our_own_export_imports_back_to_the_same_cards(tmp_path):
    deck = Deck.objects.get(pk=DeckFactory(title="Round trip").pk)
    owner = deck.owner
    NoteFactory(deck=deck, question="What is `yield`?", answer="A **generator** keyword.")
    NoteFactory(deck=deck, kind="reversed", question="chat", answer="cat")
    NoteFactory(deck=deck, kind="cloze", question="{{c1::Celery}} runs tasks", answer="")
    card = deck.notes.get(question="chat")
    card.tags.add(Tag.objects.create(owner=owner, name="french"))

    summary = notes_import(owner=owner, filename="round.apkg", data=export_apkg(deck))
    [copy] = Deck.objects.filter(pk__in=summary.deck_ids)
    assert copy.title == "Round trip"
    got = [
        (c.kind, c.question, c.answer, [t.name for t in c.tags.all()])
        for c in copy.notes.prefetch_related("tags").order_by("position")
    ]
    assert got == [
        ("basic", "What is `yield`?", "A **generator** keyword.", []),
        ("reversed", "chat", "cat", ["french"]),
        ("cloze", "{{c1::Celery}} runs tasks", "", []),
    ]


def test_media_imported_from_anki_goes_back_into_an_export(tmp_path):
    owner = UserFactory()
    summary = notes_import(
        owner=owner, filename="media.apkg", data=_package(tmp_path, **{"small.png": PNG})
    )
    deck = Deck.objects.get(pk=summary.deck_ids[0])
    exported = parse_apkg("again.apkg", export_apkg(deck))
    assert [(m.name, m.data) for m in exported.media] == [("small.png", PNG)]
    small = next(c for c in exported.decks[0].cards if c.question.startswith("Small"))
    assert small.question.endswith("/small.png)")


@pytest.mark.parametrize("count", [3, 30])
def test_exports_take_the_same_queries_whatever_the_deck_size(count, django_assert_num_queries):
    deck = Deck.objects.get(pk=DeckFactory().pk)
    tag = Tag.objects.create(owner=deck.owner, name="t")
    for _ in range(count):
        NoteFactory(deck=deck).tags.add(tag)
    # The cards, then their tags in one prefetch.
    with django_assert_num_queries(2):
        export_apkg(deck)
    with django_assert_num_queries(2):
        export_csv(deck)
