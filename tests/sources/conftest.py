"""Real Git repositories on disk for the sources tests (made with the git binary)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing_service
from tests.sources.ssh_server import SSHServer, missing_binaries, start_sshd

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Notes Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Notes Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
    "PATH": "/usr/bin:/bin",
}


class GitRepo:
    """A working repository the test edits and commits to, as a notes author would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env=GIT_ENV,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    def write(self, name: str, text: str) -> None:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def commit(self, message: str = "notes") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    @property
    def url(self) -> str:
        return self.path.as_uri()


@pytest.fixture
def source_root(tmp_path: Path, settings) -> Path:
    root = tmp_path / "allowed"
    root.mkdir()
    settings.RECALL_SOURCE_ROOTS = [str(root)]
    return root


@pytest.fixture
def repo(source_root: Path) -> GitRepo:
    if shutil.which("git") is None:
        pytest.skip("the git binary is needed to make test repositories")
    return GitRepo(source_root / "notes")


def notes(*pairs: tuple[str, str], title: str = "") -> str:
    """A Markdown notes file: one '## question' heading per card, its answer below."""
    head = f"# {title}\n\n" if title else ""
    return head + "".join(f"## {q}\n\n{a}\n\n" for q, a in pairs)


@pytest.fixture
def ssh_server(tmp_path: Path, settings) -> Iterator[SSHServer]:
    """A loopback sshd the product reaches with its real ssh settings (host key pinned)."""
    reason = missing_binaries()
    if reason:
        missing_service(reason)
    server = start_sshd(tmp_path / "sshd")
    settings.RECALL_SOURCE_ALLOW_PRIVATE = True  # the server is on loopback
    settings.RECALL_SOURCE_SSH_KNOWN_HOSTS = str(server.known_hosts)
    settings.RECALL_SOURCE_SSH_CONFIG = str(server.ssh_config)
    try:
        yield server
    finally:
        server.stop()
