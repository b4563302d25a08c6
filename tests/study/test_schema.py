"""The study tables carry the indexes the queue and the log need, and no redundant ones."""

from __future__ import annotations

import pytest
from django.db import connection

from recall.study.models import CardState, ReviewLog


def _indexed_columns(model: type) -> list[list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [info["columns"] for info in found.values() if info["index"] or info["unique"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "wider"),
    [
        (CardState, ["user_id", "card_id"]),
        (ReviewLog, ["user_id", "reviewed_at"]),
    ],
)
def test_user_lookups_use_a_wider_index_and_no_index_of_their_own(model, wider):
    # Every grade writes each index of these tables: a user_id-only index would repeat the
    # first column of the wider one (migration study.0003 drops Django's default).
    columns = _indexed_columns(model)
    assert wider in columns
    assert ["user_id"] not in columns
