"""Sync over smart HTTP from `git http-backend` behind a loopback server that wants a token."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from recall.sources import services
from recall.sources.models import SyncStatus
from tests.factories import UserFactory
from tests.sources.conftest import GitRepo, notes

pytestmark = pytest.mark.django_db

TOKEN = "deploy-token-42"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _git_http_app(project_root: str, seen: list[str]) -> Any:
    """A WSGI app that runs git http-backend (CGI) for each request with the right token."""
    expected = "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.append(environ.get("HTTP_AUTHORIZATION", ""))
        if environ.get("HTTP_AUTHORIZATION") != expected:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="git"')])
            return [b""]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": project_root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": environ["PATH_INFO"],
            "REQUEST_METHOD": environ["REQUEST_METHOD"],
            "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": environ.get("HTTP_CONTENT_ENCODING", ""),
            "GIT_PROTOCOL": environ.get("HTTP_GIT_PROTOCOL", ""),
            "REMOTE_ADDR": "127.0.0.1",
        }
        out = subprocess.run(
            ["git", "http-backend"],
            input=body,
            env=env,
            capture_output=True,
            check=True,
        ).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = "200 OK", []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name:
                headers.append((name, value.strip()))
        start_response(status, headers)
        return [payload]

    return app


@pytest.fixture
def http_repo(repo: GitRepo) -> Iterator[tuple[GitRepo, str, list[str]]]:
    seen: list[str] = []
    server = make_server(
        "127.0.0.1", 0, _git_http_app(str(repo.path.parent), seen), handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield repo, f"http://127.0.0.1:{server.server_port}/{repo.path.name}", seen
    finally:
        server.shutdown()


def test_sync_over_smart_http_with_a_token(http_repo, settings):
    repo, url, seen = http_repo
    repo.write("python.md", notes(("What is a list?", "A mutable sequence.")))
    head = repo.commit()
    settings.RECALL_SOURCE_SCHEMES = ["https", "http"]
    settings.RECALL_SOURCE_ALLOW_PRIVATE = True
    owner = UserFactory()

    without = services.source_create(owner=owner, name="no token", url=url)
    run = services.sync_request(source=without)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SyncStatus.FAILED
    assert "credential" in run.error

    source = services.source_create(owner=owner, name="token", url=url, secret=TOKEN)
    run = services.sync_request(source=source)
    services.sync_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.commit == head and run.created == 1
    assert any(value.startswith("Basic ") for value in seen)
