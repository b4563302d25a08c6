"""Faults under load: clients study through nginx while a gunicorn worker is killed, Redis
restarts and PostgreSQL restarts.

Checked afterwards: every grade answered 2xx is in the review log exactly once (and a grade
whose answer was lost, retried with the same ``version``, is there once too, its retry
answered 409); every failed request got a clear 503 in the API's JSON error shape (from the
app, or from nginx when the worker serving it died; cut off only when the worker died
between an answer's headers and its body), never a 500 or a trace; while Redis is
down grading goes on (the cache degrades); and the whole stack serves again, Celery jobs
included, with no manual step.

The stack is `make prod-up` (supervisord: nginx, gunicorn, uvicorn, Celery worker and beat)
against a PostgreSQL cluster and a redis-server that this test starts on free ports and
restarts itself: the machine's shared servers are never touched. Work is bounded by the
number of clients and cards, not by time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import missing_service
from tests.prod.stack import (
    ROOT,
    ScratchPostgres,
    ScratchRedis,
    Stack,
    children,
    free_port,
)

pytestmark = [pytest.mark.nginx, pytest.mark.celery, pytest.mark.redis, pytest.mark.slow]

VAR = ROOT / "var" / "faults"
CLIENTS = 4
CARDS = 300  # per client: more than the grades a client makes before the test stops it
PAUSE = 0.02  # a student's think time, also keeps the shared machine's CPUs for others
OUTAGE_SECONDS = 3.0
GRADES_BETWEEN_FAULTS = 12  # successful grades (all clients) that prove service is back
GRADE = 4  # Easy: the card leaves the queue for days, so each card is graded once
# Not an HTTP status: the answer's headers arrived, its body did not. A worker killed
# between writing the two (gunicorn sends them apart) leaves nginx nothing to answer with
# but a cut connection; the client retries, as after a 5xx.
CUT_OFF = 599


@dataclass
class Attempt:
    status: int  # 0: no HTTP answer at all
    at: float
    body: bytes = b""
    retry_after: str = ""
    content_type: str = ""
    error: str = ""


@dataclass
class Outcome:
    """One card a client graded: every attempt, and what it became."""

    card: int
    version: int
    attempts: list[Attempt] = field(default_factory=list)
    review_id: int | None = None  # the 200's review id

    @property
    def final(self) -> int:
        return self.attempts[-1].status if self.attempts else 0


@dataclass
class Client:
    user_id: int
    token: str
    outcomes: list[Outcome] = field(default_factory=list)
    queue_failures: list[Attempt] = field(default_factory=list)
    exhausted: bool = False


class Traffic:
    """The clients' threads and a running count of successful grades."""

    def __init__(self, stack: Stack, clients: list[Client]) -> None:
        self.stack = stack
        self.clients = clients
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.successes: list[float] = []
        self.threads = [threading.Thread(target=self._run, args=(c,)) for c in clients]

    def _call(self, path: str, token: str, payload: dict[str, Any] | None = None) -> Attempt:
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        try:
            status, answer_headers, body = self.stack.request(
                path,
                token=token,
                data=data,
                headers=headers,
                method="POST" if data else "GET",
                timeout=20,
            )
        except http.client.IncompleteRead as exc:
            return Attempt(CUT_OFF, time.monotonic(), error=f"answer cut off: {exc!r}")
        except OSError as exc:
            return Attempt(0, time.monotonic(), error=repr(exc))
        return Attempt(
            status,
            time.monotonic(),
            body,
            answer_headers.get("Retry-After", ""),
            answer_headers.get("Content-Type", ""),
        )

    def _run(self, client: Client) -> None:
        while not self.stop.is_set():
            shown = self._call("/api/v1/study/queue/?limit=1", client.token)
            if shown.status != 200:
                client.queue_failures.append(shown)
                time.sleep(0.2)
                continue
            cards = json.loads(shown.body)["cards"]
            if not cards:
                client.exhausted = True
                return
            outcome = Outcome(card=cards[0]["id"], version=cards[0]["version"])
            client.outcomes.append(outcome)
            grade = {"card": outcome.card, "grade": GRADE, "version": outcome.version}
            # Retry the same grade (same version) until it is answered: a retry can never
            # grade twice, it gets 409 if an earlier attempt was written.
            while True:
                attempt = self._call("/api/v1/study/grade/", client.token, grade)
                outcome.attempts.append(attempt)
                if attempt.status == 200:
                    outcome.review_id = json.loads(attempt.body)["review"]
                    with self.lock:
                        self.successes.append(attempt.at)
                    break
                if attempt.status < 500 or self.stop.is_set():
                    break
                time.sleep(0.2)
            time.sleep(PAUSE)

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "a client is stuck"

    def graded_since(self, client: Client, moment: float) -> bool:
        with self.lock:
            return any(o.review_id and o.attempts[-1].at >= moment for o in client.outcomes)

    def successes_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for at in self.successes if at >= moment)

    def wait_successes(self, count: int, since: float, what: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.successes_since(since) < count:
            assert time.monotonic() < deadline, f"grading did not resume after {what}"
            assert not all(c.exhausted for c in self.clients), "the clients ran out of cards"
            time.sleep(0.1)


def _running(pid: int) -> bool:
    """Whether a thread of the process is on a CPU (a threaded worker serves in threads)."""
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        with contextlib.suppress(OSError):
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "R":
                return True
    return False


def _busy(pids: list[int]) -> int:
    """One of the processes caught serving a request, else the first."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for pid in pids:
            if _running(pid):
                return pid
        time.sleep(0.001)
    return pids[0]


def _wait(check: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.2)


@pytest.fixture
def services() -> Iterator[tuple[ScratchPostgres, ScratchRedis]]:
    try:
        pg, rd = ScratchPostgres(), ScratchRedis()
    except FileNotFoundError as exc:
        missing_service(str(exc))
    try:
        pg.init()
        pg.start()
        rd.start()
        yield pg, rd
    finally:
        pg.destroy()
        rd.destroy()


@pytest.fixture
def stack(services: tuple[ScratchPostgres, ScratchRedis]) -> Iterator[Stack]:
    pg, rd = services
    st = Stack(
        free_port(),
        var=VAR,
        database_url=pg.create_database("recall_faults"),
        redis_url=rd.url,
        GUNICORN_WORKERS="2",
        CELERY_CONCURRENCY="1",
    )
    st.make("prod-down", timeout=180)  # a stack left over by an interrupted run
    # This run's logs only: the last check reads gunicorn's.
    shutil.rmtree(VAR / "log", ignore_errors=True)
    up = st.make("prod-up")
    if up.returncode != 0:
        st.make("prod-down", timeout=180)
        pytest.fail(f"make prod-up failed:\n{up.stdout}\n{up.stderr}")
    try:
        yield st
    finally:
        st.make("prod-down", timeout=180)


def _seed(stack: Stack) -> list[Client]:
    """CLIENTS users, each with an API token and a deck of CARDS new cards, all studyable."""
    code = f"""
import json
from recall.accounts.models import User
from recall.accounts.tokens import api_token_create
from recall.decks.models import Deck
from recall.decks.services import notes_import
notes = "# Faults\\n\\n" + "".join(
    f"## Question {{i}} under load?\\n\\nAnswer {{i}}.\\n\\n" for i in range({CARDS})
)
out = []
for n in range({CLIENTS}):
    user = User.objects.create_user(f"faults-{{n}}-{uuid.uuid4().hex[:6]}")
    notes_import(owner=user, filename="faults.md", data=notes.encode())
    Deck.objects.filter(owner=user).update(new_cards_per_day=10000, reviews_per_day=10000)
    out.append([user.pk, api_token_create(user=user, name="faults")[1]])
print(json.dumps(out))
"""
    rows = json.loads(stack.manage("shell", "-c", code).strip().splitlines()[-1])
    return [Client(user_id=pk, token=token) for pk, token in rows]


def _is_clear_failure(attempt: Attempt) -> bool:
    """A 503 in the API's error shape, with Retry-After (the app's, or nginx's for a 502)."""
    if attempt.status != 503 or not attempt.retry_after or b"Traceback" in attempt.body:
        return False
    if not attempt.content_type.startswith("application/json"):
        return False
    try:
        return bool(json.loads(attempt.body)["error"]["code"] == "service_unavailable")
    except (ValueError, KeyError, TypeError):
        return False


def _log_rows(database_url: str, user_id: int) -> dict[int, list[int]]:
    """The user's review log: review ids by card."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT card_id, id FROM study_reviewlog WHERE user_id = %s", (user_id,)
        ).fetchall()
    out: dict[int, list[int]] = {}
    for card_id, review_id in rows:
        out.setdefault(card_id, []).append(review_id)
    return out


def test_grades_survive_a_killed_worker_and_redis_and_postgres_restarts(
    stack: Stack, services: tuple[ScratchPostgres, ScratchRedis]
) -> None:
    pg, rd = services
    database_url = stack.env["PROD_DATABASE_URL"]
    clients = _seed(stack)
    traffic = Traffic(stack, clients)
    windows: dict[str, tuple[float, float]] = {}
    traffic.start()
    try:
        start = time.monotonic()
        traffic.wait_successes(GRADES_BETWEEN_FAULTS, start, "the start")

        # 1. SIGKILL a gunicorn worker, caught at work if possible: its requests end in
        # nginx's 503, or cut off when it had sent an answer's headers but not its body
        # (a grade it had written is found by its retry's 409), and the master forks a new
        # one.
        master = stack.program_pid("gunicorn")
        workers = children(master)
        assert workers, "gunicorn has no workers"
        busy = _busy(workers)
        killing = time.monotonic()
        os.kill(busy, signal.SIGKILL)
        killed = time.monotonic()
        _wait(lambda: bool(set(children(master)) - set(workers)), "a new gunicorn worker", 30)
        windows["worker"] = (killing, time.monotonic() + 1)
        traffic.wait_successes(GRADES_BETWEEN_FAULTS, killed, "the killed worker")

        # 2. Redis dies and comes back (empty: no persistence) on the same port.
        down = time.monotonic()
        rd.stop()
        time.sleep(OUTAGE_SECONDS)
        windows["redis"] = (down, time.monotonic())
        rd.start()
        traffic.wait_successes(GRADES_BETWEEN_FAULTS, time.monotonic(), "the Redis restart")

        # 3. PostgreSQL stops (fast: open sessions are cut) and starts again.
        down = time.monotonic()
        pg.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        windows["postgres"] = (down, time.monotonic())
        pg.start()
        back = time.monotonic()
        traffic.wait_successes(GRADES_BETWEEN_FAULTS, back, "the PostgreSQL restart")
        # Recovery for everyone: each client grades again (the clients run unequal luck).
        _wait(
            lambda: all(traffic.graded_since(c, back) for c in clients),
            "a grade by every client after the restarts",
            # Generous: on a loaded 2-CPU machine a client may sit out a 20 s request first.
            90,
        )
    finally:
        traffic.join()

    attempts = [a for c in clients for o in c.outcomes for a in o.attempts]
    attempts += [a for c in clients for a in c.queue_failures]
    statuses = sorted({a.status for a in attempts})
    # Shown when the test fails (pytest prints captured output).
    print(
        "answers:",
        {s: sum(1 for a in attempts if a.status == s) for s in statuses},
        "outages:",
        {k: round(v[1] - v[0], 1) for k, v in windows.items()},
    )
    # Nothing but answers, successes, replayed-grade conflicts and clear outages; an answer
    # cut off only by the worker killed while writing it.
    worker_killed, worker_back = windows["worker"]
    cut = [a for a in attempts if a.status == CUT_OFF]
    assert all(worker_killed <= a.at <= worker_back for a in cut), cut[:3]
    assert set(statuses) <= {200, 409, 503, CUT_OFF}, statuses
    unclear = [
        a for a in attempts if a.status >= 500 and a.status != CUT_OFF and not _is_clear_failure(a)
    ]
    assert unclear == [], unclear[:3]
    assert all(a.status != 0 for a in attempts), [a.error for a in attempts if a.error][:3]

    # Each outage was felt where it must be, and only there.
    pg_down, pg_up = windows["postgres"]
    assert any(a.status == 503 and pg_down <= a.at <= pg_up + 1 for a in attempts), (
        "no request met the PostgreSQL outage"
    )
    redis_down, redis_up = windows["redis"]
    graded_without_redis = [
        a
        for c in clients
        for o in c.outcomes
        for a in o.attempts
        if a.status == 200 and redis_down + 0.5 <= a.at <= redis_up
    ]
    assert graded_without_redis, "grading stopped while Redis was down: the cache must degrade"

    # Exactly once, per client, against the log in the database.
    for client in clients:
        log = _log_rows(database_url, client.user_id)
        seen = {o.card for o in client.outcomes}
        assert set(log) <= seen, "the log holds a grade no client made"
        for outcome in client.outcomes:
            rows = log.get(outcome.card, [])
            if outcome.final == 200:
                assert rows == [outcome.review_id], (outcome, rows)
            elif outcome.final == 409:
                # Only after a failed attempt: that attempt was written, its answer lost.
                assert any(a.status >= 500 for a in outcome.attempts[:-1]), outcome
                assert len(rows) == 1, (outcome, rows)
            else:  # stopped while failing: written once or not at all
                assert len(rows) <= 1, (outcome, rows)
        with psycopg.connect(database_url) as conn:
            versions = conn.execute(
                "SELECT version, count(*) FROM study_cardstate WHERE user_id = %s GROUP BY version",
                (client.user_id,),
            ).fetchall()
        assert dict(versions) == {1: len(log)}, "a card was graded more than once"

    # Recovery without a manual step (every client graded again, above): supervisor has every
    # program running, and a Celery job queued now runs to the end.
    assert stack.request("/healthz/")[0] == 200, "the health check fails after the restarts"
    _wait(stack.all_running, "every supervised program RUNNING", 60)
    boundary = uuid.uuid4().hex
    upload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="after.md"\r\n'
        "Content-Type: text/markdown\r\n\r\n# After\n\n## Still here?\n\nYes.\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    status, _, body = stack.request(
        "/api/v1/decks/import/",
        token=clients[0].token,
        data=upload,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        method="POST",
    )
    assert status == 202, body[:300]
    job_url = f"/api/v1/jobs/{json.loads(body)['id']}/"
    job: dict[str, Any] = {}

    def job_done() -> bool:
        job.update(json.loads(stack.request(job_url, token=clients[0].token)[2]))
        return job.get("status") in {"succeeded", "failed"}

    _wait(job_done, "the import job after the restarts", 90)
    assert job["status"] == "succeeded", job

    # With no app process at all (gunicorn stopped), nginx answers the API in the same shape.
    stack.supervisorctl("stop", "gunicorn")
    try:
        status, headers, body = stack.request("/api/v1/study/queue/", token=clients[0].token)
        assert status == 503 and headers.get("Retry-After") == "5", (status, body[:200])
        assert json.loads(body)["error"]["code"] == "service_unavailable"
        assert stack.request("/")[0] == 502  # a page keeps nginx's own error page
    finally:
        stack.supervisorctl("start", "gunicorn")
    assert stack.request("/api/v1/study/queue/", token=clients[0].token)[0] == 200

    # No 500 anywhere: gunicorn's log (Django logs each 500 there) has none.
    log_text = (Path(stack.var) / "log" / "gunicorn.log").read_text(errors="replace")
    errors = [line for line in log_text.splitlines() if "Internal Server Error" in line]
    assert errors == [], errors[:5]
