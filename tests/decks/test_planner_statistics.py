"""A large import analyzes the tables it grew, and on SQLite a study day's first queue the
tables grades grew: fresh rows, fresh plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from recall.core import planner_statistics
from recall.decks.services import notes_import
from recall.study import selectors
from tests.factories import CardFactory, DeckFactory, UserFactory
from tests.study.conftest import local, reviews_due

pytestmark = pytest.mark.django_db


def _known_rows(table: str) -> float | None:
    """The rows the last ANALYZE counted, or None if it never ran."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            known = float(cursor.fetchone()[0])
            return None if known < 0 else known
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        counts = [int(stat.split()[0]) for (stat,) in cursor.fetchall()]
    return max(counts) if counts else None


@pytest.fixture
def small_tables(monkeypatch: Any) -> None:
    # A test's tables are small: on SQLite, analyze them from 10 rows, not 1,000.
    monkeypatch.setattr(planner_statistics, "_SMALL", 10)


def _csv(prefix: str, rows: int) -> bytes:
    return "\n".join(f'"{prefix} question {n}?","answer {n}"' for n in range(rows)).encode()


def test_an_import_that_grows_a_table_by_a_tenth_analyzes_it(
    small_tables, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="first.csv", data=_csv("first", 50))
    # ANALYZE counted the 50 rows this (test) transaction wrote.
    assert _known_rows("decks_card") == 50
    assert _known_rows("decks_note") == 50

    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="second.csv", data=_csv("second", 4))
    # 4 rows are less than a tenth of 50: the statistics stay as they were (on PostgreSQL,
    # left to autovacuum).
    assert _known_rows("decks_card") == 50

    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="third.csv", data=_csv("third", 6))
    assert _known_rows("decks_card") == 60


def test_sqlite_the_days_first_queue_analyzes_the_states_grades_grew(small_tables):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's statistics (PostgreSQL's autovacuum refreshes its own)")
    user = UserFactory()
    deck: Any = DeckFactory(owner=user)
    now = local(2026, 3, 2, 10)
    reviews_due(user, deck, CardFactory.create_batch(12, deck=deck), now)
    assert _known_rows("study_cardstate") != 12
    assert selectors.study_queue(user=user, now=now, limit=1)  # the day queue is built
    assert _known_rows("study_cardstate") == 12
