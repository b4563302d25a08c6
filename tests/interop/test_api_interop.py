"""The API's export and import endpoints with the CSV and Anki formats."""

from __future__ import annotations

import csv
import io

import genanki
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from recall.decks.importers.apkg import parse_apkg
from recall.decks.models import Deck
from recall.jobs.models import Job, JobStatus
from tests.factories import DeckFactory, NoteFactory

from .apkg_builders import basic_type, genanki_package

pytestmark = pytest.mark.django_db


def _client_and_deck() -> tuple[APIClient, Deck]:
    deck = Deck.objects.get(pk=DeckFactory(title="API deck").pk)
    NoteFactory(deck=deck, question="What is DRF?", answer="Django REST framework")
    NoteFactory(deck=deck, question="What is a viewset?", answer="Views for a model, routed")
    client = APIClient()
    client.force_authenticate(deck.owner)
    return client, deck


def test_export_as_apkg_downloads_a_package_with_every_card(tmp_path):
    client, deck = _client_and_deck()
    response = client.get(f"/api/v1/decks/{deck.pk}/export/", {"format": "apkg"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].endswith('.apkg"')
    parsed = parse_apkg("download.apkg", response.content)
    assert [c.question for c in parsed.decks[0].cards] == ["What is DRF?", "What is a viewset?"]


def test_export_as_csv_downloads_rows_with_a_header():
    client, deck = _client_and_deck()
    response = client.get(f"/api/v1/decks/{deck.pk}/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["question", "answer", "tags", "kind"]
    assert [r[0] for r in rows[1:]] == ["What is DRF?", "What is a viewset?"]


def test_uploading_an_apkg_runs_an_import_job(tmp_path, django_capture_on_commit_callbacks):
    client, deck = _client_and_deck()
    note = genanki.Note(model=basic_type(), fields=["What is <i>ASGI</i>?", "Async gateway"])
    data = genanki_package(tmp_path, {"Servers": [note]})
    upload = SimpleUploadedFile("servers.apkg", data, content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.message
    imported = Deck.objects.get(owner=deck.owner, title="Servers")
    assert [c.question for c in imported.notes.all()] == ["What is *ASGI*?"]


def test_an_apkg_has_its_own_upload_limit_above_the_notes_one(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    # Anki packages carry media: one larger than the notes limit still goes through, end to
    # end (the job reads the stored upload under the package limit too).
    client, deck = _client_and_deck()
    note = genanki.Note(model=basic_type(), fields=["What is WSGI?", "The sync gateway"])
    data = genanki_package(tmp_path, {"Gateways": [note]}, media={"logo.png": b"\x89PNG" * 500})
    settings.RECALL_MAX_UPLOAD_BYTES = len(data) - 1
    settings.RECALL_MAX_APKG_BYTES = len(data)
    notes = SimpleUploadedFile("same-size.md", b"# Q?\n\n" + b"a" * (len(data) - 6))
    response = client.post("/api/v1/decks/import/", {"file": notes}, format="multipart")
    assert response.status_code == 400
    upload = SimpleUploadedFile("gateways.apkg", data)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Deck.objects.filter(owner=deck.owner, title="Gateways").exists()
    settings.RECALL_MAX_APKG_BYTES = len(data) - 1
    again = SimpleUploadedFile("gateways.apkg", data)
    response = client.post("/api/v1/decks/import/", {"file": again}, format="multipart")
    assert response.status_code == 400


def test_uploading_a_broken_apkg_fails_the_job_with_a_clear_message(
    django_capture_on_commit_callbacks,
):
    client, deck = _client_and_deck()
    upload = SimpleUploadedFile("broken.apkg", b"not a zip at all")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("broken.apkg: is not an Anki package")
    assert Deck.objects.filter(owner=deck.owner).count() == 1
