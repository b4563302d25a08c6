"""Deck endpoints: CRUD, listing rules, copy, export in every registered format, import jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recall.decks.exporters import EXPORTERS
from recall.decks.models import Card, Deck
from recall.jobs.models import Job, JobStatus
from tests.api_support import Seeded, error_of, token_client
from tests.factories import CardFactory, DeckFactory

pytestmark = pytest.mark.django_db

NOTES = b"""# Django notes

## What does select_related do?

It follows foreign keys with a JOIN.

## What is a QuerySet?

A lazy database query.
"""


def test_create_deck_makes_the_slug_from_the_title(owner, owner_client):
    response = owner_client.post(
        "/api/v1/decks/",
        {"title": "Python & Django", "new_cards_per_day": 5, "visibility": "unlisted"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["owner"], body["is_owner"], body["card_count"]) == (
        "python-django",
        "owner",
        True,
        0,
    )
    deck = Deck.objects.get(pk=body["id"])
    assert (deck.owner, deck.new_cards_per_day, deck.visibility) == (owner, 5, "unlisted")


def test_create_deck_refuses_a_slug_already_used(owner, owner_client):
    DeckFactory(owner=owner, slug="django")
    response = owner_client.post(
        "/api/v1/decks/", {"title": "Django", "slug": "django"}, format="json"
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert "slug" in error["fields"]
    assert Deck.objects.filter(owner=owner).count() == 1


def test_the_same_slug_is_fine_for_another_owner(other, owner_client):
    DeckFactory(owner=other, slug="django")
    response = owner_client.post("/api/v1/decks/", {"title": "Django"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "   "}, "title"),
        ({}, "title"),
        ({"title": "x", "visibility": "secret"}, "visibility"),
        ({"title": "x", "reviews_per_day": -1}, "reviews_per_day"),
        ({"title": "x", "slug": "not a slug!"}, "slug"),
        ({"title": "!!!"}, "slug"),
    ],
)
def test_create_deck_validation_errors_name_the_field(owner_client, payload, field):
    response = owner_client.post("/api/v1/decks/", payload, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_update_and_delete_deck(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    response = owner_client.patch(
        f"/api/v1/decks/{deck.pk}/", {"visibility": "public", "title": "New"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["visibility"], response.json()["card_count"]) == ("public", 1)
    deck.refresh_from_db()
    assert (deck.visibility, deck.title) == ("public", "New")

    assert owner_client.delete(f"/api/v1/decks/{deck.pk}/").status_code == 204
    assert not Deck.objects.filter(pk=deck.pk).exists()
    assert not Card.objects.filter(deck_id=deck.pk).exists()


def test_deck_list_filters_and_orders(seeded: Seeded, owner_client, other):
    theirs = DeckFactory(owner=other, title="Aardvark facts", visibility="public")
    CardFactory.create_batch(3, deck=theirs)

    def ids(query: str) -> list[int]:
        response = owner_client.get(f"/api/v1/decks/{query}")
        assert response.status_code == 200, response.json()
        return [d["id"] for d in response.json()["results"]]

    mine = {d.pk for d in seeded.decks.values()}
    assert set(ids("?mine=true")) == mine
    assert ids("?mine=false") == [theirs.pk]
    assert set(ids("?visibility=public")) == {seeded.decks["public"].pk, theirs.pk}
    assert ids("?q=aardvark") == [theirs.pk]
    assert ids("?ordering=-card_count")[0] == theirs.pk
    assert ids("?ordering=title")[0] == theirs.pk  # first in any collation


def test_unknown_filter_value_is_a_400_with_the_field(owner_client):
    response = owner_client.get("/api/v1/decks/?visibility=secret")
    assert response.status_code == 400
    assert "visibility" in error_of(response)["fields"]


def test_copy_a_public_deck(seeded: Seeded, other, other_client):
    source = seeded.decks["public"]
    response = other_client.post(f"/api/v1/decks/{source.pk}/copy/")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["copied_from"], body["visibility"], body["owner"], body["card_count"]) == (
        source.pk,
        "private",
        "other",
        1,
    )
    copy = Deck.objects.get(pk=body["id"])
    assert copy.owner == other
    assert [c.question for c in copy.notes.all()] == [seeded.notes["public"].question]
    assert [t.name for t in copy.notes.get().tags.all()] == ["django"]
    assert copy.cards.count() == 1


def test_export_markdown_is_a_download(seeded: Seeded, owner_client):
    deck = seeded.decks["private"]
    response = owner_client.get(f"/api/v1/decks/{deck.pk}/export/?format=md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert response["Content-Disposition"] == 'attachment; filename="private-deck.md"'
    assert seeded.cards["private"].question.encode() in response.content


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_export_in_every_registered_format(seeded: Seeded, anon_client, fmt):
    exporter = EXPORTERS[fmt]
    deck = seeded.decks["public"]
    response = anon_client.get(f"/api/v1/decks/{deck.pk}/export/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == exporter.content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'public-deck{exporter.extension}"' in response["Content-Disposition"]
    assert len(response.content) > 0


def test_export_in_an_unknown_format_is_a_json_400(seeded: Seeded, owner_client):
    response = owner_client.get(f"/api/v1/decks/{seeded.decks['public'].pk}/export/?format=pdf")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "pdf" in error_of(response)["message"]


def test_import_returns_a_job_that_reports_the_result(
    owner, owner_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("django-notes.md", NOTES, content_type="text/markdown")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/v1/jobs/{job_id}/")
    assert response.json()["filename"] == "django-notes.md"

    job = owner_client.get(f"/api/v1/jobs/{job_id}/")
    assert job.status_code == 200
    assert job.json()["status"] == JobStatus.SUCCEEDED, job.json()
    deck = Deck.objects.get(owner=owner)
    assert deck.cards.count() == 2
    assert owner_client.get("/api/v1/jobs/").json()["count"] == 1


def test_import_into_an_existing_deck_by_slug(
    owner, owner_client, django_capture_on_commit_callbacks
):
    deck = DeckFactory(owner=owner, slug="target")
    upload = SimpleUploadedFile("notes.md", NOTES)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/api/v1/decks/import/", {"file": upload, "deck_slug": "target"}, format="multipart"
        )
    assert response.status_code == 202
    assert deck.cards.count() == 2


@pytest.mark.parametrize(
    ("name", "data"),
    [("notes.exe", b"MZ\x90\x00"), ("notes.md", b"")],
)
def test_import_refuses_bad_uploads_and_creates_no_job(owner_client, name, data):
    upload = SimpleUploadedFile(name, data)
    response = owner_client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["message"]
    assert not Job.objects.exists()


def test_import_without_a_file_names_the_field(owner_client):
    response = owner_client.post("/api/v1/decks/import/", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]


def test_import_into_an_unknown_deck_slug_is_refused(owner_client):
    upload = SimpleUploadedFile("notes.md", NOTES)
    response = owner_client.post(
        "/api/v1/decks/import/", {"file": upload, "deck_slug": "nope"}, format="multipart"
    )
    assert response.status_code == 400
    assert "nope" in error_of(response)["message"]


def test_a_failed_import_job_says_why(owner_client, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("notes.csv", b"\x00\x01\x02garbage\x00" * 50)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    if response.status_code == 400:
        # Refused at upload time: also fine, as long as it says why.
        assert error_of(response)["message"]
        return
    job = owner_client.get(f"/api/v1/jobs/{response.json()['id']}/").json()
    assert job["status"] == JobStatus.FAILED
    assert job["message"]


def test_jobs_of_another_user_are_404(owner, other_client):
    job = Job.objects.create(owner=owner, filename="x.md")
    assert other_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert other_client.get("/api/v1/jobs/").json()["count"] == 0


def test_import_needs_authentication(anon_client):
    upload = SimpleUploadedFile("notes.md", NOTES)
    response = anon_client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 401


def test_import_refuses_a_file_over_the_upload_limit(owner_client, settings):
    settings.RECALL_MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("big.md", b"# Big\n\n## Q?\n\n" + b"answer " * 400)
    response = owner_client.post("/api/v1/decks/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["fields"]["file"] == [
        "The file is 2.7\xa0KB; the limit is 1.0\xa0KB."
    ]
    assert not Job.objects.exists()


def test_copy_again_is_a_409_and_update_copy_pulls_changes(seeded: Seeded, other, other_client):
    from recall.decks import services

    source = seeded.decks["public"]
    copy_id = other_client.post(f"/api/v1/decks/{source.pk}/copy/").json()["id"]
    again = other_client.post(f"/api/v1/decks/{source.pk}/copy/")
    assert again.status_code == 409
    assert (
        error_of(again)["code"] == "already_copied" and str(copy_id) in error_of(again)["message"]
    )
    assert Deck.objects.filter(owner=other).count() == 1
    services.note_create(deck=source, question="New in the original?", answer="yes")
    response = other_client.post(f"/api/v1/decks/{copy_id}/update-copy/")
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "archived": 0}
    # Only on one's own copy: the original's owner gets a 404 (the copy is private), a deck
    # that is no copy a 400.
    owner_client = token_client(seeded.owner)
    assert owner_client.post(f"/api/v1/decks/{copy_id}/update-copy/").status_code == 404
    not_copy = owner_client.post(f"/api/v1/decks/{source.pk}/update-copy/")
    assert not_copy.status_code == 400 and "not a copy" in error_of(not_copy)["message"]
