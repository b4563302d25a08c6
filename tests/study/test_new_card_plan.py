"""The new-card query walks the partial index ``card_live_order`` in study order (issue 15).

Without it the planner read the whole deck, checked each card for a state and sorted the
rest before taking the first one; pinned here on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from recall.decks.models import Card
from recall.study import queue, selectors
from tests.factories import CardFactory, DeckFactory

INDEX = "card_live_order"


@pytest.fixture
def two_decks(user, deck, cards):
    other = DeckFactory(owner=user, title="Other")
    for i in range(8):
        CardFactory(deck=other, position=i)
    Card.objects.filter(deck=deck, position=7).update(is_archived=True)
    return deck


def _new_card_sql(user, deck) -> tuple[str, tuple]:
    # The statement ``study_queue(limit=1)`` runs for a deck's next new card.
    plan = queue.Plan(user, deck, None)
    query = plan.new_cards(deck.pk).select_related("deck")[:1].query
    return query.sql_with_params()


def _count_sql(user, deck) -> tuple[str, tuple]:
    plan = queue.Plan(user, deck, None)
    qs = plan.new_cards(deck.pk)[:3]
    sql, params = qs.query.sql_with_params()
    return f"SELECT COUNT(*) FROM ({sql}) sub", params


@pytest.mark.django_db
@pytest.mark.parametrize("statement", [_new_card_sql, _count_sql])
def test_sqlite_new_cards_walk_the_partial_index_without_sorting(user, two_decks, statement):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; the PostgreSQL pass checks its own")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the plan with statistics, as in a used database
        sql, params = statement(user, two_decks)
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert f"SEARCH decks_card USING INDEX {INDEX} (deck_id=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.django_db
@pytest.mark.postgres
def test_postgres_new_cards_can_read_the_partial_index_in_order(user, two_decks):
    sql, params = _new_card_sql(user, two_decks)
    with transaction.atomic(), connection.cursor() as cursor:
        # Tiny tables are cheaper to scan and sort; forbid both to ask whether the index
        # alone can give the rows in order (with no such index, a Sort node remains).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {INDEX} on decks_card" in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.django_db
def test_the_queue_still_serves_new_cards_in_study_order(user, two_decks):
    queue = selectors.study_queue(user=user, deck=two_decks, limit=None)
    assert [c.position for c in queue] == [0, 1, 2]  # quota 3; archived card 7 never shown
    assert all(c.queue == "new" for c in queue)
