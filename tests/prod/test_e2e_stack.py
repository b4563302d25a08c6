"""End to end: `make prod-up`, then only through nginx: a page, a static file nginx served,
an API upload imported by a real Celery worker, its progress on the websocket, a search,
and `make prod-down` leaving no process behind.

The stack uses its own PostgreSQL database and Redis database, so this runs in the SQLite
pass only (the PostgreSQL pass excludes the nginx marker).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis
from services import reachable
from websockets.sync.client import connect as ws_connect
from websockets.typing import Origin

from recall.semantic import embeddings
from tests.conftest import missing_service
from tests.prod.stack import ROOT, Stack, alive, free_port

pytestmark = [pytest.mark.nginx, pytest.mark.celery, pytest.mark.redis, pytest.mark.slow]

VAR = ROOT / "var" / "e2e"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/recall_prod_e2e"
REDIS_URL = "redis://127.0.0.1:6379/11"


def _multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: text/markdown\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture(scope="module")
def stack():
    if not reachable("postgres"):
        missing_service("the production stack needs PostgreSQL on 127.0.0.1:5432")
    redis.Redis.from_url(REDIS_URL).flushdb()  # this test's own Redis database
    st = Stack(
        free_port(),
        var=VAR,
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        # The notes limit stays at its default (20); the Anki packages' one is set just
        # above it, so that step 8 can cross both with small bodies.
        RECALL_MAX_APKG_MB="24",
    )
    st.make("prod-down", timeout=180)  # a stack left over by an interrupted run
    up = st.make("prod-up")
    if up.returncode != 0:
        st.make("prod-down", timeout=180)
        pytest.fail(f"make prod-up failed:\n{up.stdout}\n{up.stderr}")
    yield st
    # Normally stopped by the test itself; this only cleans up after a failure.
    st.make("prod-down", timeout=180)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Reports every update job-progress.js makes (the event does not bubble: listen while capturing).
REPORT_UPDATES = """
document.addEventListener("job:update", function (event) {
  console.log("job:update " + JSON.stringify(event.detail));
}, true);
"""
NO_WEBSOCKET = "window.WebSocket = undefined;"


def _big_notes(tmp_path: Path, n: int) -> Path:
    path = tmp_path / f"browser-{n}.md"
    path.write_text(
        "# Browser deck\n\n"
        # A code block per card: highlighting keeps the worker busy for a few seconds, so
        # the page sees progress before the end.
        + "".join(
            f"## Question {i}: what is {i}?\n\nIt is `{i}`.\n\n"
            f"```python\ndef answer_{i}(x):\n    return x * {i}\n```\n\n"
            for i in range(n)
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.browser
def test_job_page_follows_the_import_live_in_a_browser(stack: Stack, tmp_path: Path) -> None:
    """Chromium through nginx: log in, upload, watch the job page move by websocket; then
    the same with no WebSocket in the page, where it polls the JSON status instead."""
    if not Path("/usr/bin/chromium").exists():
        missing_service("Debian's Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    username = f"browser-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    stack.manage(
        "shell",
        "-c",
        "from recall.accounts.models import User\n"
        f"User.objects.create_user('{username}', '', '{password}')",
    )

    def import_and_watch(page: Any, notes: Path) -> tuple[list[dict[str, Any]], list[str]]:
        updates: list[dict[str, Any]] = []
        urls: list[str] = []

        def on_console(msg: Any) -> None:
            if msg.text.startswith("job:update "):
                updates.append(json.loads(msg.text.removeprefix("job:update ")))

        page.on("console", on_console)
        page.on("request", lambda request: urls.append(request.url))
        page.on("websocket", lambda ws: urls.append(ws.url))
        page.goto(f"{stack.base}/import/")
        page.get_by_label("Notes file").set_input_files(str(notes))
        page.get_by_role("button", name="Import").click()
        page.wait_for_url(re.compile(r"/jobs/\d+/$"))
        page.locator('[data-job-status]:text("Done")').wait_for(timeout=120_000)
        return updates, urls

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(30_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            # Logging in through nginx: CSRF's origin check sees the real host and port.
            page.goto(f"{stack.base}/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{stack.base}/")

            context.add_init_script(REPORT_UPDATES)
            updates, urls = import_and_watch(page, _big_notes(tmp_path, 8000))
            assert any("/ws/jobs/" in url for url in urls)
            assert updates[0]["event"] == "state"
            moving = [u for u in updates if u.get("event") == "progress" and u.get("total")]
            # Progress arrived while the worker was importing, not only at the end.
            assert any(0 < u["progress"] < u["total"] for u in moving), updates
            assert updates[-1]["status"] == "succeeded"
            assert not any(re.search(r"/jobs/\d+/status/$", url) for url in urls)
            context.close()

            # No WebSocket at all: the page polls the JSON status until the job is done.
            context = browser.new_context()
            context.add_init_script(NO_WEBSOCKET + REPORT_UPDATES)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{stack.base}/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{stack.base}/")
            updates, urls = import_and_watch(page, _big_notes(tmp_path, 500))
            assert any(re.search(r"/jobs/\d+/status/$", url) for url in urls)
            assert not any("/ws/jobs/" in url for url in urls)
            assert updates and updates[-1]["status"] == "succeeded"
            assert errors == []
        finally:
            browser.close()


def test_stack_end_to_end_through_nginx(stack: Stack, flagship_path: Path) -> None:
    # 1. A page, through nginx to gunicorn.
    status, headers, body = stack.request("/")
    assert status == 200
    assert headers.get("Server", "").startswith("nginx")
    # Security headers once each: Django's, plus what only nginx adds.
    assert headers.get_all("X-Frame-Options") == ["DENY"]
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers.get("Permissions-Policy")
    assert headers.get("X-Served-By") is None  # a page comes from Django, not from disk
    page = body.decode()
    assert "Recall" in page

    # 2. A static file, served by nginx from STATIC_ROOT (Django never sets this header).
    css = re.search(r'href="(/static/[^"]+\.css)"', page)
    assert css, "the page links no stylesheet"
    status, headers, body = stack.request(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("X-Served-By") == "nginx-static"
    assert headers.get("Content-Type", "").startswith("text/css")
    assert headers.get("Content-Encoding") == "gzip"
    # And the uploads of pending imports are never served.
    assert stack.request("/media/imports/anything.md")[0] == 404

    # 3. A user and an API token, made with manage.py in the stack's environment.
    username = f"e2e-{secrets.token_hex(4)}"
    token = (
        stack.manage(
            "shell",
            "-c",
            "from recall.accounts.models import User\n"
            "from recall.accounts.tokens import api_token_create\n"
            f"user = User.objects.create_user('{username}', '{username}@example.org', 'pw-x')\n"
            "user.daily_digest = True\n"
            "user.save()\n"
            "print(api_token_create(user=user, name='e2e')[1])",
        )
        .strip()
        .splitlines()[-1]
    )

    # 4. Upload the flagship notes through the API: 202 and a pending job.
    body_bytes, content_type = _multipart("file", flagship_path.name, flagship_path.read_bytes())
    status, _, body = stack.request(
        "/api/v1/decks/import/",
        token=token,
        data=body_bytes,
        headers={"Content-Type": content_type},
        method="POST",
    )
    assert status == 202, body[:500]
    job_id = json.loads(body)["id"]

    # 5. The websocket, through nginx to uvicorn: the state at once, then progress to the end.
    events: list[dict[str, Any]] = []
    with ws_connect(
        f"ws://127.0.0.1:{stack.port}/ws/jobs/{job_id}/",
        origin=Origin(f"http://127.0.0.1:{stack.port}"),
        additional_headers={"Authorization": f"Token {token}"},
        open_timeout=10,
    ) as socket_:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            event = json.loads(socket_.recv(timeout=max(1.0, deadline - time.monotonic())))
            events.append(event)
            if event.get("status") in {"succeeded", "failed"}:
                break
    assert events[0]["event"] == "state" and events[0]["job"] == job_id
    assert events[-1]["status"] == "succeeded", events[-1]
    assert all(e["job"] == job_id for e in events)

    # A stranger's token is refused with the application's close code.
    stranger = (
        stack.manage(
            "shell",
            "-c",
            "from recall.accounts.models import User\n"
            "from recall.accounts.tokens import api_token_create\n"
            f"user = User.objects.create_user('{username}-x', '', 'pw')\n"
            "print(api_token_create(user=user, name='e2e')[1])",
        )
        .strip()
        .splitlines()[-1]
    )
    with (
        ws_connect(
            f"ws://127.0.0.1:{stack.port}/ws/jobs/{job_id}/",
            origin=Origin(f"http://127.0.0.1:{stack.port}"),
            additional_headers={"Authorization": f"Token {stranger}"},
            open_timeout=10,
        ) as socket_,
        pytest.raises(Exception) as closed,
    ):
        socket_.recv(timeout=10)
    assert getattr(closed.value, "rcvd", None) is not None and closed.value.rcvd.code == 4403

    # 6. The job, as the API reports it: done by the worker, the deck filled.
    status, _, body = stack.request(f"/api/v1/jobs/{job_id}/", token=token)
    job = json.loads(body)
    assert status == 200 and job["status"] == "succeeded", job
    assert job["result"]["created"] > 10
    status, _, body = stack.request(f"/api/v1/notes/?deck={job['deck']}", token=token)
    assert status == 200
    assert json.loads(body)["count"] == job["result"]["created"]

    # 7. Search finds a card of the imported notes.
    deadline = time.monotonic() + 60
    while True:
        status, _, body = stack.request("/api/v1/search/?q=celery", token=token)
        found = json.loads(body) if status == 200 else {}
        if found.get("count") or time.monotonic() > deadline:
            break
        time.sleep(1)  # the index may be updated by a task after the import's commit
    assert status == 200
    assert found["count"] > 0
    assert any(hit["deck"]["id"] == job["deck"] for hit in found["results"])
    # By meaning: a gunicorn worker, forked from the master that loaded the model, encodes
    # the query (a fork after the model ran would hang here until the request timed out).
    status, _, body = stack.request("/api/v1/search/?q=background+jobs&mode=semantic", token=token)
    assert status == 200, body
    if embeddings.is_available():
        assert json.loads(body)["mode"] == "semantic"

    # 8. Upload limits. A notes file over RECALL_MAX_UPLOAD_MB (20) within the Anki
    # packages' limit (24) passes nginx on the import endpoint, and Django refuses it for
    # its type; nginx itself refuses a body over 24 MB there, and over 20 MB elsewhere.
    def post(path: str, filename: str, megabytes: int) -> tuple[int, bytes]:
        body, content_type = _multipart("file", filename, b"x" * (megabytes * 1024 * 1024))
        status, _, answer = stack.request(
            path, token=token, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        return status, answer

    status, answer = post("/api/v1/decks/import/", "big.md", 21)
    assert status == 400
    assert "the limit is 20.0" in json.loads(answer)["error"]["fields"]["file"][0]
    assert post("/api/v1/decks/import/", "big.apkg", 25)[0] == 413
    assert post("/api/v1/notes/", "big.md", 21)[0] == 413

    # 9. The nightly digest, run by the real worker, writes this user's mail (file backend).
    stack.manage(
        "shell",
        "-c",
        "from recall.study.tasks import send_daily_digests\nsend_daily_digests.delay()",
    )
    deadline = time.monotonic() + 60
    mails: list[str] = []
    while not mails and time.monotonic() < deadline:
        mails = [
            text
            for f in (VAR / "mail").glob("*.log")
            if f"To: {username}@example.org" in (text := f.read_text(errors="replace"))
            and "cards due today" in text
        ]
        time.sleep(0.5)
    assert len(mails) == 1
    subject = re.search(r"Subject: Recall: 0 cards due today, (\d+) new", mails[0])
    # New cards offered today: the deck's daily limit (20 by default) caps them.
    assert subject and int(subject.group(1)) == min(job["result"]["created"], 20)

    # 10. supervisor restarts a program that dies: kill -9 the Celery worker's main process.
    old = stack.program_pid("worker")
    os.kill(old, 9)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and stack.program_pid("worker") in {0, old}:
        time.sleep(0.5)
    assert stack.program_pid("worker") not in {0, old}

    # 11. make prod-down stops everything and waits.
    pids = stack.pids()
    assert len(pids) >= 6  # supervisord + gunicorn, uvicorn, worker, beat, nginx
    down = stack.make("prod-down", timeout=180)
    assert down.returncode == 0, down.stderr
    left = [pid for pid in pids if alive(pid)]
    assert left == [], f"still running after prod-down: {left}"
    assert not (VAR / "run" / "gunicorn.sock").exists()
