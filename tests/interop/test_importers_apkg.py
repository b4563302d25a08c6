"""Reading .apkg packages: note types, fields, tags, nested decks, media and bad files."""

from __future__ import annotations

import io
import json
import zipfile

import genanki
import pytest
import zstandard

from recall.decks.importers.apkg import parse_apkg
from recall.decks.importers.base import ImportFormatError

from .apkg_builders import (
    basic_type,
    cloze_type,
    genanki_package,
    replace_member,
    reversed_type,
    sqlite_bytes,
    type_in_type,
    zip_bytes,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _note(model: genanki.Model, *fields: str, tags: list[str] | None = None) -> genanki.Note:
    return genanki.Note(model=model, fields=list(fields), tags=tags or [])


def test_basic_note_becomes_a_markdown_card_with_its_tags(tmp_path):
    data = genanki_package(
        tmp_path,
        {
            "Django": [
                _note(
                    basic_type(),
                    "What is <b>ORM</b>?",
                    "Object-relational mapper",
                    tags=["db", "django"],
                )
            ]
        },
    )
    result = parse_apkg("notes.apkg", data)
    assert result.collection == "collection.anki2"
    [deck] = result.decks
    assert (deck.title, deck.source_name, deck.layout) == ("Django", "notes.apkg::Django", "apkg")
    [card] = deck.cards
    assert (card.question, card.answer, card.kind) == (
        "What is **ORM**?",
        "Object-relational mapper",
        "basic",
    )
    assert card.tags == ["db", "django"]
    assert result.warnings == []


def test_swapping_two_template_type_gives_a_reversed_card(tmp_path):
    data = genanki_package(tmp_path, {"French": [_note(reversed_type(), "cat", "chat")]})
    [card] = parse_apkg("fr.apkg", data).decks[0].cards
    assert (card.question, card.answer, card.kind) == ("cat", "chat", "reversed")


def test_cloze_type_gives_a_cloze_card_with_the_extra_field_as_answer(tmp_path):
    note = _note(
        cloze_type(), "{{c1::Paris}} is the capital of {{c2::France::country}}", "geography"
    )
    [card] = parse_apkg("c.apkg", genanki_package(tmp_path, {"Geo": [note]})).decks[0].cards
    assert card.kind == "cloze"
    assert card.question == "{{c1::Paris}} is the capital of {{c2::France::country}}"
    assert card.answer == "geography"


def test_type_in_the_answer_field_is_the_answer_not_the_question(tmp_path):
    data = genanki_package(
        tmp_path, {"Spelling": [_note(type_in_type(), "Capital of Italy?", "Rome")]}
    )
    [card] = parse_apkg("t.apkg", data).decks[0].cards
    assert (card.question, card.answer, card.kind) == ("Capital of Italy?", "Rome", "basic")


def test_nested_decks_become_flat_decks_titled_with_the_path(tmp_path):
    data = genanki_package(
        tmp_path,
        {
            "Python::Async": [_note(basic_type(), "What is an event loop?", "A scheduler")],
            "Python": [_note(basic_type(), "What is the GIL?", "A lock")],
        },
    )
    decks = parse_apkg("py.apkg", data).decks
    assert [(d.title, d.source_name) for d in decks] == [
        ("Python", "py.apkg::Python"),
        ("Python \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Async", "py.apkg::Python::Async"),
    ]
    assert [len(d.cards) for d in decks] == [1, 1]


def test_media_is_collected_content_addressed_and_fields_point_at_it(tmp_path, settings):
    settings.MEDIA_URL = "/media/"
    note = _note(basic_type(), 'Diagram: <img src="mvc.png">', "[sound:say.mp3]")
    data = genanki_package(
        tmp_path, {"Web": [note]}, media={"mvc.png": PNG, "say.mp3": b"ID3" + b"\x00" * 10}
    )
    result = parse_apkg("web.apkg", data)
    by_name = {m.name: m for m in result.media}
    assert set(by_name) == {"mvc.png", "say.mp3"}
    png = by_name["mvc.png"]
    assert png.data == PNG
    assert png.path.startswith("anki/") and png.path.endswith("/mvc.png")
    [card] = result.decks[0].cards
    assert card.question == f"Diagram: ![](/media/{png.path})"
    assert (
        card.answer
        == f"[\N{SPEAKER WITH THREE SOUND WAVES} say.mp3](/media/{by_name['say.mp3'].path})"
    )
    assert result.missing_media == []


def test_a_package_read_from_its_file_gives_what_its_bytes_give(tmp_path):
    # Import jobs hand the stored upload itself to the reader, so that a large package is
    # never held in memory whole.
    note = _note(basic_type(), 'Diagram: <img src="mvc.png">', "An answer")
    data = genanki_package(tmp_path, {"Web": [note]}, media={"mvc.png": PNG})
    path = tmp_path / "web.apkg"
    path.write_bytes(data)
    with path.open("rb") as handle:
        from_file = parse_apkg("web.apkg", handle)
    from_bytes = parse_apkg("web.apkg", data)
    assert from_file.decks == from_bytes.decks
    assert [(m.name, m.data) for m in from_file.media] == [
        (m.name, m.data) for m in from_bytes.media
    ]


def test_missing_and_unsafe_media_are_reported_not_stored(tmp_path):
    note = _note(basic_type(), '<img src="gone.png"> and <img src="logo.svg">', "answer")
    data = genanki_package(tmp_path, {"D": [note]}, media={"logo.svg": b"<svg onload='x()'/>"})
    result = parse_apkg("m.apkg", data)
    assert result.media == []
    assert result.missing_media == ["gone.png"]
    assert any("gone.png" in w and "missing" in w for w in result.warnings)
    assert any("logo.svg" in w for w in result.warnings)


def test_a_media_file_over_the_limit_refuses_the_package(tmp_path, settings):
    settings.RECALL_MAX_MEDIA_FILE_BYTES = 1000
    note = _note(basic_type(), '<img src="huge.png">', "answer")
    data = genanki_package(tmp_path, {"D": [note]}, media={"huge.png": PNG * 100})
    with pytest.raises(ImportFormatError) as error:
        parse_apkg("big.apkg", data)
    message = str(error.value)
    assert "big.apkg" in message and "huge.png" in message and "1000 bytes" in message


def test_a_package_expanding_beyond_the_archive_limit_is_refused(tmp_path, settings):
    data = genanki_package(tmp_path, {"D": [_note(basic_type(), "q", "a")]})
    settings.RECALL_MAX_ARCHIVE_BYTES = 10_000
    with pytest.raises(ImportFormatError, match=r"^big\.apkg: expands to \d+ bytes"):
        parse_apkg("big.apkg", data)


def test_zstd_collection_and_protobuf_media_list_are_read(tmp_path):
    # The new format's containers around an ordinary collection: what Anki 2.1.50+ writes.
    legacy = genanki_package(
        tmp_path, {"D": [_note(basic_type(), '<img src="a.png">', "b")]}, media={"a.png": PNG}
    )
    with zipfile.ZipFile(io.BytesIO(legacy)) as archive:
        collection = archive.read("collection.anki2")
    compress = zstandard.ZstdCompressor().compress
    name = b"a.png"
    entry = b"\x0a" + bytes([len(name)]) + name + b"\x10" + bytes([len(PNG)])
    media_list = b"\x0a" + bytes([len(entry)]) + entry
    data = zip_bytes(
        {
            "collection.anki2": b"dummy for old clients",
            "collection.anki21b": compress(collection),
            "media": compress(media_list),
            "0": compress(PNG),
            "meta": b"\x08\x03",
        }
    )
    result = parse_apkg("new.apkg", data)
    assert result.collection == "collection.anki21b"
    assert [m.data for m in result.media] == [PNG]
    assert result.decks[0].cards[0].question.startswith("![](")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"this is not a zip file", "is not an Anki package"),
        (zip_bytes({"readme.txt": b"hello"}), "contains no Anki collection"),
        (zip_bytes({"collection.anki2": b"SQLite format 3\x00" + b"\xff" * 600}), "not a readable"),
        (zip_bytes({"collection.anki21b": b"\x28\xb5\x2f\xfd garbage"}), "not valid zstd"),
    ],
    ids=["not-a-zip", "no-collection", "corrupt-sqlite", "corrupt-zstd"],
)
def test_bad_packages_get_a_clear_error_naming_the_file(data, problem):
    with pytest.raises(ImportFormatError) as error:
        parse_apkg("broken.apkg", data)
    assert str(error.value).startswith("broken.apkg: ")
    assert problem in str(error.value)


