"""Celery beat (DatabaseScheduler, from its migration) syncs a due source in a real worker.

Real processes: a worker with an embedded beat, production settings, its own PostgreSQL
database and Redis database (both can be moved with SOURCES_BEAT_DATABASE / _REDIS_URL).
"""

from __future__ import annotations

import os
import secrets
import shutil
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
from tests.sources.conftest import GitRepo, notes

pytestmark = [pytest.mark.celery, pytest.mark.redis, pytest.mark.slow]

DB_NAME = os.environ.get("SOURCES_BEAT_DATABASE", "recall_prod_sources_beat")
REDIS_URL = os.environ.get("SOURCES_BEAT_REDIS_URL", "redis://127.0.0.1:6379/13")


def _query(text: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", autocommit=True) as c:
        return c.execute(text, params).fetchall()  # type: ignore[arg-type]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if not reachable("postgres"):
        missing_service("the beat test needs PostgreSQL on 127.0.0.1:5432")
    if shutil.which("git") is None:
        pytest.skip("the git binary is needed to make the test repository")
    with production_environment(
        tmp_path,
        database=DB_NAME,
        redis_url=REDIS_URL,
        RECALL_SOURCE_ROOTS=str(tmp_path / "allowed"),
    ) as values:
        yield values


def test_beat_syncs_a_due_source_in_a_real_worker(env, tmp_path):
    repo = GitRepo(tmp_path / "allowed" / "notes")
    repo.write("python.md", notes(("What is a list?", "A mutable sequence."), title="Python"))
    head = repo.commit()
    code = (
        "from recall.accounts.models import User\n"
        "from recall.sources.services import source_create\n"
        "user = User.objects.create_user('beat')\n"
        f"source_create(owner=user, name='notes', url={repo.url!r})\n"
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    # The migration's schedule runs every minute; mark it as last run long ago so beat
    # sends it at start instead of a minute later.
    _query(
        "UPDATE django_celery_beat_periodictask SET last_run_at = now() - interval '1 hour' "
        "WHERE task = 'recall.sources.tasks.sync_due_sources' RETURNING id"
    )
    log = tmp_path / "worker.log"
    with log.open("ab") as handle:
        worker = subprocess.Popen(
            worker_command(
                f"beat-{secrets.token_hex(3)}@%h",
                "--pool",
                "solo",
                "--beat",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ),
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 150
            rows: list[tuple[Any, ...]] = []
            while time.monotonic() < deadline:
                rows = _query("SELECT status, trigger, commit FROM sources_syncrun")
                if rows and rows[0][0] in {"succeeded", "failed"}:
                    break
                assert worker.poll() is None, log.read_text()[-3000:]
                time.sleep(0.5)
            assert rows, "beat queued no sync:\n" + log.read_text()[-3000:]
            assert rows[0] == ("succeeded", "schedule", head), log.read_text()[-3000:]
            cards = _query("SELECT question, source_file FROM decks_note")
            assert cards == [("What is a list?", "python.md")]
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
