"""Hostile Anki packages get a clear result, never "internal error".

Each input is the red team's: an ``<ol start="abc">``, HTML nested 3,000 levels deep, JSON
nested beyond Python's recursion limit in the note types, decks or media list, and NULL,
blob and integer values where Anki writes text.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recall.decks.importers.apkg import parse_apkg
from recall.decks.importers.base import ImportFormatError
from recall.decks.importers.html_to_markdown import MAX_DEPTH, html_field_to_markdown
from recall.decks.models import Card
from recall.decks.rendering import render_markdown
from recall.decks.services import ImportRejected, job_create_import, job_run_import, notes_import
from recall.jobs.models import Job, JobStatus
from tests.factories import UserFactory
from tests.interop.apkg_builders import basic_type, genanki_package, zip_bytes

LEVELS = 3000
DEEP_JSON_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_JSON_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
BASIC_MODEL = {
    "1": {
        "name": "Basic",
        "type": 0,
        "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        "tmpls": [{"qfmt": "{{Front}}", "afmt": "{{Back}}", "ord": 0}],
    }
}


def _package(tmp_path: Path, *fields: str) -> bytes:
    note = genanki.Note(model=basic_type(), fields=list(fields))
    return genanki_package(tmp_path, {"Hostile": [note]})


def _nested(tag: str, levels: int = LEVELS) -> str:
    return f"<{tag}>" * levels + "deep" + f"</{tag}>" * levels


def _collection(
    tmp_path: Path,
    notes: list[tuple[Any, Any]],
    models: str = json.dumps(BASIC_MODEL),
    decks: str = json.dumps({"1": {"name": "Typed"}}),
) -> bytes:
    """A legacy collection whose notes columns hold whatever SQLite was given (no types)."""
    path = tmp_path / "typed.sqlite"
    path.unlink(missing_ok=True)
    script = """
        CREATE TABLE col (models, decks);
        CREATE TABLE notes (id, mid, tags, flds);
        CREATE TABLE cards (nid, did, ord);
    """
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.execute("INSERT INTO col VALUES (?, ?)", (models, decks))
    for nid, (tags, flds) in enumerate(notes, start=1):
        conn.execute("INSERT INTO notes VALUES (?, 1, ?, ?)", (nid, tags, flds))
        conn.execute("INSERT INTO cards VALUES (?, 1, 0)", (nid,))
    conn.commit()
    conn.close()
    return zip_bytes({"collection.anki2": path.read_bytes(), "media": b"{}"})


# --- fields whose HTML the Markdown converter cannot take -----------------------------------


@pytest.mark.parametrize("start", ["abc", "-1", "1e3", "12345678901", "\u0663"])
def test_an_ordered_list_with_an_odd_start_keeps_its_html(start):
    html = f'<ol start="{start}"><li>first</li><li>second</li></ol>'
    converted = html_field_to_markdown(html)
    assert converted.startswith("<div>")
    assert "first" in converted
    assert "second" in converted


def test_an_ordered_list_with_a_number_start_still_becomes_markdown():
    assert html_field_to_markdown('<ol start="3"><li>c</li><li>d</li></ol>') == "3. c\n4. d"


@pytest.mark.parametrize("tag", ["div", "b", "blockquote", "ul><li", "pre><code"])
def test_html_nested_3000_levels_is_kept_as_sanitised_html(tag):
    closing = "><".join(reversed(tag.split("><")))
    html = f"<{tag}>" * LEVELS + "deep" + f"</{closing}>" * LEVELS
    converted = html_field_to_markdown(html)
    assert converted.startswith("<div>")
    assert "deep" in converted
    assert "deep" in render_markdown(converted)


def test_html_nested_to_the_limit_still_converts():
    assert html_field_to_markdown(_nested("div", MAX_DEPTH - 1)) == "deep"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ('<ol start="abc"><li>Name it</li></ol>', "a list"),
        (_nested("div"), "deep"),
        ("Nested answer?", _nested("blockquote")),
    ],
)
def test_hostile_fields_import_as_cards(tmp_path, question, answer):
    parsed = parse_apkg("hostile.apkg", _package(tmp_path, question, answer))
    [card] = parsed.decks[0].cards
    assert card.question
    assert card.answer


# --- JSON nested beyond the recursion limit ------------------------------------------------


@pytest.mark.parametrize(
    ("models", "decks"),
    [(DEEP_JSON_ARRAY, "{}"), (json.dumps(BASIC_MODEL), DEEP_JSON_OBJECT)],
)
def test_deeply_nested_note_types_or_decks_refuse_the_package_clearly(tmp_path, models, decks):
    data = _collection(tmp_path, [("", "q\x1fa")], models=models, decks=decks)
    with pytest.raises(ImportFormatError, match=r"^deep\.apkg: .* nested too deeply"):
        parse_apkg("deep.apkg", data)


def test_a_deeply_nested_media_list_refuses_the_package_clearly(tmp_path):
    data = _package(tmp_path, "q", "a")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["media"] = DEEP_JSON_ARRAY.encode()
    with pytest.raises(ImportFormatError, match=r"^deep\.apkg: its media list is nested too"):
        parse_apkg("deep.apkg", zip_bytes(members))


# --- values of the wrong type in text columns ---------------------------------------------


def test_null_fields_are_empty_and_null_tags_are_none(tmp_path):
    data = _collection(tmp_path, [(None, "Question?\x1fAnswer"), ("t", None)])
    parsed = parse_apkg("typed.apkg", data)
    [card] = parsed.decks[0].cards
    assert (card.question, card.answer, card.tags) == ("Question?", "Answer", [])
    # The note whose fields are NULL has an empty front: skipped, and said so.
    assert "skipped 1 notes with an empty front" in parsed.warnings
    assert "None" not in card.question + card.answer


def test_integer_fields_become_their_decimal_text(tmp_path):
    parsed = parse_apkg("typed.apkg", _collection(tmp_path, [(2024, 12345)]))
    [card] = parsed.decks[0].cards
    assert (card.question, card.answer, card.tags) == ("12345", "", ["2024"])


def test_blob_fields_are_skipped_with_a_warning(tmp_path):
    data = _collection(
        tmp_path, [("", b"\x00\x01binary\x1fdata"), (b"\x00tag", "q\x1fa"), ("", "ok\x1fyes")]
    )
    parsed = parse_apkg("typed.apkg", data)
    [card] = parsed.decks[0].cards
    assert (card.question, card.answer) == ("ok", "yes")
    assert "skipped 2 notes whose fields or tags are binary data, not text" in parsed.warnings
    assert not any("b'" in c.question + c.answer for d in parsed.decks for c in d.cards)


def test_a_package_of_blobs_only_is_refused_clearly(tmp_path):
    with pytest.raises(ImportFormatError, match="contains no notes Recall can import"):
        parse_apkg("typed.apkg", _collection(tmp_path, [("", b"\x00\x01")]))


# --- the whole import job: a clear outcome for each --------------------------------------


def _hostile_package(tmp_path: Path, case: str) -> bytes:
    if case == "ol-start":
        return _package(tmp_path, '<ol start="abc"><li>x</li></ol>', "a")
    if case == "nesting":
        return _package(tmp_path, _nested("div"), _nested("ul><li"))
    if case == "deep-models":
        return _collection(tmp_path, [("", "q\x1fa")], models=DEEP_JSON_ARRAY)
    if case == "deep-media":
        with zipfile.ZipFile(io.BytesIO(_package(tmp_path, "q", "a"))) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        members["media"] = DEEP_JSON_ARRAY.encode()
        return zip_bytes(members)
    return _collection(tmp_path, [(None, 12345), ("", b"\x00blob"), ("", "q\x1fa")])


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["ol-start", "nesting", "deep-models", "deep-media", "typed"])
def test_an_import_job_of_a_hostile_package_has_a_clear_outcome(
    tmp_path, case, django_capture_on_commit_callbacks
):
    data = _hostile_package(tmp_path, case)
    upload = SimpleUploadedFile(f"{case}.apkg", data)
    job = job_create_import(owner=UserFactory(), uploaded_file=upload)
    with django_capture_on_commit_callbacks(execute=True):
        job_run_import(job_id=job.pk)
    job = Job.objects.get(pk=job.pk)
    assert "internal error" not in job.message
    if case.startswith("deep"):
        assert job.status == JobStatus.FAILED
        assert "nested too deeply" in job.message
    else:
        assert job.status == JobStatus.SUCCEEDED, job.message
        cards = list(Card.objects.filter(deck__owner=job.owner))
        assert cards
        for card in cards:
            assert card.question_html
            assert "None" not in card.question
            assert "b'" not in card.question + card.answer


@pytest.mark.django_db
def test_typed_values_through_notes_import_read_as_text(tmp_path):
    owner = UserFactory()
    data = _collection(tmp_path, [(None, 12345), ("", b"\x00blob")])
    summary = notes_import(owner=owner, filename="typed.apkg", data=data)
    assert summary.created == 1
    assert Card.objects.get().question == "12345"
    assert any("binary data" in w for w in summary.warnings)
    with pytest.raises(ImportRejected, match="nested too deeply"):
        notes_import(
            owner=owner,
            filename="deep.apkg",
            data=_collection(tmp_path, [("", "q")], decks=DEEP_JSON_OBJECT),
        )