def test_a_database_that_is_not_an_anki_collection_is_refused(tmp_path):
    data = zip_bytes({"collection.anki2": sqlite_bytes(tmp_path, "CREATE TABLE t (x);")})
    with pytest.raises(ImportFormatError, match="is not an Anki collection"):
        parse_apkg("other.apkg", data)


def test_a_damaged_media_list_is_refused(tmp_path):
    data = genanki_package(tmp_path, {"D": [_note(basic_type(), "q", "a")]})
    with pytest.raises(ImportFormatError, match="media list is not valid JSON"):
        parse_apkg("m.apkg", replace_member(data, "media", b"{not json"))


def test_a_package_with_too_many_members_is_refused(tmp_path, settings):
    settings.RECALL_MAX_ARCHIVE_MEMBERS = 3
    data = genanki_package(tmp_path, {"D": [_note(basic_type(), "q", "a")]})
    data = replace_member(replace_member(data, "1", b"x"), "2", b"y")
    with pytest.raises(ImportFormatError, match="too many files"):
        parse_apkg("many.apkg", data)


def test_image_occlusion_and_empty_notes_are_skipped_with_warnings(tmp_path):
    occlusion = genanki.Model(
        1_500_000_010,
        "Image Occlusion",
        fields=[{"name": "Occlusion"}, {"name": "Image"}],
        templates=[{"name": "IO", "qfmt": "{{cloze:Occlusion}}{{Image}}", "afmt": "{{Image}}"}],
        model_type=genanki.Model.CLOZE,
    )
    data = genanki_package(
        tmp_path,
        {
            "D": [
                _note(occlusion, "{{c1::image-occlusion:rect:left=.1}}", "<img src='x.png'>"),
                _note(basic_type(), "kept", "yes"),
            ]
        },
    )
    result = parse_apkg("io.apkg", data)
    assert [c.question for c in result.decks[0].cards] == ["kept"]
    assert any("image occlusion" in w for w in result.warnings)


