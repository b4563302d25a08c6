"""Read a source's files: fetch a Git branch's head (dulwich) or walk an allowed server folder.

Only the head commit is fetched (depth 1) into memory, within a size and a time limit; the
sync compares the files found with those last imported, so rewritten history (a force push)
needs nothing special.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings

from recall.core.exceptions import ApplicationError
from recall.decks.linkcheck import HostRefused, refuse_private_host
from recall.decks.uploads import TEXT_EXTENSIONS, extension_of

_SCP_RE = re.compile(r"^(?P<user>[\w.+-]+)@(?P<host>[\w.-]+):(?P<path>[^/].*|/.+)$")
_DEFAULT_PORTS = {"https": 443, "ssh": 22, "git": 9418, "http": 80}


class SourceRejected(ApplicationError):
    """The source's location or options may not be used; the message says why."""

    code = "source_rejected"


class SyncFailed(ApplicationError):
    """A sync could not read the source (unreachable, too big, too slow, no such branch)."""

    code = "sync_failed"


@dataclass
class Snapshot:
    """The files of a source at one commit: path -> Git blob id, and a way to read each."""

    commit: str
    files: dict[str, str]
    read: Callable[[str], bytes]


# ---------------------------------------------------------------------------------------------
# Where a source may point


def _under_roots(path: str) -> Path:
    if not os.path.isabs(path):
        raise SourceRejected("a server folder must be an absolute path")
    resolved = Path(path).resolve()
    for root in settings.RECALL_SOURCE_ROOTS:
        if root and resolved.is_relative_to(Path(root).resolve()):
            return resolved
    raise SourceRejected(
        "this folder is not under a folder the administrator allowed (RECALL_SOURCE_ROOTS)"
    )


def _vet_host(host: str, port: int) -> None:
    if settings.RECALL_SOURCE_ALLOW_PRIVATE:
        return
    try:
        refuse_private_host(host, port)
    except HostRefused as exc:
        raise SourceRejected(f"{host}: {exc}") from None


def check_git_url(url: str) -> None:
    """Allow https://, ssh:// and git@host:path URLs (and file:// under RECALL_SOURCE_ROOTS)."""
    url = url.strip()
    scp = _SCP_RE.match(url)
    if scp and "://" not in url:
        if "ssh" not in settings.RECALL_SOURCE_SCHEMES:
            raise SourceRejected("SSH repositories are not allowed on this server")
        _vet_host(scp["host"], 22)
        return
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in {"", "localhost"}:
            raise SourceRejected("a file:// URL must name a local path")
        _under_roots(unquote(parts.path))
        return
    if scheme not in settings.RECALL_SOURCE_SCHEMES:
        allowed = ", ".join(f"{s}://" for s in settings.RECALL_SOURCE_SCHEMES)
        raise SourceRejected(f"only {allowed} and git@host:path repository URLs are allowed")
    if not parts.hostname:
        raise SourceRejected("the repository URL has no host")
    if parts.password:
        raise SourceRejected("put the token in the credential field, not in the URL")
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 443)
    except ValueError:
        raise SourceRejected("the repository URL has an invalid port") from None
    _vet_host(parts.hostname, port)


def _vetted_pool_manager_class() -> type:
    """A urllib3 pool manager that vets every redirect's target like the first URL."""
    import urllib3

    class VettedPoolManager(urllib3.PoolManager):
        def urlopen(  # type: ignore[override]
            self, method: str, url: str, redirect: bool = True, **kw: Any
        ) -> Any:
            for _ in range(5):
                check_git_url(url)
                response = super().urlopen(method, url, redirect=False, **kw)
                location = response.get_redirect_location()
                if not redirect or not location:
                    return response
                response.drain_conn()
                url = urljoin(url, location)
                if method == "POST" and response.status in (301, 302, 303):
                    raise SyncFailed(f"the server redirected a request to {url}")
            raise SyncFailed("the repository URL redirects too many times")

    return VettedPoolManager


def check_folder(path: str) -> None:
    if not _under_roots(path).is_dir():
        raise SourceRejected(f"{path} is not a folder")


def check_glob(subfolder: str, glob: str) -> None:
    for value in (subfolder, glob):
        if value.startswith("/") or ".." in PurePosixPath(value).parts:
            raise SourceRejected("sub-folder and pattern must stay inside the source")


def file_matches(path: str, *, subfolder: str, glob: str) -> bool:
    """Is this path (relative to the source's root) one of the source's notes files?"""
    if extension_of(path) not in TEXT_EXTENSIONS:
        return False
    prefix = subfolder.strip("/")
    if prefix:
        if not path.startswith(prefix + "/"):
            return False
        path = path[len(prefix) + 1 :]
    pattern = glob.strip() or "**/*"
    # fnmatch's * already crosses "/", so "**/" only needs to match nothing at all, too.
    return fnmatchcase(path, pattern) or fnmatchcase(path, pattern.replace("**/", ""))


