"""RabbitMQ works as the broker by URL alone: a real worker runs the link checker over AMQP
and the caller gets the result back over rpc:// (no Redis configured at all)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from kombu import Connection
from services import reachable

from tests.conftest import missing_service
from tests.prod.celery_worker import worker_command

pytestmark = [pytest.mark.celery, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BROKER = "amqp://guest:guest@127.0.0.1:5672//"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD


@pytest.fixture
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_worker_over_amqp_runs_a_task_and_returns_its_result(tmp_path, http_server):
    if not reachable("rabbitmq"):
        missing_service("RabbitMQ is not reachable on 127.0.0.1:5672")
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL=BROKER,
        RECALL_LINKCHECK_ALLOW_PRIVATE="true",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    queue = f"test-amqp-{secrets.token_hex(4)}"  # our own queue on the shared broker

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput", "-v0")
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        worker_command(f"{queue}@%h", "--queues", queue),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out = manage(
            "shell",
            "-c",
            "from django.conf import settings\n"
            "from recall.accounts.models import User\n"
            "from recall.decks.models import Deck, Link\n"
            "from recall.decks.tasks import check_deck_links\n"
            "assert not settings.CELERY_TASK_ALWAYS_EAGER\n"
            "print('broker', settings.CELERY_BROKER_URL.split('@')[-1])\n"
            "print('results', settings.CELERY_RESULT_BACKEND)\n"
            "user = User.objects.create_user('amqp')\n"
            "deck = Deck.objects.create(owner=user, title='AMQP', slug='amqp')\n"
            f"Link.objects.create(deck=deck, url='{http_server}/ok')\n"
            f"Link.objects.create(deck=deck, url='{http_server}/gone')\n"
            f"result = check_deck_links.apply_async(args=[deck.pk], queue='{queue}')\n"
            "counts = result.get(timeout=90)\n"
            "print('counts', sorted(counts.items()))\n"
            "print('stored', sorted(Link.objects.values_list('status', 'http_status')))\n",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
        with Connection(BROKER) as conn:
            conn.default_channel.queue_delete(queue)
    assert "broker 127.0.0.1:5672//" in out and "results rpc://" in out
    assert "counts [('broken', 1), ('ok', 1)]" in out
    assert "stored [('broken', 404), ('ok', 200)]" in out
    assert "check_deck_links" in (tmp_path / "worker.log").read_text()
