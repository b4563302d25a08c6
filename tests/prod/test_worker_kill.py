"""A Celery worker killed in the middle of an import: after it comes back, the import has
happened exactly once, nothing lost, nothing duplicated.

Real processes against real services: a worker started by the test (production settings,
its own PostgreSQL database and Redis database), a large generated notes file so the import
is still running when the worker is killed with SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from services import reachable

from tests.conftest import missing_service
from tests.prod.celery_worker import ROOT, production_environment, worker_command

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.slow]

DB_NAME = "recall_prod_killtest"
REDIS_URL = "redis://127.0.0.1:6379/12"
CARDS = 8000
# Short, so a message whose worker vanished is handed out again quickly.
VISIBILITY_TIMEOUT = 5


def _notes(n: int) -> str:
    body = "".join(
        f"## Question {i}: what does item {i} do?\n\nItem {i} answers with `code_{i}()`.\n\n"
        for i in range(n)
    )
    return "# A very large deck\n\n" + body


def _query(sql_text: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", autocommit=True) as c:
        return c.execute(sql_text, params).fetchall()  # type: ignore[arg-type]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class Worker:
    """A celery worker process group started by the test, with its log in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.handle = log.open("ab")
        self.proc = subprocess.Popen(
            worker_command(f"kill-{secrets.token_hex(3)}@%h", "--pool", "prefork"),
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError("the worker did not start:\n" + self.log.read_text()[-3000:])

    def child(self) -> int:
        kids = _children(self.proc.pid)
        assert len(kids) == 1, kids
        return kids[0]

    def kill_all(self) -> None:
        """SIGKILL the whole worker (main process and pool), as a crash of the machine would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill_all()
        self.handle.close()


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if not reachable("postgres"):
        missing_service("the kill test needs PostgreSQL on 127.0.0.1:5432")
    with production_environment(
        tmp_path,
        database=DB_NAME,
        redis_url=REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
    ) as values:
        yield values


def _queue_import(env: dict[str, str], tmp_path: Path) -> int:
    notes = tmp_path / "big.md"
    notes.write_text(_notes(CARDS), encoding="utf-8")
    code = (
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from recall.accounts.models import User\n"
        "from recall.decks.services import job_create_import\n"
        "user = User.objects.create_user('killtest')\n"
        f"data = open({str(notes)!r}, 'rb').read()\n"
        "job = job_create_import(owner=user, uploaded_file=SimpleUploadedFile('big.md', data))\n"
        "print(job.pk)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def _wait_status(job_id: int, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _query("SELECT status FROM jobs_job WHERE id = %s", job_id)[0][0]
        if status in wanted:
            return str(status)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not reach {wanted} within {timeout} s")


def _assert_imported_exactly_once(job_id: int) -> None:
    status, result, deck_id = _query(
        "SELECT status, result, deck_id FROM jobs_job WHERE id = %s", job_id
    )[0]
    assert status == "succeeded"
    # The run that succeeded created every card: no earlier run left a partial deck behind.
    assert result["created"] == CARDS and result["updated"] == 0 and result["unchanged"] == 0
    assert _query("SELECT count(*) FROM decks_deck")[0][0] == 1
    assert _query("SELECT count(*) FROM jobs_job WHERE kind = %s", "import")[0][0] == 1
    notes, keys, positions = _query(
        "SELECT count(*), count(DISTINCT source_key), count(DISTINCT position) "
        "FROM decks_note WHERE deck_id = %s",
        deck_id,
    )[0]
    assert notes == keys == positions == CARDS
    # Basic notes: one card each.
    assert _query("SELECT count(*) FROM decks_card WHERE deck_id = %s", deck_id)[0][0] == CARDS


def _kill_point(job_id: int) -> None:
    """Wait until the import is under way (running, nothing committed yet)."""
    _wait_status(job_id, {"running"}, timeout=60)
    time.sleep(0.3)  # an 8,000-card import takes seconds: this is well inside it
    assert _query("SELECT status FROM jobs_job WHERE id = %s", job_id)[0][0] == "running"


def test_killed_pool_process_is_replaced_and_the_import_completes_once(env, tmp_path):
    job_id = _queue_import(env, tmp_path)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        _kill_point(job_id)
        victim = worker.child()
        os.kill(victim, signal.SIGKILL)
        # The killed run committed nothing: its transaction died with its connection.
        time.sleep(0.5)
        assert _query("SELECT count(*) FROM decks_note")[0][0] == 0
        # The main process hands the message back (reject_on_worker_lost) and a new pool
        # process runs it again.
        _wait_status(job_id, {"succeeded", "failed"}, timeout=240)
        assert victim not in _children(worker.proc.pid)
    finally:
        worker.stop()
    log = worker.log.read_text()
    assert "WorkerLostError" in log or "SIGKILL" in log
    _assert_imported_exactly_once(job_id)


def test_whole_worker_killed_then_restarted_the_import_completes_once(env, tmp_path):
    job_id = _queue_import(env, tmp_path)
    first = Worker(env, tmp_path / "worker-1.log")
    try:
        first.wait_ready()
        _kill_point(job_id)
        first.kill_all()
    finally:
        first.stop()
    assert _query("SELECT count(*) FROM decks_note")[0][0] == 0
    assert "run_import_job" in first.log.read_text()

    # A new worker (as supervisor would start): the unacknowledged message becomes visible
    # again after the visibility timeout and is delivered to it.
    second = Worker(env, tmp_path / "worker-2.log")
    try:
        second.wait_ready()
        _wait_status(job_id, {"succeeded", "failed"}, timeout=240)
        # Past another visibility timeout, nothing runs the import a second time.
        time.sleep(VISIBILITY_TIMEOUT + 2)
    finally:
        second.stop()
    assert "run_import_job" in second.log.read_text()
    _assert_imported_exactly_once(job_id)