# ---------------------------------------------------------------------------------------------
# Reading


class _Limits:
    def __init__(self) -> None:
        self.max_bytes = int(settings.RECALL_SOURCE_MAX_BYTES)
        self.max_files = int(settings.RECALL_SOURCE_MAX_FILES)
        self.deadline = time.monotonic() + int(settings.RECALL_SOURCE_TIMEOUT)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SyncFailed(f"reading the source took over {settings.RECALL_SOURCE_TIMEOUT} s")

    def check_files(self, count: int) -> None:
        if count > self.max_files:
            raise SyncFailed(
                f"the source has over {self.max_files} notes files (RECALL_SOURCE_MAX_FILES); "
                "narrow it with a sub-folder or pattern"
            )


def blob_id(data: bytes) -> str:
    """The Git blob id of some bytes: a folder's files are compared the same way as Git's."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@contextmanager
def open_snapshot(source: Any, *, secret: str = "") -> Iterator[Snapshot]:
    """The source's matching files as they are now; raises SyncFailed or SourceRejected."""
    if source.kind == "folder":
        yield _folder_snapshot(source)
        return
    check_git_url(source.url)  # again: DNS answers may have changed since the source was added
    with tempfile.TemporaryDirectory(prefix="recall-source-") as tmp:
        yield _git_snapshot(source, secret=secret, tmp=tmp)


def _folder_snapshot(source: Any) -> Snapshot:
    root = _under_roots(source.url)
    if not root.is_dir():
        raise SyncFailed(f"{source.url} is not a folder (any more)")
    limits = _Limits()
    contents: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() or not file_matches(
                rel, subfolder=source.subfolder, glob=source.glob
            ):
                continue
            data = full.read_bytes()
            total += len(data)
            if total > limits.max_bytes:
                raise SyncFailed("the folder's notes exceed RECALL_SOURCE_MAX_BYTES")
            contents[rel] = data
            limits.check_files(len(contents))
            limits.check_time()
    files = {path: blob_id(data) for path, data in contents.items()}
    state = "\n".join(f"{p} {s}" for p, s in sorted(files.items())).encode()
    commit = hashlib.sha1(state, usedforsecurity=False).hexdigest()
    return Snapshot(commit=commit, files=files, read=contents.__getitem__)


def _ssh_command() -> str:
    """The ssh client command for SSH sources: host keys always checked, never a prompt.

    An unknown or changed host key fails the sync (StrictHostKeyChecking=yes) rather than being
    trusted on first use; the administrator pins hosts in RECALL_SOURCE_SSH_KNOWN_HOSTS (empty:
    ssh's own known-hosts files).
    """
    args = [
        "ssh",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        f"ConnectTimeout={int(settings.RECALL_SOURCE_TIMEOUT)}",
    ]
    if settings.RECALL_SOURCE_SSH_CONFIG:
        args += ["-F", str(settings.RECALL_SOURCE_SSH_CONFIG)]
    if settings.RECALL_SOURCE_SSH_KNOWN_HOSTS:
        args += ["-o", f"UserKnownHostsFile={settings.RECALL_SOURCE_SSH_KNOWN_HOSTS}"]
        # Only the pinned file: the system-wide one is not consulted either.
        args += ["-o", "GlobalKnownHostsFile=none"]
    return shlex.join(args)


def _ssh_failure(exc: Any) -> str:
    """What went wrong, from the ssh client's messages, in one line a user can act on."""
    lines = [
        line.decode("utf-8", "replace").strip()
        for line in (getattr(exc, "stderr_lines", None) or [])
    ]
    lines = [line for line in lines if line and not line.startswith("@")]
    text = " ".join(lines)
    if "Host key verification failed" in text:
        changed = "has changed" in text or "HAS CHANGED" in text
        return (
            "Host key verification failed: the SSH server's host key "
            + ("has changed" if changed else "is not known")
            + "; the administrator must add the right key to the known hosts "
            "(RECALL_SOURCE_SSH_KNOWN_HOSTS)"
        )
    if "Permission denied" in text:
        return (
            "the SSH server refused the key (Permission denied (publickey)): "
            "check the source's private key and that its public half is a deploy key"
        )
    return lines[-1] if lines else "the SSH connection closed unexpectedly"


def _is_ssh(url: str) -> bool:
    return url.startswith("ssh://") or (_SCP_RE.match(url) is not None and "://" not in url)


