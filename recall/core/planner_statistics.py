"""Fresh planner statistics after tables grow.

Both databases plan queries from table statistics. PostgreSQL's autovacuum refreshes them
on its own schedule, a minute or more after rows change; SQLite never does unless told
(ANALYZE). Stale or missing numbers can choose a far slower plan:

- PostgreSQL, 9,600 cards just imported (bench/load.py's seed): the count of a deck's new
  cards planned a bitmap of every live card for each of its 300 cards, 27.6 ms per "next
  card" instead of 0.5 ms once analyzed.
- SQLite, never analyzed, 100,000 cards and 20,000 study states: checking the day queue's
  listed new cards by id walked every card of the scope's decks (21 ms), and the due
  learning cards with the review list's head read every state of the user (13 ms); ~1 ms
  each once analyzed.

So a write that adds a tenth or more of a table's known rows analyzes that table once the
transaction commits (``analyze_after_bulk_write``, imports). On PostgreSQL smaller writes
add up until autovacuum's own threshold does it. On SQLite the study tables grow a row per
grade, never in bulk, so the day queue, built at least once per study day, asks
``sqlite_analyze_grown`` to look at them, at most every ten minutes (a count, ~1 ms for
20,000 states; ANALYZE itself, ~12 ms, only when they grew by a tenth).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import DatabaseError, connection, models, transaction
from django.db.backends.utils import CursorWrapper

logger = logging.getLogger(__name__)

# Rows added, as a share of the table's rows when last analyzed, that warrant analyzing it.
GROWTH_TO_ANALYZE = 0.1
# Tables this small are planned well without statistics, and cheap to read however planned.
_SMALL = 1000
# Growth by grades is slow: a look at the study tables every ten minutes is soon enough.
_LOOK_SECONDS = 600


def analyze_after_bulk_write(tables: Iterable[type[models.Model]], added: int) -> None:
    """Once committed, analyze each model's table that ``added`` rows grew by a tenth."""
    if added <= 0 or connection.vendor not in ("postgresql", "sqlite"):
        return
    names = [model._meta.db_table for model in tables]
    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: _analyze_grown(names, added))
    else:
        transaction.on_commit(lambda: _sqlite_analyze(names))


def sqlite_analyze_grown(tables: Iterable[type[models.Model]]) -> None:
    """On SQLite, analyze each model's table that grew by a tenth since it was analyzed;
    looked at once per ``_LOOK_SECONDS`` at most (three statements a look)."""
    if connection.vendor != "sqlite":
        return
    names = sorted(model._meta.db_table for model in tables)
    if cache.add(f"planner:sqlite-looked:{','.join(names)}", 1, _LOOK_SECONDS):
        _sqlite_analyze(names)


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


def _sqlite_analyze(tables: list[str]) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            analyzed = cursor.fetchone() is not None
            for table in tables:
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 (a model's table)
                rows = cursor.fetchone()[0]
                if rows < _SMALL:
                    continue
                known = _sqlite_known_rows(cursor, table) if analyzed else None
                if known is None or rows - known >= GROWTH_TO_ANALYZE * known:
                    cursor.execute(f"ANALYZE {quoted}")
    except DatabaseError:
        # Statistics cost speed, never data: the next look tries again.
        logger.warning("could not analyze %s", ", ".join(tables), exc_info=True)


def _sqlite_known_rows(cursor: CursorWrapper, table: str) -> int | None:
    """The rows the last ANALYZE counted (the first number of each index statistic)."""
    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
    counts = [int(stat.split()[0]) for (stat,) in cursor.fetchall() if stat]
    return max(counts) if counts else None
