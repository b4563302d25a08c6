"""A large import analyzes the tables it grew (PostgreSQL): fresh rows, fresh plans."""

from __future__ import annotations

import pytest
from django.db import connection

from recall.decks.services import notes_import
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _known_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def _csv(prefix: str, rows: int) -> bytes:
    return "\n".join(f'"{prefix} question {n}?","answer {n}"' for n in range(rows)).encode()


def test_an_import_that_grows_a_table_by_a_tenth_analyzes_it(
    django_capture_on_commit_callbacks,
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="first.csv", data=_csv("first", 50))
    # ANALYZE counted the 50 rows this (test) transaction wrote.
    assert _known_rows("decks_card") == 50
    assert _known_rows("decks_note") == 50

    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="second.csv", data=_csv("second", 4))
    # 4 rows are less than a tenth of 50: left to autovacuum, the statistics stay as they were.
    assert _known_rows("decks_card") == 50

    with django_capture_on_commit_callbacks(execute=True):
        notes_import(owner=owner, filename="third.csv", data=_csv("third", 6))
    assert _known_rows("decks_card") == 60
