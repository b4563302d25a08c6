"""Sources through the API and the web pages: add, sync now, history, errors as 4xx."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from recall.decks.models import Deck
from recall.sources import services
from recall.sources.models import Source, SyncRun
from tests.factories import UserFactory
from tests.sources.conftest import notes

pytestmark = pytest.mark.django_db

PYTHON = notes(("What is a list?", "A mutable sequence."), title="Python")


def test_api_adds_a_source_syncs_it_and_lists_its_history(repo, client):
    repo.write("python.md", PYTHON)
    head = repo.commit()
    owner = UserFactory()
    client.force_login(owner)
    created = client.post(
        "/api/v1/sources/",
        {"name": "notes", "url": repo.url, "secret": "tok"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    source_id = created.json()["id"]
    assert created.json()["has_credential"] is True
    with TestCase.captureOnCommitCallbacks(execute=True):
        synced = client.post(f"/api/v1/sources/{source_id}/sync/")
    assert synced.status_code == 202
    runs = client.get(f"/api/v1/sources/{source_id}/runs/").json()["results"]
    assert len(runs) == 1
    assert runs[0]["status"] == "succeeded" and runs[0]["commit"] == head
    assert runs[0]["files_changed"] == [{"path": "python.md", "change": "added"}]
    assert Deck.objects.filter(owner_id=owner.pk).count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "n", "url": "git://example.com/x.git"},
        {"name": "n", "url": "https://10.1.2.3/x.git"},
        {"name": "n", "url": "file:///etc/passwd"},
        {"name": "n", "url": "https://github.com/a/b.git", "glob": "../*.md"},
        {"name": "", "url": "https://github.com/a/b.git"},
    ],
)
def test_api_refuses_bad_sources_with_a_400(client, source_root, payload):
    client.force_login(UserFactory())
    response = client.post("/api/v1/sources/", payload, content_type="application/json")
    assert response.status_code == 400
    assert not Source.objects.exists()


def test_api_duplicate_name_is_a_400(repo, client):
    owner = UserFactory()
    services.source_create(owner=owner, name="notes", url=repo.url)
    client.force_login(owner)
    response = client.post(
        "/api/v1/sources/", {"name": "notes", "url": repo.url}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "already have a source" in response.json()["error"]["message"]


def test_other_users_sources_are_invisible(repo, client):
    source = services.source_create(owner=UserFactory(), name="notes", url=repo.url)
    client.force_login(UserFactory())
    assert client.get(f"/api/v1/sources/{source.pk}/").status_code == 404
    assert client.post(f"/api/v1/sources/{source.pk}/sync/").status_code == 404
    assert client.get(f"/sources/{source.pk}/").status_code == 404
    assert client.post(f"/sources/{source.pk}/sync/").status_code == 404
    assert not SyncRun.objects.exists()


def test_add_page_creates_the_source_and_runs_its_first_sync(repo, client):
    repo.write("python.md", PYTHON)
    repo.commit()
    owner = UserFactory()
    client.force_login(owner)
    assert client.get("/sources/new/").status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/sources/new/",
            {
                "name": "notes",
                "kind": "git",
                "url": repo.url,
                "branch": "main",
                "glob": "**/*.md",
                "forge": "auto",
                "interval_minutes": 15,
            },
        )
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sources/{source.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "python.md" in page and "Python" in page and "added" in page
    assert client.get("/sources/").status_code == 200


def test_add_page_shows_a_refused_url_on_the_form(client, source_root):
    client.force_login(UserFactory())
    response = client.post(
        "/sources/new/",
        {
            "name": "n",
            "kind": "git",
            "url": "http://github.com/a/b",
            "glob": "**/*.md",
            "forge": "auto",
            "interval_minutes": 15,
        },
    )
    assert response.status_code == 200
    assert "allowed" in response.content.decode()
    assert not Source.objects.exists()


def test_sync_now_button_syncs_a_new_commit(repo, client):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    client.force_login(source.owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/sources/{source.pk}/sync/")
    repo.write("python.md", PYTHON + notes(("What is a dict?", "A mapping.")))
    second = repo.commit()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/sources/{source.pk}/sync/")
    page = client.get(response["Location"]).content.decode()
    assert second[:10] in page
    assert SyncRun.objects.filter(source=source).count() == 2


def test_removing_a_source_keeps_its_decks(repo, client):
    repo.write("python.md", PYTHON)
    repo.commit()
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sync_request(source=source)
    client.force_login(source.owner)
    client.post(f"/sources/{source.pk}/delete/")
    assert not Source.objects.exists()
    assert Deck.objects.filter(owner=source.owner).count() == 1


def test_source_list_costs_the_same_queries_for_one_or_many(
    repo, client, django_assert_max_num_queries
):
    owner = UserFactory()
    client.force_login(owner)
    services.source_create(owner=owner, name="s0", url=repo.url)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/sources/").status_code == 200
        assert client.get("/sources/").status_code == 200
    for i in range(1, 6):
        services.source_create(owner=owner, name=f"s{i}", url=repo.url)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/sources/").json()["results"]) == 6
        assert client.get("/sources/").status_code == 200


def test_edit_page_changes_options_and_keeps_or_removes_the_secret(repo, client):
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url, secret="tok")
    client.force_login(source.owner)
    page = client.get(f"/sources/{source.pk}/edit/")
    assert page.status_code == 200 and "tok" not in page.content.decode().replace("token", "")
    form = {
        "name": "renamed",
        "url": repo.url,
        "branch": "notes",
        "glob": "**/*.md",
        "forge": "auto",
        "interval_minutes": 30,
        "enabled": "on",
    }
    assert client.post(f"/sources/{source.pk}/edit/", form).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.branch, source.interval_minutes) == ("renamed", "notes", 30)
    assert source.has_credential
    bad = client.post(f"/sources/{source.pk}/edit/", {**form, "url": "http://x.org/a"})
    assert bad.status_code == 200
    client.post(f"/sources/{source.pk}/edit/", {**form, "forget_secret": "on"})
    source.refresh_from_db()
    assert not source.has_credential and source.url == repo.url
    client.force_login(UserFactory())
    assert client.get(f"/sources/{source.pk}/edit/").status_code == 404
