"""The production stack of `make prod-up` driven from tests, and throwaway servers for it.

``Stack`` runs `make prod-up` / `make prod-down` with a test's own runtime directory,
database and Redis, and talks to the stack only through nginx. ``ScratchPostgres`` and
``ScratchRedis`` are servers a test starts (and may stop and restart) on free ports, so that
a test of outages never touches the machine's shared PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
# Variables of the test run that must not leak into the stack's environment.
PASSTHROUGH = {"PATH", "HOME", "LANG", "LC_ALL", "USER", "LOGNAME", "TMPDIR", "CI"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


class Stack:
    """`make prod-up` on a free port with this test's runtime directory and services."""

    def __init__(
        self, port: int, *, var: Path, database_url: str, redis_url: str, **extra: str
    ) -> None:
        self.port = port
        self.var = var
        self.base = f"http://127.0.0.1:{port}"
        self.env = {k: v for k, v in os.environ.items() if k in PASSTHROUGH}
        self.env.update(
            {
                "PROD_PORT": str(port),
                "RECALL_VAR": str(var),
                "PROD_DATABASE_URL": database_url,
                "PROD_REDIS_URL": redis_url,
                # This checkout's code, whatever an installed copy of the project points at.
                "PYTHONPATH": str(ROOT),
                "GUNICORN_WORKERS": "2",
                "CELERY_CONCURRENCY": "2",
                **extra,
            }
        )

    def make(self, target: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "--no-print-directory", target],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            ["bash", "scripts/prod_manage.sh", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def supervisorctl(self, *args: str) -> str:
        ctl = subprocess.run(
            [
                "bash",
                "-c",
                'source scripts/prod_env.sh && "$SUPERVISORCTL" -c deploy/supervisord.conf "$@"',
                "supervisorctl",
                *args,
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return ctl.stdout

    def program_pid(self, name: str) -> int:
        """The pid of a RUNNING program (0 while it is starting or stopped)."""
        match = re.search(r"RUNNING\s+pid (\d+)", self.supervisorctl("status", name))
        return int(match.group(1)) if match else 0

    def all_running(self) -> bool:
        lines = self.supervisorctl("status").splitlines()
        return bool(lines) and all(" RUNNING " in line for line in lines)

    def pids(self) -> list[int]:
        """supervisord and every program it runs (the programs' own children die with them)."""
        pids = [int((self.var / "run" / "supervisord.pid").read_text())]
        out = self.supervisorctl("pid", "all")
        pids += [int(line) for line in out.split() if line.isdigit() and int(line) > 0]
        kids: list[int] = []
        for pid in pids[1:]:
            kids += children(pid)
        return pids + kids

    def request(
        self,
        path: str,
        *,
        token: str = "",
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str | None = None,
        timeout: float = 30,
    ) -> tuple[int, Message, bytes]:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Token {token}"
        req = urllib.request.Request(
            self.base + path, data=data, headers=all_headers, method=method
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()


def _wait_until(check: object, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():  # type: ignore[operator]
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


class ScratchPostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary directory) on a free port.

    Made with the binaries of the installed server; run as the ``postgres`` user when the
    tests run as root (the server refuses root). Trust authentication, loopback only.
    """

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        pg_ctl = shutil.which("pg_ctl") or (str(found[-1]) if found else "")
        if not pg_ctl:
            raise FileNotFoundError("PostgreSQL's server binaries (pg_ctl, initdb) are missing")
        self.bin = Path(pg_ctl).parent
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="recall-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, f"{args[0]}: {result.stdout}\n{result.stderr}"

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "--encoding=UTF8",
        )

    def start(self) -> None:
        # No fsync: a scratch cluster; listen on loopback TCP only (no socket directory).
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= "
        options += "-c fsync=off -c full_page_writes=off -c max_connections=60"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        _wait_until(self.ready, "PostgreSQL start", 60)

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def ready(self) -> bool:
        try:
            with psycopg.connect(f"{self.url}/postgres", connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def create_database(self, name: str) -> str:
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class ScratchRedis:
    """A redis-server of its own on a free port, without persistence."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise FileNotFoundError("redis-server is not installed")
        self.binary = binary
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="recall-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.dir),
                "--logfile", str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_until(lambda: redis.Redis.from_url(self.url).ping(), "Redis start", 30)

    def stop(self) -> None:
        """SIGKILL: the server vanishes as in a crash; every open connection breaks."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
