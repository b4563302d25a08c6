"""Fresh planner statistics after a bulk write, on PostgreSQL.

PostgreSQL plans queries from table statistics that autovacuum refreshes on its own
schedule, a minute or more after rows change. Right after a write that makes a table much
bigger, the stale numbers can choose a far slower plan: with 9,600 cards just imported
(bench/load.py's seed), the count of a deck's new cards planned a bitmap of every live card
for each of its 300 cards, 27.6 ms per "next card" instead of 0.5 ms once analyzed. So a
write that adds a tenth or more of a table's known rows analyzes that table once the
transaction commits. Smaller writes add up until autovacuum's own threshold does it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import DatabaseError, connection, models, transaction

logger = logging.getLogger(__name__)

# Rows added, as a share of the table's rows when last analyzed, that warrant analyzing it.
GROWTH_TO_ANALYZE = 0.1


def analyze_after_bulk_write(tables: Iterable[type[models.Model]], added: int) -> None:
    """Once committed, analyze each model's table that ``added`` rows grew by a tenth."""
    if connection.vendor != "postgresql" or added <= 0:
        return
    names = [model._meta.db_table for model in tables]
    transaction.on_commit(lambda: _analyze_grown(names, added))


def _analyze_grown(tables: list[str], added: int) -> None:
    try:
        with connection.cursor() as cursor:
            for table in tables:
                # -1: never analyzed; 0: empty when last analyzed.
                cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
                row = cursor.fetchone()
                known = float(row[0]) if row else -1.0
                if known < 0 or added >= GROWTH_TO_ANALYZE * known:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError:
        # The import is committed: stale statistics cost speed, never data. Autovacuum
        # analyzes the tables later on its own.
        logger.warning("could not analyze %s after a bulk write", ", ".join(tables), exc_info=True)