def test_a_package_with_no_importable_note_is_refused(tmp_path):
    occlusion_only = genanki.Model(
        1_500_000_011,
        "Image Occlusion",
        fields=[{"name": "Occlusion"}, {"name": "Image"}],
        templates=[{"name": "IO", "qfmt": "{{cloze:Occlusion}}", "afmt": "{{Image}}"}],
        model_type=genanki.Model.CLOZE,
    )
    data = genanki_package(tmp_path, {"D": [_note(occlusion_only, "{{c1::x}}", "")]})
    with pytest.raises(ImportFormatError, match="no notes Recall can import"):
        parse_apkg("empty.apkg", data)


def test_legacy_media_map_json_is_a_name_per_member(tmp_path):
    data = genanki_package(tmp_path, {"D": [_note(basic_type(), "q", "a")]}, media={"a.png": PNG})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert json.loads(archive.read("media")) == {"0": "a.png"}
    # A referenced file is only collected when a note uses it.
    assert parse_apkg("d.apkg", data).media == []


def test_views_posing_as_collection_tables_are_not_queried(tmp_path):
    # A recursive view would never finish; only real tables are read.
    script = """
        CREATE TABLE col (models TEXT, decks TEXT);
        CREATE TABLE cards (nid, did, ord);
        CREATE VIEW notes AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
            SELECT n AS id, 1 AS mid, '' AS tags, '' AS flds FROM r;
    """
    data = zip_bytes({"collection.anki2": sqlite_bytes(tmp_path, script)})
    with pytest.raises(ImportFormatError, match="is not an Anki collection"):
        parse_apkg("view.apkg", data)


def test_note_types_of_the_wrong_shape_are_a_damaged_collection(tmp_path):
    script = """
        CREATE TABLE col (models TEXT, decks TEXT);
        INSERT INTO col VALUES ('{"1": "not an object"}', '{}');
        CREATE TABLE cards (nid, did, ord);
        CREATE TABLE notes (id, mid, tags, flds);
    """
    data = zip_bytes({"collection.anki2": sqlite_bytes(tmp_path, script)})
    with pytest.raises(ImportFormatError, match=r"^odd\.apkg: collection\.anki2 is a damaged"):
        parse_apkg("odd.apkg", data)
