"""A source's import options: set on its form or in the API, used by every sync."""

from __future__ import annotations

import pytest
from django.urls import reverse

from recall.decks.importers.base import ImportOptions
from recall.decks.models import Deck
from recall.decks.services import ImportRejected
from recall.jobs.models import JobKind
from recall.sources import services
from recall.sources.models import Source
from tests.factories import UserFactory
from tests.sources.conftest import notes

pytestmark = pytest.mark.django_db

PYTHON = notes(("What is a list?", "A mutable sequence."), title="Python")


def sync(source: Source):
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def test_every_sync_reads_the_files_with_the_sources_options(repo, seen):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = services.source_create(
        owner=UserFactory(),
        name="vault",
        url=repo.url,
        import_options={"inline_separator": ":=", "cloze_bold": True},
    )
    assert source.import_options == {"inline_separator": ":=", "cloze_bold": True}
    run = sync(source)
    assert run.job.kind == JobKind.SOURCE_SYNC
    assert seen == [ImportOptions(inline_separator=":=", cloze_bold=True)]
    deck = Deck.objects.get(owner=source.owner)
    assert deck.import_options == {"inline_separator": ":=", "cloze_bold": True}

    # Back to the defaults: the deck's memory of ":=" does not outlive the source's setting.
    services.source_update(source=source, import_options={})
    repo.write("python.md", PYTHON + "## What is a set?\n\nUnique items.\n")
    repo.commit()
    sync(source)
    assert seen[-1] == ImportOptions()
    deck.refresh_from_db()
    assert deck.import_options == {}


def test_bad_source_options_are_refused(source_root):
    with pytest.raises(ImportRejected, match="inline_separator must be 1 to 8 characters"):
        services.source_create(
            owner=UserFactory(),
            name="vault",
            url=str(source_root),
            kind="folder",
            import_options={"inline_separator": "123456789"},
        )
    assert not Source.objects.exists()


def test_api_sets_and_validates_a_sources_options(client, source_root):
    client.force_login(UserFactory())
    bad = client.post(
        "/api/v1/sources/",
        {
            "name": "vault",
            "url": str(source_root),
            "kind": "folder",
            "import_options": {"cloze_bold": "perhaps"},
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "cloze_bold" in str(bad.json()["error"]["fields"])
    assert "valid boolean" in str(bad.json()["error"]["fields"])
    assert not Source.objects.exists()
    created = client.post(
        "/api/v1/sources/",
        {
            "name": "vault",
            "url": str(source_root),
            "kind": "folder",
            "import_options": {"multiline_separator": "%", "cloze_highlight": True},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    # Stored without the defaults.
    assert created.json()["import_options"] == {"multiline_separator": "%"}
    changed = client.patch(
        f"/api/v1/sources/{created.json()['id']}/",
        {"import_options": {"headings_as_cards": False}},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert Source.objects.get().import_options == {"headings_as_cards": False}


def test_the_source_form_has_the_options_and_saves_them(client, source_root, monkeypatch):
    owner = UserFactory()
    client.force_login(owner)
    page = client.get(reverse("sources:source-create")).content.decode()
    assert "<legend>How the notes are read</legend>" in page
    # The first sync is queued on commit; not run here.
    response = client.post(
        reverse("sources:source-create"),
        {
            "name": "vault",
            "kind": "folder",
            "url": str(source_root),
            "glob": "**/*.md",
            "forge": "auto",
            "interval_minutes": 15,
            "inline_separator": ":=",
            "cloze_curly": "yes",
            "headings_as_cards": "no",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    source = Source.objects.get(owner_id=owner.pk)
    assert source.import_options == {
        "inline_separator": ":=",
        "cloze_curly": True,
        "headings_as_cards": False,
    }
    edit = client.get(reverse("sources:source-edit", args=[source.pk])).content.decode()
    assert 'value=":="' in edit
    assert '<option value="yes" selected>Yes</option>' in edit
    detail = client.get(source.get_absolute_url()).content.decode()
    assert "<code>inline_separator=:=</code>" in detail


def test_a_cards_patch_reads_the_file_with_the_sources_options(repo, seen):
    from recall.decks.models import Note
    from recall.sources.selectors import card_patch

    repo.write("python.md", PYTHON)
    repo.commit()
    source = services.source_create(
        owner=UserFactory(), name="vault", url=repo.url, import_options={"cloze_bold": True}
    )
    sync(source)
    note = Note.objects.get()
    note.answer = "A mutable, ordered sequence."
    note.save()
    assert "+A mutable, ordered sequence." in card_patch(note)
    assert seen[-1] == ImportOptions(cloze_bold=True)
