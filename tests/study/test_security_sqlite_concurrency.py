"""Concurrent grades and undos on a SQLite file queue behind each other instead of failing.

A double click on a grade button, or an undo racing a grade, used to give "database is
locked" (a 500) on SQLite: a deferred transaction that read first could not take the
write lock another request held. With immediate transactions and a busy timeout the
second writer waits for the first; the loser of a race gets the same 409 as on
PostgreSQL.

The test database of the suite is in memory (shared cache), which locks differently; these
tests copy its schema into a temporary file and point every thread's connection at it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from recall.accounts.tokens import api_token_create
from recall.study.models import CardState, ReviewLog
from tests.factories import CardFactory, DeckFactory, UserFactory

ROUNDS = 6
THREADS = 4


@pytest.fixture
def sqlite_file_db(transactional_db, tmp_path: Path) -> Iterator[Path]:
    """The default database, for this test, is a SQLite file with the test schema."""
    memory = connections["default"]
    if memory.vendor != "sqlite":
        pytest.skip("SQLite's locking only: PostgreSQL has row locks")
    memory.ensure_connection()
    path = tmp_path / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    memory.connection.backup(target)
    target.close()
    original = connections.settings["default"]
    connections.settings["default"] = {**original, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield path
    finally:
        connections["default"].close()
        connections.settings["default"] = original
        connections["default"] = memory


def _race(actions: list[Callable[[], int]]) -> list[int]:
    """Run the actions at the same moment, each in its own thread; their status codes."""
    barrier = threading.Barrier(len(actions))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], int]) -> None:
        try:
            barrier.wait()
            statuses.append(action())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # A server error must come back as a 500 response, not be raised in the thread.
    client.raise_request_exception = False
    return client


def _post(key: str, path: str, body: dict[str, Any]) -> Callable[[], int]:
    return lambda: _api(key).post(path, body, format="json").status_code


def test_the_file_database_is_in_wal_mode_with_immediate_transactions(sqlite_file_db):
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        busy_ms = cursor.fetchone()[0]
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    # Longer than the driver's default of 5 s: a long import commit is waited for.
    assert options["timeout"] >= 10
    assert busy_ms == options["timeout"] * 1000


def test_concurrent_grades_and_undos_through_the_api_never_give_a_500(sqlite_file_db):
    user: Any = UserFactory()
    cards: list[Any] = [CardFactory(deck=DeckFactory(owner=user)) for _ in range(ROUNDS)]
    _, key = api_token_create(user=user, name="race")
    seen: Counter[int] = Counter()
    for card in cards:
        # A double click on "Good" (same version) racing an undo and a grade without one.
        grade = {"card": card.pk, "grade": 3, "version": 0}
        again = {"card": card.pk, "grade": 1}
        actions = [
            _post(key, "/api/v1/study/grade/", grade),
            _post(key, "/api/v1/study/grade/", grade),
            _post(key, "/api/v1/study/undo/", {}),
            _post(key, "/api/v1/study/grade/", again),
        ]
        statuses = _race(actions)
        seen.update(statuses)
        assert len(statuses) == THREADS
        assert set(statuses) <= {200, 404, 409}, statuses
    assert seen[200] >= ROUNDS
    # Whatever won, each card's state and its log agree: one review per repetition.
    for card in cards:
        logs = ReviewLog.objects.filter(user=user, card=card).count()
        state = CardState.objects.filter(user=user, card=card).first()
        assert (state.reps if state else 0) == logs


def test_a_double_submitted_web_grade_form_never_gives_a_500(sqlite_file_db):
    user: Any = UserFactory()
    cards: list[Any] = [CardFactory(deck=DeckFactory(owner=user)) for _ in range(ROUNDS)]
    web = Client()
    web.force_login(user)
    cookie = web.cookies

    def submit(form: dict[str, str]) -> Callable[[], int]:
        def post() -> int:
            client = Client(raise_request_exception=False)
            client.cookies = cookie
            return client.post("/study/grade/", form).status_code

        return post

    def undo() -> int:
        client = Client(raise_request_exception=False)
        client.cookies = cookie
        return client.post("/study/undo/").status_code

    for card in cards:
        form = {"card_id": str(card.pk), "grade": "3", "version": "0"}
        statuses = _race([submit(form), submit(form), undo, submit(form)])
        # Each answer is the redirect back to the study page; a refused one says why there.
        assert statuses == [302] * THREADS, statuses
        assert ReviewLog.objects.filter(user=user, card=card).count() <= 1
