"""The import page: its options, the preview shown before anything is written, the result."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from recall.decks import importers
from recall.decks.importers.base import ImportOptions, ParsedDeck, SkippedLine
from recall.decks.models import Card, Deck, Note
from recall.jobs.models import Job, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTES = b"# 1. What is a list?\n\nA mutable sequence.\n\n# 2. What is a tuple?\n\nImmutable.\n"
SKIPPED = SkippedLine(12, "What::is::this", "two separators on one line")


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def seen(monkeypatch) -> list[ImportOptions | None]:
    """The options parse_document is called with; it reports one skipped line."""
    calls: list[ImportOptions | None] = []
    real = importers.parse_document

    def parse(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
        calls.append(options)
        deck = real(filename, text, options)
        deck.skipped = [SKIPPED]
        return deck

    monkeypatch.setattr(importers, "parse_document", parse)
    return calls


def counts() -> tuple[int, int, int]:
    return Deck.objects.count(), Note.objects.count(), Card.objects.count()


def upload(name: str = "python.md", data: bytes = NOTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/markdown")


def test_the_import_page_has_an_options_fieldset(alice_client):
    page = alice_client.get(reverse("decks:import")).content.decode()
    assert "<legend>How the notes are read</legend>" in page
    for name in ("inline_separator", "multiline_reversed_separator", "cloze_bold"):
        assert f'name="{name}"' in page
    assert "Auto: not when the file uses card syntax" in page
    assert 'value="preview">Preview</button>' in page


def test_preview_shows_cards_and_skipped_lines_then_confirm_imports(
    alice_client, alice, seen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("decks:import"),
            {"file": upload(), "action": "preview", "inline_separator": ":=", "cloze_bold": "yes"},
        )
    job = Job.objects.get(owner=alice)
    assert job.status == JobStatus.PREVIEW
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('decks:import')}?preview={job.pk}#preview"
    assert counts() == (0, 0, 0)  # nothing written yet
    assert seen == [ImportOptions(inline_separator=":=", cloze_bold=True)]

    page = alice_client.get(f"{reverse('decks:import')}?preview={job.pk}").content.decode()
    assert "Nothing has been imported yet." in page
    assert "new deck “Python”" in page
    assert '<tr class="skipped-line"><td>12</td><td><code>What::is::this</code></td>' in page
    assert "two separators on one line" in page
    assert "Import 2 cards</button>" in page
    assert counts() == (0, 0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("decks:import-confirm", args=[job.pk]))
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    deck = Deck.objects.get(owner=alice)
    assert deck.notes.count() == 2
    assert deck.import_options == {"inline_separator": ":=", "cloze_bold": True}
    # The import read the stored upload with the options the preview used.
    assert seen[-1] == ImportOptions(inline_separator=":=", cloze_bold=True)


def test_import_now_skips_the_preview(alice_client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("decks:import"), {"file": upload(), "action": "import"}
        )
    job = Job.objects.get(owner=alice)
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert counts()[1] == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"inline_separator": "   "}, "inline_separator", "must be 1 to 8 characters"),
        ({"multiline_separator": "x" * 9}, "multiline_separator", "at most 8 characters"),
        ({"cloze_bold": "maybe"}, "cloze_bold", "Select a valid choice"),
    ],
)
def test_bad_options_are_form_errors_and_nothing_is_stored(alice_client, fields, field, message):
    response = alice_client.post(
        reverse("decks:import"), {"file": upload(), "action": "preview", **fields}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not Job.objects.exists()
    assert '<details class="import-options" open>' in response.content.decode()


def test_a_file_the_import_refuses_is_refused_at_preview(alice_client):
    response = alice_client.post(
        reverse("decks:import"),
        {"file": upload(data=b"just a sentence\n"), "action": "preview"},
    )
    assert response.status_code == 200
    assert "no questions found" in response.content.decode()
    assert not Job.objects.exists()


def test_discard_forgets_the_preview(alice_client, alice):
    alice_client.post(reverse("decks:import"), {"file": upload(), "action": "preview"})
    job = Job.objects.get(owner=alice)
    response = alice_client.post(reverse("decks:import-discard", args=[job.pk]))
    assert response["Location"] == reverse("decks:import")
    assert not Job.objects.exists()
    assert counts() == (0, 0, 0)


def test_another_users_preview_is_not_shown_nor_confirmed(alice_client, alice):
    alice_client.post(reverse("decks:import"), {"file": upload(), "action": "preview"})
    job = Job.objects.get(owner=alice)
    bob, bob_user = Client(), get_user_model().objects.create_user("bob", password="x" * 12)
    bob.force_login(bob_user)
    page = bob.get(f"{reverse('decks:import')}?preview={job.pk}").content.decode()
    assert "Nothing has been imported yet." not in page
    assert bob.post(reverse("decks:import-confirm", args=[job.pk])).status_code == 404
    assert bob.post(reverse("decks:import-discard", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW


@pytest.mark.parametrize(
    "skipped",
    [
        {"python.md": [{"line": 12, "text": "What::is::this", "reason": "two separators"}]},
        [{"file": "python.md", "line": 12, "text": "What::is::this", "reason": "two separators"}],
        [
            {
                "file": "python.md",
                "skipped": [{"line": 12, "text": "What::is::this", "reason": "two separators"}],
            }
        ],
    ],
)
def test_the_job_page_lists_the_skipped_lines_of_the_result(alice_client, alice, skipped):
    job = Job.objects.create(
        owner=alice,
        filename="python.md",
        status=JobStatus.SUCCEEDED,
        result={"created": 2, "deck_ids": [], "skipped": skipped},
    )
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert "1 line skipped in <code>python.md</code>" in page
    assert '<tr class="skipped-line"><td>12</td><td><code>What::is::this</code></td>' in page
    assert "two separators" in page


def test_the_job_page_shows_nothing_when_the_result_lists_no_skipped_lines(alice_client, alice):
    job = Job.objects.create(
        owner=alice, filename="python.md", status=JobStatus.SUCCEEDED, result={"created": 2}
    )
    page = alice_client.get(job.get_absolute_url()).content.decode()
    assert "skipped" not in page
