"""Sync over SSH from a real OpenSSH server on loopback, logging in with the source's key."""

from __future__ import annotations

from pathlib import Path

import pytest

from recall.decks.models import Note
from recall.sources import services
from recall.sources.models import SyncStatus
from tests.factories import UserFactory
from tests.sources.conftest import GitRepo, notes
from tests.sources.ssh_server import SSHServer, make_key

pytestmark = pytest.mark.django_db

PYTHON = notes(
    ("What is a list?", "A mutable sequence."),
    ("What is a tuple?", "An immutable sequence."),
    title="Python",
)


def _sync(source):
    from django.test import TestCase

    # The task is queued on commit (eager in tests): run those callbacks as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.sync_request(source=source)
    run.refresh_from_db()
    return run


def _add(url: str, key: Path, owner=None):
    return services.source_create(
        owner=owner or UserFactory(), name="Notes over SSH", url=url, secret=key.read_text()
    )


def test_ssh_url_syncs_edits_and_keeps_review_history(ssh_server: SSHServer, repo: GitRepo):
    from recall.study.models import ReviewLog
    from recall.study.services import card_grade

    repo.write("python.md", PYTHON)
    repo.write("web/django.md", notes(("What is a queryset?", "A lazy query."), title="Django"))
    first = repo.commit()
    owner = UserFactory()
    source = _add(ssh_server.url(repo.path), ssh_server.client_key, owner)

    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == first and run.created == 3
    assert sorted(f["path"] for f in run.files_changed) == ["python.md", "web/django.md"]
    tuple_card = Note.objects.get(question="What is a tuple?", deck__owner_id=owner.pk)
    studied = tuple_card.cards.get()
    card_grade(user=owner, card_id=studied.pk, grade=3, duration_ms=1000)

    repo.write(
        "python.md",
        notes(
            ("What is a list?", "A mutable sequence."),
            ("What is a tuple?", "An immutable sequence, hashable if its items are."),
            title="Python",
        ),
    )
    second = repo.commit("clarify tuples")
    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == second
    assert [(f["path"], f["change"]) for f in run.files_changed] == [("python.md", "modified")]
    assert (run.created, run.updated) == (0, 1)
    tuple_card.refresh_from_db()
    assert "hashable" in tuple_card.answer and not tuple_card.is_archived
    assert ReviewLog.objects.filter(card=studied).count() == 1
    # The session really went through this sshd with the source's key.
    assert "Accepted publickey" in ssh_server.log.read_text()


def test_wrong_key_fails_clearly_and_keeps_the_last_good_state(
    ssh_server: SSHServer, repo: GitRepo, tmp_path: Path
):
    repo.write("python.md", PYTHON)
    good = repo.commit()
    source = _add(ssh_server.url(repo.path), ssh_server.client_key)
    assert _sync(source).status == SyncStatus.SUCCEEDED

    stranger = make_key(tmp_path / "stranger_key")
    services.source_update(source=source, secret=stranger.read_text())
    repo.write("python.md", notes(("What is a list?", "Changed.")))
    repo.commit("not seen")
    run = _sync(source)

    assert run.status == SyncStatus.FAILED
    assert "Permission denied (publickey)" in run.error
    source.refresh_from_db()
    assert source.last_commit == good
    assert "Permission denied" in source.last_error
    assert Note.objects.filter(deck__owner=source.owner, is_archived=False).count() == 2
    assert Note.objects.get(question="What is a list?").answer == "A mutable sequence."


def test_unknown_host_key_is_refused(ssh_server: SSHServer, repo: GitRepo, settings, tmp_path):
    repo.write("python.md", PYTHON)
    repo.commit()
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    settings.RECALL_SOURCE_SSH_KNOWN_HOSTS = str(empty)
    source = _add(ssh_server.url(repo.path), ssh_server.client_key)

    run = _sync(source)

    assert run.status == SyncStatus.FAILED
    assert "Host key verification failed" in run.error and "is not known" in run.error
    assert "RECALL_SOURCE_SSH_KNOWN_HOSTS" in run.error
    assert not Note.objects.filter(deck__owner=source.owner).exists()


def test_changed_host_key_is_refused(ssh_server: SSHServer, repo: GitRepo, tmp_path: Path):
    repo.write("python.md", PYTHON)
    repo.commit()
    impostor = make_key(tmp_path / "impostor_host_key")
    public = " ".join(impostor.with_suffix(".pub").read_text().split()[:2])
    ssh_server.known_hosts.write_text(f"[127.0.0.1]:{ssh_server.port} {public}\n")
    source = _add(ssh_server.url(repo.path), ssh_server.client_key)

    run = _sync(source)

    assert run.status == SyncStatus.FAILED
    assert "Host key verification failed" in run.error and "has changed" in run.error
    assert "Accepted publickey" not in ssh_server.log.read_text()


def test_scp_like_url_through_a_host_alias(ssh_server: SSHServer, repo: GitRepo):
    # user@host:path has no port: the administrator's ssh config (RECALL_SOURCE_SSH_CONFIG)
    # maps the alias to the loopback server's port, and its host key is still checked.
    repo.write("python.md", PYTHON)
    head = repo.commit()
    source = _add(ssh_server.scp_url(repo.path), ssh_server.client_key)

    run = _sync(source)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == head and run.created == 2


def test_missing_ssh_client_is_said_plainly(repo: GitRepo, settings, monkeypatch, tmp_path):
    repo.write("python.md", PYTHON)
    repo.commit()
    settings.RECALL_SOURCE_ALLOW_PRIVATE = True
    key = tmp_path / "key"
    key.write_text("not used: the client is missing")
    source = _add(f"ssh://git@127.0.0.1:2222{repo.path}", key)
    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))

    run = _sync(source)

    assert run.status == SyncStatus.FAILED
    assert "need the ssh client" in run.error


def test_api_adds_an_ssh_source_with_its_key_never_shown_again(
    ssh_server: SSHServer, repo: GitRepo, client
):
    from django.test import TestCase

    repo.write("python.md", PYTHON)
    head = repo.commit()
    owner = UserFactory()
    client.force_login(owner)
    private_key = ssh_server.client_key.read_text()
    created = client.post(
        "/api/v1/sources/",
        {"name": "ssh notes", "url": ssh_server.url(repo.path), "secret": private_key},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["has_credential"] is True
    source_id = created.json()["id"]
    shown = client.get(f"/api/v1/sources/{source_id}/")
    assert "PRIVATE KEY" not in shown.content.decode()

    with TestCase.captureOnCommitCallbacks(execute=True):
        synced = client.post(f"/api/v1/sources/{source_id}/sync/")
    assert synced.status_code == 202
    runs = client.get(f"/api/v1/sources/{source_id}/runs/").json()["results"]
    assert runs[0]["status"] == "succeeded" and runs[0]["commit"] == head, runs[0]
    assert Note.objects.filter(deck__owner_id=owner.pk, is_archived=False).count() == 2
