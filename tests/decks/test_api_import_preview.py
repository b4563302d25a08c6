"""The import endpoint's options (validated, remembered per deck) and its dry run."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recall.decks import importers
from recall.decks.importers.base import ImportOptions, ParsedDeck, SkippedLine
from recall.decks.models import Card, Deck, Note
from recall.jobs.models import Job, JobStatus
from tests.api_support import error_of
from tests.factories import DeckFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/decks/import/"
NOTES = b"# 1. What is a list?\n\nA mutable sequence.\n\n# 2. What is a tuple?\n\nImmutable.\n"
INLINE = b"What is a list?::A mutable sequence.\nWhat is a tuple?::Immutable.\n"
CUSTOM = b"What is a list?:=A mutable sequence.\nWhat is a tuple?:=Immutable.\n"


def counts() -> tuple[int, int, int, int]:
    return Deck.objects.count(), Note.objects.count(), Card.objects.count(), Job.objects.count()


def post(client, name: str, data: bytes, query: str = "", **fields):
    upload = SimpleUploadedFile(name, data)
    return client.post(f"{URL}{query}", {"file": upload, **fields}, format="multipart")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"inline_separator": ":\n="}, "inline_separator", "1 to 8 characters on one line"),
        ({"inline_separator": "  "}, "inline_separator", "1 to 8 characters on one line"),
        ({"multiline_separator": "x" * 9}, "multiline_separator", "no more than 8 characters"),
        ({"cloze_bold": "perhaps"}, "cloze_bold", "valid boolean"),
        ({"headings_as_cards": "sometimes"}, "headings_as_cards", "valid boolean"),
    ],
)
def test_bad_import_options_are_400_naming_the_option(owner_client, fields, field, message):
    before = counts()
    response = post(owner_client, "notes.md", NOTES, **fields)
    assert response.status_code == 400, response.json()
    error = error_of(response)
    assert any(message in m for m in error["fields"][field]), error
    assert counts() == before


def test_options_sent_are_used_and_remembered_by_the_deck(
    owner, owner_client, seen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            owner_client,
            "vault.md",
            NOTES,
            inline_separator=":=",
            cloze_bold="true",
            headings_as_cards="",  # null: decided from the file (the default)
        )
    assert response.status_code == 202, response.json()
    assert response.json()["import_options"] == {
        "inline_separator": ":=",
        "cloze_bold": True,
        "headings_as_cards": None,
    }
    assert seen == [ImportOptions(inline_separator=":=", cloze_bold=True)]
    deck = Deck.objects.get(owner=owner)
    assert deck.import_options == {"inline_separator": ":=", "cloze_bold": True}
    assert owner_client.get(f"/api/v1/decks/{deck.pk}/").json()["import_options"] == {
        "inline_separator": ":=",
        "cloze_bold": True,
    }

    # Re-imported without options (a form sends no checkbox): read as last time.
    with django_capture_on_commit_callbacks(execute=True):
        post(owner_client, "vault.md", NOTES)
    assert seen[-1] == ImportOptions(inline_separator=":=", cloze_bold=True)


def test_dry_run_answers_the_preview_and_writes_nothing(owner, owner_client, monkeypatch):
    real = importers.parse_document

    def parse(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
        deck = real(filename, text, options)
        deck.skipped = [SkippedLine(9, "What::is::this", "two separators on one line")]
        return deck

    monkeypatch.setattr(importers, "parse_document", parse)
    DeckFactory(owner=owner, title="Python", source_name="python.md")
    before = counts()
    response = post(owner_client, "python.md", INLINE, "?dry_run=1", inline_separator="::")
    assert response.status_code == 200, response.json()
    assert counts() == before
    body = response.json()
    assert (body["filename"], body["cards"], body["skipped"]) == ("python.md", 2, 1)
    [file] = body["files"]
    assert file["deck_title"] == "Python"
    assert file["deck_id"] == Deck.objects.get(owner=owner).pk
    assert sum(file["by_syntax"].values()) == 2
    assert file["skipped"] == [
        {"line": 9, "text": "What::is::this", "reason": "two separators on one line"}
    ]


def test_dry_run_refuses_what_the_import_would_refuse(owner_client):
    before = counts()
    response = post(owner_client, "notes.md", b"just a sentence\n", "?dry_run=1")
    assert response.status_code == 400
    assert "no questions found" in error_of(response)["message"]
    response = post(owner_client, "notes.md", NOTES, "?dry_run=1", deck_slug="nope")
    assert response.status_code == 400
    assert "nope" in error_of(response)["message"]
    assert counts() == before


def test_dry_run_false_imports(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(owner_client, "notes.md", NOTES, "?dry_run=0")
    assert response.status_code == 202
    assert Job.objects.get().status == JobStatus.SUCCEEDED


def test_dry_run_with_a_custom_separator_finds_the_cards(owner_client):
    response = post(owner_client, "vault.md", CUSTOM, "?dry_run=1", inline_separator=":=")
    assert response.status_code == 200, response.json()
    assert response.json()["cards"] == 2
    assert response.json()["files"][0]["by_syntax"] == {"inline": 2}


def test_dry_run_of_an_anki_package_counts_its_decks_and_stores_nothing(owner_client, tmp_path):
    import genanki

    from tests.interop.apkg_builders import basic_type, genanki_package

    notes = [
        genanki.Note(model=basic_type(), fields=["What is ASGI?", "Async gateway"]),
        genanki.Note(model=basic_type(), fields=["What is WSGI?", "Sync gateway"]),
    ]
    data = genanki_package(tmp_path, {"Servers": notes}, media={"logo.png": b"\x89PNG\r\n"})
    before = counts()
    response = post(owner_client, "servers.apkg", data, "?dry_run=1")
    assert response.status_code == 200, response.json()
    assert counts() == before
    assert response.json()["cards"] == 2
    assert [f["deck_title"] for f in response.json()["files"]] == ["Servers"]
    # MEDIA_ROOT is tmp_path / "media" (tests/conftest.py): no media file was stored.
    assert not any((tmp_path / "media").rglob("*.png"))
