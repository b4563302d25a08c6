"""A throwaway OpenSSH server on loopback for the SSH sources tests.

It runs `sshd -D -e` as the current user with its own host key and an authorized_keys file
holding one freshly made client key, so dulwich's ssh client logs in exactly as against a
forge, and `git-upload-pack` serves the test's repositories by path. The client side gets a
known_hosts file pinning this server's host key and an ssh config with a host alias (so a
scp-like `user@alias:/path` URL, which has no port, can reach the server's port).
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
HOST_ALIAS = "recall-notes-host"


def find_sshd() -> str | None:
    """sshd must be started by its absolute path (it re-executes itself per connection)."""
    found = shutil.which("sshd")
    if found:
        return found
    return next((path for path in SSHD_CANDIDATES if os.access(path, os.X_OK)), None)


def missing_binaries() -> str:
    """Why the SSH tests cannot run here ("" when they can)."""
    missing = [name for name in ("ssh", "ssh-keygen", "git") if shutil.which(name) is None]
    if find_sshd() is None:
        missing.append("sshd")
    if not missing:
        return ""
    return f"{', '.join(missing)} not installed (Debian: openssh-server openssh-client git)"


def make_key(path: Path) -> Path:
    """A new ed25519 key pair without a passphrase; returns the private key's path."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", path.name, "-f", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SSHServer:
    port: int
    user: str
    client_key: Path
    known_hosts: Path
    ssh_config: Path
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, repo_path: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{repo_path}"

    def scp_url(self, repo_path: Path) -> str:
        return f"{self.user}@{HOST_ALIAS}:{repo_path}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_sshd(workdir: Path) -> SSHServer:
    """Start sshd on a free loopback port and wait until it accepts connections."""
    sshd = find_sshd()
    assert sshd is not None
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = make_key(workdir / "host_key")
    client_key = make_key(workdir / "client_key")
    authorized = workdir / "authorized_keys"
    authorized.write_text((workdir / "client_key.pub").read_text())
    user = getpass.getuser()
    if os.geteuid() == 0:
        # sshd started as root insists on its privilege-separation directory (Debian's service
        # makes it at boot; a machine that never started the service may lack it).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = _free_port()
    config = workdir / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {host_key}",
                "PidFile none",
                f"AuthorizedKeysFile {authorized}",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                f"AllowUsers {user}",
                "AcceptEnv GIT_PROTOCOL",
                "LogLevel VERBOSE",
                "",
            ]
        )
    )
    public_host_key = " ".join((workdir / "host_key.pub").read_text().split()[:2])
    known_hosts = workdir / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {public_host_key}\n")
    ssh_config = workdir / "ssh_config"
    ssh_config.write_text(f"Host {HOST_ALIAS}\n  HostName 127.0.0.1\n  Port {port}\n")
    log = workdir / "sshd.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = SSHServer(port, user, client_key, known_hosts, ssh_config, process, log)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited at start:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"sshd did not listen on port {port}:\n{log.read_text()}")