def _git_client_options(source: Any, *, secret: str, tmp: str) -> dict[str, Any]:
    """dulwich client options: the credential (an SSH key file or HTTP basic auth) and,
    over HTTP, a pool manager that vets every redirect."""
    from dulwich.client import default_urllib3_manager

    options: dict[str, Any] = {}
    is_ssh = _is_ssh(source.url)
    if is_ssh:
        options["ssh_command"] = _ssh_command()
    if secret and is_ssh:
        key_file = Path(tmp) / "key"
        key_file.touch(mode=0o600)
        key_file.write_text(secret.strip() + "\n")
        options["key_filename"] = str(key_file)
        # Only the source's own key: not whatever keys the worker's account or agent holds.
        options["ssh_command"] += " -o IdentitiesOnly=yes"
    elif secret:
        options["username"] = source.username or "x-access-token"
        options["password"] = secret
    if source.url.strip().lower().startswith(("https://", "http://")):
        # Redirects are followed by hand, each target vetted (scheme, private address).
        options["pool_manager"] = default_urllib3_manager(
            None,
            pool_manager_cls=_vetted_pool_manager_class(),
            base_url=source.url.strip(),
            timeout=float(settings.RECALL_SOURCE_TIMEOUT),
        )
    return options


def _matching_tree_files(repo: Any, commit: Any, source: Any, limits: _Limits) -> dict[str, str]:
    """The commit's regular files that the source's subfolder and glob select, by blob id."""
    files: dict[str, str] = {}
    for entry in repo.object_store.iter_tree_contents(commit.tree):
        name = entry.path.decode("utf-8", "surrogateescape")
        if not stat.S_ISREG(entry.mode):
            continue  # symlinks and submodules are not notes
        if file_matches(name, subfolder=source.subfolder, glob=source.glob):
            files[name] = entry.sha.decode()
            limits.check_files(len(files))
    return files


def _fetch_failure(exc: Exception, url: str) -> SyncFailed | None:
    """The user-facing reason a fetch failed, or None for an error that is a bug of ours."""
    from dulwich.client import HTTPUnauthorized
    from dulwich.errors import GitProtocolError, HangupException, NotGitRepository

    is_ssh = _is_ssh(url)
    if isinstance(exc, HTTPUnauthorized):
        return SyncFailed(f"{url} refused the credential (or needs one): check the token")
    if isinstance(exc, HangupException):
        return SyncFailed(f"could not fetch {url}: {_ssh_failure(exc) if is_ssh else exc}")
    if isinstance(exc, FileNotFoundError):
        if is_ssh:
            return SyncFailed("SSH repositories need the ssh client on the server")
        return SyncFailed(f"could not fetch {url}")
    if isinstance(exc, (GitProtocolError, NotGitRepository, OSError, ValueError)):
        return SyncFailed(f"could not fetch {url}: {exc or type(exc).__name__}")
    return None


def _git_snapshot(source: Any, *, secret: str, tmp: str) -> Snapshot:
    from dulwich.client import get_transport_and_path
    from dulwich.repo import MemoryRepo

    limits = _Limits()
    options = _git_client_options(source, secret=secret, tmp=tmp)
    branch = (source.branch or "main").strip()
    ref: Any = f"refs/heads/{branch}".encode()
    # Closed with the temporary folder it may spill into (the caller's with-block).
    spool: Any = SpooledTemporaryFile(max_size=8 * 1024 * 1024, dir=tmp)  # noqa: SIM115
    received = 0

    def determine_wants(refs: Any, depth: int | None = None) -> Any:
        sha = refs.get(ref)
        if sha is None:
            raise SyncFailed(f"the repository has no branch '{branch}'")
        return [sha]

    def pack_data(data: bytes) -> int:
        nonlocal received
        received += len(data)
        if received > limits.max_bytes:
            raise SyncFailed(
                f"the repository is larger than {limits.max_bytes // (1024 * 1024)} MB "
                "(RECALL_SOURCE_MAX_BYTES)"
            )
        limits.check_time()
        return int(spool.write(data))

    def progress(message: bytes) -> None:
        limits.check_time()

    repo = MemoryRepo()
    try:
        client, path = get_transport_and_path(source.url.strip(), **options)
        result = client.fetch_pack(
            path, determine_wants, repo.get_graph_walker(), pack_data, progress=progress, depth=1
        )
    except (SyncFailed, SourceRejected):
        raise
    except Exception as exc:
        failure = _fetch_failure(exc, source.url)
        if failure is None:
            raise
        raise failure from None
    head: Any = dict(result.refs or {}).get(ref)
    if head is None:
        raise SyncFailed(f"the repository has no branch '{branch}'")
    if spool.tell():
        spool.seek(0)
        repo.object_store.add_thin_pack(spool.read, None)  # type: ignore[attr-defined]
    spool.close()
    commit = repo[head]
    files = _matching_tree_files(repo, commit, source, limits)

    def read(name: str) -> bytes:
        return bytes(repo[files[name].encode()].as_raw_string())

    return Snapshot(commit=head.decode(), files=files, read=read)
