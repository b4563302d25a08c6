"""Our .apkg files checked with the official anki package, and Anki's own packages imported.

These need the ``anki`` package (AGPL-3.0, a test-only extra): they skip without it outside
CI and fail without it in CI.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from recall.decks.exporters.apkg import anki_deck_name, anki_tag, export_apkg, note_guid
from recall.decks.models import Deck, Note, Tag
from recall.decks.services import note_update, notes_import
from tests.factories import DeckFactory, UserFactory
from tests.notes_fixture import NOTES_QUESTIONS

from .anki_support import anki_collection, import_package

pytestmark = [pytest.mark.anki, pytest.mark.django_db]

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def _flagship_deck(flagship_path) -> Deck:
    user = UserFactory()
    summary = notes_import(owner=user, filename=flagship_path.name, data=flagship_path.read_bytes())
    [deck_id] = summary.deck_ids
    deck = Deck.objects.get(pk=deck_id)
    cards = list(deck.notes.order_by("position"))
    # Tags, one with a space (Anki tags cannot hold one), so the check below has work to do.
    note_update(note=cards[0], tags=["python", "oop"])
    spaced = Tag.objects.create(owner=deck.owner, name="interview prep")
    cards[1].tags.add(spaced)
    return deck


def _live_cards(deck: Deck) -> list[Note]:
    return list(
        deck.notes.filter(is_archived=False).prefetch_related("tags").order_by("position", "id")
    )


def test_flagship_export_opens_in_anki_with_every_note_field_and_tag(tmp_path, flagship_path):
    deck = _flagship_deck(flagship_path)
    cards = _live_cards(deck)
    assert len(cards) == len(NOTES_QUESTIONS)
    package = tmp_path / "flagship.apkg"
    package.write_bytes(export_apkg(deck))

    with anki_collection(tmp_path / "anki") as col:
        result = import_package(col, package)
        assert len(result.log.new) == len(NOTES_QUESTIONS)
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert len(notes) == len(NOTES_QUESTIONS)
        for card in cards:
            note = notes[note_guid(deck, card)]
            assert note.fields == [card.question_html, card.answer_html]
            assert sorted(note.tags) == sorted(anki_tag(t.name) for t in card.tags.all())
            note_type = note.note_type()
            assert note_type["name"] == "Recall Basic"
            assert ".highlight" in note_type["css"]
            [anki_card] = note.cards()
            assert col.decks.name(anki_card.did) == anki_deck_name(deck)
        tagged = notes[note_guid(deck, cards[1])]
        assert tagged.tags == ["interview_prep"]


def test_reexport_after_an_edit_updates_the_anki_notes_in_place(tmp_path, flagship_path):
    deck = _flagship_deck(flagship_path)
    package = tmp_path / "flagship.apkg"
    package.write_bytes(export_apkg(deck))

    with anki_collection(tmp_path / "anki") as col:
        import_package(col, package)
        edited = _live_cards(deck)[5]
        # Edited later than the first export, as a user would.
        with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
            note_update(note=edited, answer="An **edited** answer.")
            package.write_bytes(export_apkg(deck))
        edited.refresh_from_db()

        result = import_package(col, package)
        assert len(result.log.new) == 0
        assert len(result.log.updated) == 1
        assert len(col.find_notes("")) == len(NOTES_QUESTIONS)
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        note = notes[note_guid(deck, edited)]
        assert note.fields[1] == edited.answer_html
        assert "<strong>edited</strong>" in note.fields[1]


def test_cloze_and_reversed_cards_become_anki_cloze_and_two_card_notes(tmp_path):
    title = "Geography \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Europe"
    deck = Deck.objects.get(pk=DeckFactory(title=title).pk)
    Note.objects.create(
        deck=deck,
        kind="cloze",
        question="{{c1::Paris}} is the capital of {{c2::_France_::country}}",
        answer="Seine",
        source_key="k1",
    )
    Note.objects.create(deck=deck, kind="reversed", question="cat", answer="chat", source_key="k2")
    package = tmp_path / "geo.apkg"
    package.write_bytes(export_apkg(deck))

    with anki_collection(tmp_path / "anki") as col:
        import_package(col, package)
        notes = {col.get_note(n).note_type()["name"]: col.get_note(n) for n in col.find_notes("")}
        cloze = notes["Recall Cloze"]
        assert cloze.fields[0] == (
            "<p>{{c1::Paris}} is the capital of {{c2::<em>France</em>::country}}</p>\n"
        )
        assert sorted(c.ord for c in cloze.cards()) == [0, 1]
        first = cloze.cards()[0].question()
        assert 'data-cloze="Paris"' in first and "[...]" in first
        reverse = notes["Recall Basic (and reversed card)"]
        assert sorted(c.ord for c in reverse.cards()) == [0, 1]
        assert col.decks.name(reverse.cards()[0].did) == "Geography::Europe"


def _build_anki_package(tmp_path, legacy: bool):
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    out = tmp_path / f"anki-{'legacy' if legacy else 'latest'}.apkg"
    with anki_collection(tmp_path / "source") as col:
        deck_id = col.decks.id("Interop::Web")
        media_name = col.media.write_data("mvc.png", PNG)
        notes = [
            (
                "Basic",
                {
                    "Front": "What is <b>Django</b>?",
                    "Back": f'A framework <img src="{media_name}">',
                },
                ["python", "web"],
            ),
            ("Basic (and reversed card)", {"Front": "chat", "Back": "cat"}, ["french"]),
            (
                "Cloze",
                {
                    "Text": "{{c1::WSGI}} is synchronous, {{c2::ASGI}} is not",
                    "Back Extra": "<i>PEP 3333</i>",
                },
                [],
            ),
        ]
        for type_name, fields, tags in notes:
            note = col.new_note(col.models.by_name(type_name))
            for name, value in fields.items():
                note[name] = value
            note.tags = tags
            col.add_note(note, deck_id)
        col.export_anki_package(
            out_path=str(out),
            options=ExportAnkiPackageOptions(
                with_media=True, legacy=legacy, with_scheduling=False, with_deck_configs=False
            ),
            limit=DeckIdLimit(deck_id),
        )
    return out.read_bytes()


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy-anki21", "latest-anki21b"])
def test_a_package_written_by_anki_imports_every_card(tmp_path, legacy):
    data = _build_anki_package(tmp_path, legacy)
    user = UserFactory()
    summary = notes_import(owner=user, filename="anki.apkg", data=data)
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    [deck] = Deck.objects.filter(pk__in=summary.deck_ids)
    assert deck.title == "Interop \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Web"
    cards = list(deck.notes.prefetch_related("tags").order_by("position"))
    rows = [(c.kind, c.question, sorted(t.name for t in c.tags.all())) for c in cards]
    assert rows == [
        ("basic", "What is **Django**?", ["python", "web"]),
        ("reversed", "chat", ["french"]),
        ("cloze", "{{c1::WSGI}} is synchronous, {{c2::ASGI}} is not", []),
    ]
    basic, reverse, cloze = cards
    # Anki's notes map to notes, and each makes the cards Anki would make.
    assert [sorted(n.cards.values_list("ordinal", flat=True)) for n in cards] == [
        [1],
        [1, 2],
        [1, 2],
    ]
    assert basic.answer.startswith("A framework ![](/media/anki/")
    stored = basic.answer.split("(/media/", 1)[1].rstrip(")")
    with default_storage.open(stored, "rb") as handle:
        assert handle.read() == PNG
    assert '<img src="/media/anki/' in basic.answer_html
    assert reverse.answer == "cat"
    assert cloze.answer == "*PEP 3333*"
    assert '<mark class="cloze">WSGI</mark>' in cloze.question_html

    again = notes_import(owner=user, filename="anki.apkg", data=data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
