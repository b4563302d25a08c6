"""Where a source may point, and the limits of reading one (real repositories, git daemon)."""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from pathlib import Path

import pytest

from recall.sources import services
from recall.sources.fetching import (
    SourceRejected,
    check_git_url,
    file_matches,
)
from recall.sources.models import SyncStatus
from tests.factories import UserFactory
from tests.sources.conftest import notes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/owner/notes.git",
        "git://github.com/owner/notes.git",
        "ftp://example.com/notes",
        "https://user:token@github.com/owner/notes.git",
        "https://127.0.0.1/owner/notes.git",
        "https://localhost/owner/notes.git",
        "ssh://git@10.0.0.5/owner/notes.git",
        "git@192.168.1.10:owner/notes.git",
        "file:///etc",
    ],
)
def test_only_public_https_ssh_and_allowed_file_urls_are_accepted(url, source_root):
    with pytest.raises(SourceRejected):
        check_git_url(url)


def test_file_url_under_an_allowed_root_is_accepted(repo):
    check_git_url(repo.url)


def test_file_url_escaping_the_root_is_refused(repo, source_root):
    with pytest.raises(SourceRejected):
        check_git_url(f"file://{source_root}/../elsewhere")


def test_bad_url_is_refused_when_adding_and_nothing_is_saved(source_root):
    owner = UserFactory()
    with pytest.raises(SourceRejected):
        services.source_create(owner=owner, name="x", url="git://127.0.0.1/x.git")
    assert not owner.sources.exists()


@pytest.mark.parametrize(
    ("path", "subfolder", "glob", "expected"),
    [
        ("notes/python.md", "", "**/*.md", True),
        ("python.md", "", "**/*.md", True),
        ("notes/a/b.md", "notes", "**/*.md", True),
        ("other/b.md", "notes", "**/*.md", False),
        ("notes/b.txt", "notes", "**/*.md", False),
        ("notes/b.png", "", "**/*", False),
        ("notes/deep/b.md", "", "notes/*.md", True),
        ("notes/b.md", "", "notes/**/*.md", True),
    ],
)
def test_files_chosen_by_subfolder_pattern_and_type(path, subfolder, glob, expected):
    assert file_matches(path, subfolder=subfolder, glob=glob) is expected


def test_repository_over_the_size_limit_fails_and_keeps_state(repo, settings):
    repo.write("python.md", notes(("What is a list?", "A mutable sequence.")))
    # Random text: the pack is compressed, so the answers must not compress away.
    repo.write("big.md", notes(*[(f"Question {i}?", secrets.token_hex(500)) for i in range(20)]))
    repo.commit()
    settings.RECALL_SOURCE_MAX_BYTES = 2000
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED
    assert "RECALL_SOURCE_MAX_BYTES" in run.error
    assert not source.files.exists()


def test_too_many_files_fails_with_a_hint(repo, settings):
    for i in range(4):
        repo.write(f"n{i}.md", notes((f"What is {i}?", "A number.")))
    repo.commit()
    settings.RECALL_SOURCE_MAX_FILES = 3
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED
    assert "sub-folder" in run.error


def test_server_folder_source_syncs_plain_files(source_root):
    folder = source_root / "vault"
    (folder / "python").mkdir(parents=True)
    (folder / "python" / "lists.md").write_text(notes(("What is a list?", "A sequence.")))
    source = services.source_create(
        owner=UserFactory(), name="vault", url=str(folder), kind="folder"
    )
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.created == 1
    (folder / "python" / "lists.md").write_text(notes(("What is a list?", "A mutable one.")))
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert (run.updated, run.created) == (1, 0)
    assert run.files_changed == [{"path": "python/lists.md", "change": "modified"}]


def test_server_folder_outside_the_allowed_roots_is_refused(tmp_path, source_root):
    with pytest.raises(SourceRejected):
        services.source_create(owner=UserFactory(), name="etc", url=str(tmp_path), kind="folder")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sync_over_the_git_protocol_from_a_loopback_git_daemon(repo, settings):
    """The network client, not just file://: git daemon serves the repository on loopback."""
    repo.write("python.md", notes(("What is a list?", "A mutable sequence.")))
    head = repo.commit()
    base = Path(repo.path).parent
    port = _free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("git daemon did not start")
                time.sleep(0.05)
        url = f"git://127.0.0.1:{port}/notes"
        owner = UserFactory()
        # The default policy refuses both the scheme and the loopback host.
        with pytest.raises(SourceRejected):
            services.source_create(owner=owner, name="daemon", url=url)
        settings.RECALL_SOURCE_SCHEMES = ["https", "ssh", "git"]
        with pytest.raises(SourceRejected, match="private"):
            services.source_create(owner=owner, name="daemon", url=url)
        settings.RECALL_SOURCE_ALLOW_PRIVATE = True
        source = services.source_create(owner=owner, name="daemon", url=url)
        run = services.sync_request(source=source)
        services.sync_run(run_id=run.pk)
        run.refresh_from_db()
        assert run.status == SyncStatus.SUCCEEDED, run.error
        assert run.commit == head and run.created == 1
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_a_redirect_to_a_refused_host_is_not_followed(source_root, settings, monkeypatch):
    """Over HTTP: the first host is allowed, the address it redirects to is not."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from recall.sources import fetching

    hits: list[str] = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.headers["Host"])
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/inside")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RECALL_SOURCE_SCHEMES = ["https", "http"]

    def refuse_localhost(host: str, port: int) -> None:
        if host == "localhost":
            raise SourceRejected("localhost: refused: address on a private or local network")

    monkeypatch.setattr(fetching, "_vet_host", refuse_localhost)
    try:
        url = f"http://127.0.0.1:{server.server_port}/notes.git"
        source = services.source_create(owner=UserFactory(), name="r", url=url)
        run = services.sync_request(source=source)
        services.sync_run(run_id=run.pk)
        run.refresh_from_db()
    finally:
        server.shutdown()
    assert run.status == SyncStatus.FAILED
    assert "localhost" in run.error and "refused" in run.error
    assert all(host.startswith("127.0.0.1") for host in hits) and len(hits) == 1
