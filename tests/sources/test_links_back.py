"""A card's way back to its notes: the forge line URL and a patch that applies with git."""

from __future__ import annotations

import pytest
from django.test import TestCase

from recall.decks.models import Note
from recall.decks.services import note_update
from recall.sources import selectors, services
from recall.sources.crypto import decrypt_secret
from recall.sources.models import Source, SourceFile
from tests.factories import UserFactory
from tests.sources.conftest import notes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "forge", "expected"),
    [
        (
            "https://github.com/ana/notes.git",
            "auto",
            "https://github.com/ana/notes/blob/abc123/py/lists.md#L7",
        ),
        (
            "git@github.com:ana/notes.git",
            "auto",
            "https://github.com/ana/notes/blob/abc123/py/lists.md#L7",
        ),
        (
            "https://gitlab.com/group/sub/notes.git",
            "auto",
            "https://gitlab.com/group/sub/notes/-/blob/abc123/py/lists.md#L7",
        ),
        (
            "https://codeberg.org/ana/notes",
            "auto",
            "https://codeberg.org/ana/notes/src/commit/abc123/py/lists.md#L7",
        ),
        (
            "ssh://git@git.example.org/ana/notes.git",
            "gitea",
            "https://git.example.org/ana/notes/src/commit/abc123/py/lists.md#L7",
        ),
        ("https://git.example.org/ana/notes.git", "auto", ""),
        ("https://github.com/ana/notes.git", "none", ""),
    ],
)
def test_forge_line_url_follows_each_forge_pattern(url, forge, expected):
    source = Source(url=url, forge=forge)
    got = selectors.forge_line_url(source, path="py/lists.md", commit="abc123", line=7)
    assert got == expected


def _synced(repo, text: str):
    repo.write("python.md", text)
    head = repo.commit()
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sync_request(source=source)
    return source, head


def test_edited_card_offers_a_patch_that_git_applies_to_the_notes(repo, tmp_path):
    text = notes(
        ("What is a list?", "A mutable sequence."),
        ("What is a tuple?", "An immutable sequence."),
        title="Python",
    )
    _, head = _synced(repo, text)
    card = Note.objects.get(question="What is a tuple?")
    assert selectors.card_patch(card) == ""  # unedited: nothing to offer

    note_update(note=card, answer="An immutable sequence; hashable when its items are.")
    patch = selectors.card_patch(card)

    assert patch.startswith("--- a/python.md\n+++ b/python.md\n")
    assert "-An immutable sequence.\n" in patch
    patch_file = tmp_path / "card.patch"
    patch_file.write_text(patch)
    repo.git("apply", str(patch_file))
    edited = (repo.path / "python.md").read_text()
    assert "hashable when its items are" in edited
    assert "A mutable sequence." in edited
    assert SourceFile.objects.get(path="python.md").commit == head


def test_card_page_links_to_the_patch_and_the_source(repo, client):
    source, head = _synced(repo, notes(("What is a set?", "A collection.")))
    card = Note.objects.get()
    client.force_login(source.owner)
    page = client.get(card.get_absolute_url()).content.decode()
    assert head[:10] in page and "/patch" not in page and ".patch" not in page
    note_update(note=card, question="What is a set in Python?")
    page = client.get(card.get_absolute_url()).content.decode()
    assert f"/sources/cards/{card.pk}.patch" in page
    response = client.get(f"/sources/cards/{card.pk}.patch")
    assert response.status_code == 200
    assert b"+## What is a set in Python?" in response.content
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/sources/cards/{card.pk}.patch").status_code == 404


def test_credential_is_stored_encrypted_and_never_returned(repo, client, settings):
    owner = UserFactory()
    source = services.source_create(
        owner=owner, name="private", url=repo.url, secret="glpat-very-secret"
    )
    stored = Source.objects.values_list("credential_encrypted", flat=True).get(pk=source.pk)
    assert "very-secret" not in stored
    assert decrypt_secret(stored) == "glpat-very-secret"
    client.force_login(owner)
    body = client.get(f"/api/v1/sources/{source.pk}/").json()
    assert body["has_credential"] is True
    assert "very-secret" not in str(body) and "secret" not in body
    # A different key cannot read it: the error says so instead of failing obscurely.
    settings.RECALL_SOURCE_KEY = "A" * 43 + "="
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "RECALL_SOURCE_KEY" in run.error
