"""Raw SQL for the study round trip (next card, then grade): the same rows as the ORM, less CPU.

Why raw SQL here and nowhere else: a study session repeats "next card + grade" for every
card, and profiling showed nearly all of its time went to Django compiling the ORM's
queries (each ~0.5-1 ms of CPU), not to the database or to fsrs. These few statements
have a fixed shape, so they are written once here. Everything else in the study app uses
the ORM; the ORM versions of these reads remain in ``selectors`` (unlimited queue,
counts) and the tests check the two give the same queue.

Rows come back as real model instances (``Model.from_db``) with the backend's own
converters applied, and values go in as each field's ``get_db_prep_save`` would give them,
so types (aware datetimes, JSON, booleans) are exactly what the ORM would give or write.

How a statement runs (``_run``): its text is built once per shape (cached) and handed
straight to the driver's cursor, not through Django's cursor wrapper, keeping what that
wrapper does that matters: Django's database exceptions, the broken-transaction and
thread-sharing checks; transactions stay Django's (autocommit, ``atomic``, ``on_commit``).
While queries are logged (``DEBUG``, ``assertNumQueries``, ``CaptureQueriesContext``) or
an execute wrapper is installed, statements go through ``connection.cursor()`` instead,
so those see every one of them.

On PostgreSQL these statements are bound server-side and prepared, so the server plans
each shape once per connection rather than on every call (planning them cost more than
running them). Their text does not vary with the number of decks (``= ANY(array)``).
Django opens its connections with prepared statements off (``prepare_threshold=None``,
for connection poolers) and binds the ORM's parameters client-side, which never prepares;
the hot path raises the connection's threshold out of reach, so that only the statements
it explicitly prepares ever are. A ``prepare_threshold`` given in the database's
``OPTIONS`` is left alone (``None``: nothing is prepared, e.g. behind PgBouncer in
transaction mode).
"""

# S608: only column/table names from the models' own metadata, "%s" placeholders and
# integer LIMITs are ever formatted into these statements; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import functools
import sys
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Field, Model

from recall.decks.models import Card, Deck
from recall.decks.selectors import deck_readable_sql

from .models import CardState, ReviewLog, State

Converter = Callable[[Any, Any, Any], Any]
_converters: dict[tuple[type[Model], str], list[tuple[Any, list[Converter]]]] = {}
# A "next N cards" read takes up to this many due reviews more than N (see review_chunk).
REVIEW_CHUNK_SLACK = 4
_NEW, _LEARNING, _REVIEW, _RELEARNING = (
    int(State.NEW),
    int(State.LEARNING),
    int(State.REVIEW),
    int(State.RELEARNING),
)


def _db() -> Any:
    # The default connection itself: ``django.db.connection`` is a proxy that looks up the
    # thread's connection again on every attribute access (dozens per round trip).
    return connections[DEFAULT_DB_ALIAS]


# Running a statement ----------------------------------------------------------------------


class _Sql:
    """A statement's text with ``%s`` placeholders (Django, psycopg) and with ``?`` (sqlite3)."""

    __slots__ = ("pyformat", "qmark")

    def __init__(self, text: str) -> None:
        if "%%" in text:
            raise ValueError("hot-path statements hold no literal %")
        self.pyformat = text
        self.qmark = text.replace("%s", "?")


_ALL, _ONE, _ROWCOUNT, _WRITTEN = range(4)


@functools.cache
def _server_binding_cursor() -> Any:
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    return ServerBindingCursor


# psycopg connections set up for the hot path's prepared statements (see _prepares).
_set_up: weakref.WeakSet[Any] = weakref.WeakSet()


def _prepares(connection: Any, raw: Any) -> bool:
    """Whether to prepare on this PostgreSQL connection (see the module docstring)."""
    if raw in _set_up:
        return True
    if "prepare_threshold" in connection.settings_dict.get("OPTIONS", {}):
        return raw.prepare_threshold is not None  # configured: left as it is
    if raw.prepare_threshold is None:
        raw.prepare_threshold = sys.maxsize
    # Generic plans: planned once, with no parameter values. Left to itself ("auto") the
    # server keeps planning these statements on every call: a generic plan's estimates
    # (default selectivities) always look dearer than a plan for the actual values. The
    # statements are written so that their generic plans are the right ones (indexed, no
    # scan of a whole table; see _due_sql). Only prepared statements follow this setting,
    # and on this connection those are the hot path's alone. Outside a transaction, so
    # that no rollback undoes it (inside one, plans stay custom until the next call).
    if raw.info.transaction_status == _idle():
        raw.execute("SET plan_cache_mode = force_generic_plan", prepare=False)
        _set_up.add(raw)
    return True


class _Loader:
    __slots__ = ("cls", "oid")

    def __init__(self, oid: int, cls: type) -> None:
        self.oid = oid
        self.cls = cls


@functools.cache
def _timestamptz_loader(timezone_name: str) -> _Loader | None:
    """psycopg's compiled loader for timestamptz, where it gives exactly what Django's does.

    Django registers its own loader on each connection, a Python subclass of psycopg's
    pure-Python one that sets the result's tzinfo to the connection's zone; it costs
    ~2.5 µs a value where psycopg's compiled loader costs ~0.2 (a study round trip reads
    over twenty). With USE_TZ and the session in UTC (Django's default) both give aware
    datetimes with ``datetime.timezone.utc``; in any other setup Django's loader is kept.
    """
    from django.conf import settings
    from psycopg import adapters
    from psycopg.pq import Format

    if not settings.USE_TZ or timezone_name != "UTC":
        return None
    oid = adapters.types["timestamptz"].oid
    cls = adapters.get_loader(oid, Format.TEXT)
    if cls is None or cls.__module__.startswith("psycopg."):
        return None  # no compiled implementation installed: nothing to gain
    return _Loader(oid, cls)


@functools.cache
def _idle() -> Any:
    from psycopg.pq import TransactionStatus

    return TransactionStatus.IDLE


def _fetch(cursor: Any, fetch: int) -> Any:
    if fetch == _ALL:
        return cursor.fetchall()
    if fetch == _ONE:
        return cursor.fetchone()
    if fetch == _ROWCOUNT:
        return cursor.rowcount
    return cursor.rowcount, cursor.lastrowid  # not on PostgreSQL (RETURNING there)


def _run(connection: Any, sql: _Sql, params: Sequence[Any], fetch: int = _ALL) -> Any:
    """Execute one statement; its rows (``_ALL``), first row, rowcount or (rowcount, lastrowid)."""
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(sql.pyformat, params)
            return _fetch(cursor, fetch)
    # What connection.cursor() and CursorWrapper.execute() check, without the wrappers.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            cursor = _server_binding_cursor()(raw)
            loader = _timestamptz_loader(connection.timezone_name)
            if loader is not None:
                cursor.adapters.register_loader(loader.oid, loader.cls)
            cursor.execute(sql.pyformat, params, prepare=_prepares(connection, raw))
        else:
            cursor = raw.cursor()
            cursor.execute(sql.qmark, params)
        try:
            return _fetch(cursor, fetch)
        finally:
            cursor.close()


# Rows in, values out ----------------------------------------------------------------------


def _field_converters(model: type[Model], connection: Any) -> list[tuple[Any, list[Converter]]]:
    # Converters are pure functions of the value (the same for every connection of a
    # vendor), so computing them once per model is safe across threads.
    key = (model, connection.vendor)
    found = _converters.get(key)
    if found is None:
        found = []
        for field in model._meta.concrete_fields:
            col = field.get_col(model._meta.db_table)
            found.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        _converters[key] = found
    return found


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, in field order, as ``alias.column`` for a SELECT list."""
    return _columns(model, alias, _db().vendor)


@functools.lru_cache(maxsize=64)
def _columns(model: type[Model], alias: str, vendor: str) -> str:
    qn = _db().ops.quote_name
    return ", ".join(f"{alias}.{qn(f.column)}" for f in model._meta.concrete_fields)


def load(
    model: type[Model], row: Sequence[Any], start: int, connection: Any = None
) -> tuple[Any, int]:
    """The instance built from ``row[start:]`` (laid out by ``columns``), and the next index."""
    connection = connection or _db()
    converters = _field_converters(model, connection)
    values = list(row[start : start + len(converters)])
    for index, (col, convs) in enumerate(converters):
        if convs:
            value = values[index]
            for convert in convs:
                value = convert(value, col, connection)
            values[index] = value
    return model.from_db(connection.alias, [], values), start + len(converters)


def _dt(connection: Any, value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _in(count: int) -> str:
    return ", ".join(["%s"] * count)


def _deck_in(vendor: str, count: int) -> tuple[str, bool]:
    """``IN (...)`` for ``count`` deck ids, or on PostgreSQL one array parameter (True)."""
    if vendor == "postgresql":
        return "= ANY(%s::bigint[])", True
    return f"IN ({_in(count)})", False


# Next card --------------------------------------------------------------------------------


class DeckQuota:
    """A deck in scope and what it has left today; ``deck`` is built only when asked for."""

    __slots__ = ("_deck", "_row", "new_left", "pk", "reviews_left")

    def __init__(self, row: Sequence[Any]) -> None:
        self._row = row
        self._deck: Deck | None = None
        self.pk = int(row[0])
        self.new_left = max(0, int(row[1]) - int(row[3]))
        self.reviews_left = max(0, int(row[2]) - int(row[4]))

    @property
    def deck(self) -> Deck:
        if self._deck is None:
            self._deck = load(Deck, self._row, 5)[0]
        return self._deck


def _scope(one_deck: bool, readable: str) -> str:
    """``readable``: ``deck_readable_sql``'s condition on ``d`` (the one read rule)."""
    if one_deck:
        return "d.id = %s"
    return (
        f"d.owner_id = %s OR ({readable} AND EXISTS "
        "(SELECT 1 FROM study_cardstate s WHERE s.deck_id = d.id AND s.user_id = %s))"
    )


def _scope_params(user_id: int, deck_id: int | None, readable: list[Any]) -> list[Any]:
    if deck_id is not None:
        return [deck_id]
    return [user_id, *readable, user_id]


def _quotas_select(vendor: str, one_deck: bool, readable: str) -> str:
    """Decks in scope, today's counts from their DailyReviewCount rows, and a last column
    telling whether any of the user's other days' rows holds a review from today on."""
    return (
        "SELECT d.id AS q_deck, d.new_cards_per_day AS q_new_per_day, "
        "d.reviews_per_day AS q_reviews_per_day, COALESCE(r.new_cards, 0) AS q_new_done, "
        f"COALESCE(r.reviews, 0) AS q_reviews_done, {_columns(Deck, 'd', vendor)}, "
        "CASE WHEN EXISTS (SELECT 1 FROM study_dailyreviewcount x WHERE x.user_id = %s "
        "AND x.last_reviewed_at >= %s AND x.day_start <> %s) THEN 1 ELSE 0 END AS q_stale "
        "FROM decks_deck d LEFT JOIN study_dailyreviewcount r "
        "ON r.deck_id = d.id AND r.user_id = %s AND r.day_start = %s "
        f"WHERE {_scope(one_deck, readable)}"
    )


def _quotas_params(user_id: int, deck_id: int | None, start: Any, readable: list[Any]) -> list[Any]:
    return [user_id, start, start, user_id, start, *_scope_params(user_id, deck_id, readable)]


@functools.lru_cache(maxsize=8)
def _quotas_sql(vendor: str, one_deck: bool, readable: str) -> _Sql:
    return _Sql(f"{_quotas_select(vendor, one_deck, readable)} ORDER BY d.title, d.id")


@functools.lru_cache(maxsize=8)
def _quotas_from_log_sql(vendor: str, one_deck: bool, readable: str) -> _Sql:
    """The same from the review log itself: the reviews since the day began, per deck."""
    done = (
        "SELECT deck_id, "
        "SUM(CASE WHEN state_before = %s THEN 1 ELSE 0 END) AS n_new, "
        "SUM(CASE WHEN state_before = %s THEN 1 ELSE 0 END) AS n_reviews "
        "FROM study_reviewlog WHERE user_id = %s AND reviewed_at >= %s GROUP BY deck_id"
    )
    return _Sql(
        "SELECT d.id, d.new_cards_per_day, d.reviews_per_day, "
        f"COALESCE(r.n_new, 0), COALESCE(r.n_reviews, 0), {_columns(Deck, 'd', vendor)} "
        f"FROM decks_deck d LEFT JOIN ({done}) r ON r.deck_id = d.id "
        f"WHERE {_scope(one_deck, readable)} ORDER BY d.title, d.id"
    )


def deck_quotas(user_id: int, deck_id: int | None, day_start: datetime) -> list[DeckQuota]:
    """The decks in scope with their quotas left today.

    One deck, or all the user's own decks plus the readable decks they started (the rule of
    ``selectors.study_decks``, "readable" being ``recall.decks.selectors.deck_readable_sql``),
    ordered by title then id.

    Today's counts are always those of counting the user's reviews since the day began,
    per deck (as ``selectors._Plan`` did with the ORM), read from the DailyReviewCount rows
    keyed by ``day_start``: one row per deck, however many reviews. Those rows hold
    exactly those reviews unless some review at or after ``day_start`` was counted under
    another day (the user changed their zone or rollover hour, or a grade was made with a
    later time): such a row has a ``last_reviewed_at`` from ``day_start`` on, the first
    statement sees it, and the counts then come from the log (a second statement).
    """
    connection = _db()
    start = _dt(connection, day_start)
    readable, readable_params = deck_readable_sql(user_id, alias="d")
    sql = _quotas_sql(connection.vendor, deck_id is not None, readable)
    rows = _run(connection, sql, _quotas_params(user_id, deck_id, start, readable_params))
    if rows and _truth(rows[0][-1]):
        return _quotas_from_log(connection, user_id, deck_id, start)
    return [DeckQuota(row) for row in rows]


def _quotas_from_log(
    connection: Any, user_id: int, deck_id: int | None, start: Any
) -> list[DeckQuota]:
    readable, readable_params = deck_readable_sql(user_id, alias="d")
    params = [_NEW, _REVIEW, user_id, start, *_scope_params(user_id, deck_id, readable_params)]
    sql = _quotas_from_log_sql(connection.vendor, deck_id is not None, readable)
    rows = _run(connection, sql, params)
    return [DeckQuota(row) for row in rows]


# A due review waits when its deck buries siblings and a sibling card (same note, live) was
# graded by this user since the study day began, is in learning today, or is a review due
# today ahead of it: one card of a note a day, so the counts shown are the cards served.
# The same rule as ``selectors._Plan.unburied_reviews``. Parameters: false, false, day start,
# day end, false.
_UNBURIED = (
    "AND (NOT EXISTS (SELECT 1 FROM decks_card c2 WHERE c2.note_id=c.note_id AND c2.id<>c.id "
    "AND c2.is_archived=%s AND c2.suspended=%s AND (EXISTS (SELECT 1 FROM study_reviewlog r "
    "WHERE r.user_id=s.user_id AND r.card_id=c2.id AND r.reviewed_at>=%s) OR EXISTS (SELECT 1 "
    "FROM study_cardstate t WHERE t.user_id=s.user_id AND t.card_id=c2.id AND t.due<%s AND "
    f"(t.state IN ({_LEARNING:d},{_RELEARNING:d}) OR t.state={_REVIEW:d} AND "
    "(t.due,t.id)<(s.due,s.id))))) OR EXISTS (SELECT 1 FROM decks_deck x WHERE x.id=s.deck_id "
    "AND x.bury_siblings=%s)) "
)


def _due_parts(
    vendor: str,
    learning_decks: str,
    review_decks: str,
    learning_limit: int,
    review_limit: int | str,
) -> list[tuple[int, str]]:
    """The due states' parts as (1 learning / 2 review, SELECT of state then card columns).

    Learning is two parts, learning and relearning: each then reads the (user, state, due)
    index in due order and stops at its LIMIT (``state IN (...)`` would read both states'
    rows and sort them; a generic plan may even scan the table for it). ``learning_decks``
    / ``review_decks``: what follows ``s.deck_id`` to keep the decks.
    """
    # No join to the decks: the caller has them. On PostgreSQL the card is looked up by a
    # fenced LATERAL subquery (OFFSET 0 keeps the planner from flattening it), so the
    # prepared statement's generic plan (see _prepares) is always "walk the due states in
    # index order, fetch each one's card by its key" whatever the parameters are.
    card_columns = _columns(Card, "c", vendor)
    # Parameters: false, false, now (a buried card is back once its time has passed).
    live = (
        "c.is_archived = %s AND c.suspended = %s "
        "AND (c.buried_until IS NULL OR c.buried_until <= %s)"
    )
    if vendor == "postgresql":
        card = (
            # "*": the outer SELECT names the columns, in order (and the text stays short).
            "CROSS JOIN LATERAL (SELECT * FROM decks_card c "
            f"WHERE c.id = s.card_id AND {live} OFFSET 0) c "
        )
    else:
        card = f"INNER JOIN decks_card c ON c.id = s.card_id AND {live} "
    select = f"{_columns(CardState, 's', vendor)}, {card_columns} FROM study_cardstate s {card}"

    def part(decks: str, due: str, limit: int | str, extra: str = "") -> str:
        return (
            f"SELECT {select}WHERE s.user_id = %s AND s.deck_id {decks} AND s.state = %s "
            f"AND s.due {due} %s {extra}ORDER BY s.due, s.id LIMIT {limit}"
        )

    learning = part(learning_decks, "<=", int(learning_limit))
    return [(1, learning), (1, learning), (2, part(review_decks, "<", review_limit, _UNBURIED))]


@functools.lru_cache(maxsize=256)
def _due_sql(
    vendor: str, n_decks: int, n_review_decks: int, learning_limit: int, review_limit: int
) -> _Sql:
    parts = _due_parts(
        vendor,
        _deck_in(vendor, n_decks)[0],
        _deck_in(vendor, n_review_decks)[0],
        learning_limit,
        review_limit,
    )
    if not n_review_decks:
        parts = parts[:-1]
    # Each part sits in its own derived table so that it keeps its ORDER BY and LIMIT
    # (SQLite allows neither on the arms of a bare UNION).
    return _Sql(
        " UNION ALL ".join(f"SELECT {kind} AS part, d.* FROM ({sql}) d" for kind, sql in parts)
    )


def _due_params(
    connection: Any,
    user_id: int,
    now: datetime,
    learning_decks: list[Any],
    review_before: datetime | None,
    review_decks: list[Any],
    day_start: datetime | None = None,
) -> list[Any]:
    """The parameters of ``_due_parts``' parts; no review part when ``review_before`` is None."""
    at = _dt(connection, now)
    params: list[Any] = [False, False, at, user_id, *learning_decks, _LEARNING, at]
    params += [False, False, at, user_id, *learning_decks, _RELEARNING, at]
    if review_before is not None:
        assert day_start is not None  # the review part's bury rule needs it
        before = _dt(connection, review_before)
        params += [False, False, at, user_id, *review_decks, _REVIEW, before]
        params += [False, False, _dt(connection, day_start), before, False]
    return params


def _due_rows(
    rows: Sequence[Sequence[Any]],
    start: int,
    decks: dict[int, DeckQuota],
    learning_limit: int,
    connection: Any,
) -> tuple[list[CardState], list[CardState]]:
    """States (with ``.card``, ``.card.deck``) from ``row[start:]``, ``row[0]`` their part:
    the first ``learning_limit`` learning ones and the reviews, each in (due, id) order."""
    learning: list[CardState] = []
    reviews: list[CardState] = []
    for row in rows:
        state, at = load(CardState, row, start, connection)
        card, at = load(Card, row, at, connection)
        card.deck = decks[card.deck_id].deck
        state.card = card
        (reviews if row[0] == 2 else learning).append(state)
    # UNION ALL promises no order: restore each part's own.
    learning.sort(key=lambda s: (s.due, s.pk))
    reviews.sort(key=lambda s: (s.due, s.pk))
    return learning[:learning_limit], reviews


def due_states(
    *,
    user_id: int,
    decks: dict[int, DeckQuota],
    now: datetime,
    learning_limit: int,
    review_deck_ids: Sequence[int],
    review_before: datetime,
    review_limit: int,
    day_start: datetime,
) -> tuple[list[CardState], list[CardState]]:
    """The first due learning/relearning states and the first due review states, one query.

    Each state carries ``.card`` (with ``.card.deck`` taken from ``decks``, the decks in
    scope by id), as ``select_related`` would give.
    Learning: due by ``now``, in (due, id) order. Reviews: of ``review_deck_ids`` only, due
    before ``review_before``, in (due, id) order; the per-deck caps are the caller's job.
    Both read the (user, state, due) index and stop at their LIMIT.
    """
    if not decks:
        return [], []
    connection = _db()
    vendor = connection.vendor
    deck_ids = list(decks)
    as_array = vendor == "postgresql"
    with_reviews = bool(review_deck_ids) and review_limit > 0
    n_review = len(review_deck_ids) if with_reviews else 0
    sql = _due_sql(
        vendor,
        0 if as_array else len(deck_ids),
        (1 if as_array else n_review) if with_reviews else 0,
        int(learning_limit),
        int(review_limit) if with_reviews else 0,
    )
    decks_param = [deck_ids] if as_array else deck_ids
    review_param: list[Any] = [list(review_deck_ids)] if as_array else list(review_deck_ids)
    before = review_before if with_reviews else None
    params = _due_params(connection, user_id, now, decks_param, before, review_param, day_start)
    rows = _run(connection, sql, params)
    return _due_rows(rows, 1, decks, int(learning_limit), connection)


# Quotas and next cards in one statement (PostgreSQL) --------------------------------------


@functools.lru_cache(maxsize=64)
def _quotas_and_due_sql(
    one_deck: bool, learning_limit: int, review_limit: int, readable: str
) -> tuple[_Sql, int]:
    """``deck_quotas``' statement and ``due_states``' as one, and the number of quota columns.

    The quotas are a CTE; the due parts take their decks from it (all of them for
    learning, those with reviews left for reviews), so no deck id is a parameter. A row
    is (part, quota columns, due columns): part 0 a deck's quota (its rank in title, id
    order, then ``deck_quotas``' row) with NULL due columns; 1 a learning state, 2 a
    review state ((part, state columns, card columns), as ``due_states`` reads them) with
    NULL quota columns. ``FULL JOIN ... ON false`` lays the two side by side, each
    column keeping its type (NULLs padding a UNION would need a cast each).

    Keep the text under psycopg's 4096 characters: longer statements are parsed for
    their placeholders again on every call (~0.1 ms; a test checks the length).
    """
    vendor = "postgresql"
    parts = _due_parts(
        vendor,
        "= ANY(ARRAY(SELECT q_deck FROM quotas))",
        "= ANY(ARRAY(SELECT q_deck FROM quotas WHERE q_reviews_per_day > q_reviews_done))",
        learning_limit,
        # review_chunk's rule on the quotas read (a generic plan still walks the index).
        f"(SELECT {review_limit:d} + CASE WHEN bool_or(q_reviews_per_day - q_reviews_done "
        f"BETWEEN 1 AND {learning_limit - 1:d}) THEN {REVIEW_CHUNK_SLACK:d} ELSE 0 END "
        "FROM quotas)",
    )
    due = " UNION ALL ".join(f"SELECT {kind} AS part, d.* FROM ({part}) d" for kind, part in parts)
    rank = "SELECT ROW_NUMBER() OVER (ORDER BY d.title, d.id) AS q_rank, "
    quotas = rank + _quotas_select(vendor, one_deck, readable).removeprefix("SELECT ")
    sql = (
        f"WITH quotas AS ({quotas}) SELECT COALESCE(due.part, 0), quotas.*, due.* "
        f"FROM quotas FULL JOIN ({due}) due ON false"
    )
    # q_rank, the limits and counts (5), the deck's columns, q_stale.
    return _Sql(sql), 1 + 5 + len(Deck._meta.concrete_fields) + 1


def quotas_and_due(
    *,
    user_id: int,
    deck_id: int | None,
    day_start: datetime,
    now: datetime,
    limit: int,
    review_before: datetime,
) -> tuple[list[DeckQuota], tuple[list[CardState], list[CardState]] | None]:
    """``deck_quotas``, and on PostgreSQL the due states a queue of ``limit`` cards reads.

    Those are what ``due_states`` gives for these quotas (``limit`` learning states; the
    reviews of the decks with reviews left, ``review_chunk`` of them), in one statement: a
    network round trip and an executor start fewer than two. The statement reads up to
    ``limit + REVIEW_CHUNK_SLACK`` reviews (its LIMIT cannot depend on the quotas it reads
    itself) and the first ``review_chunk`` are kept. None instead of the due states: the
    caller reads them (not PostgreSQL, or today's counts had to come from the log, see
    ``deck_quotas``).
    """
    connection = _db()
    if connection.vendor != "postgresql":
        return deck_quotas(user_id, deck_id, day_start), None
    learning_limit = int(limit)
    start = _dt(connection, day_start)
    readable, readable_params = deck_readable_sql(user_id, alias="d")
    sql, n_quota = _quotas_and_due_sql(
        deck_id is not None, learning_limit, learning_limit, readable
    )
    params = _quotas_params(user_id, deck_id, start, readable_params)
    params += _due_params(connection, user_id, now, [], review_before, [], day_start)
    rows = _run(connection, sql, params)
    quota_rows = sorted((row for row in rows if row[0] == 0), key=lambda row: row[1])
    if quota_rows and _truth(quota_rows[0][n_quota]):
        return _quotas_from_log(connection, user_id, deck_id, start), None
    quotas = [DeckQuota(row[2 : 1 + n_quota]) for row in quota_rows]
    decks = {quota.pk: quota for quota in quotas}
    # Only the rows kept are built into instances (the most of the Python time): the
    # first learning_limit learning rows and review_chunk's first reviews, in (due, id)
    # order (PostgreSQL's values: aware datetimes and integers, as in the ORM's order).
    at = 2 + n_quota  # the due columns, after the due part's own part column
    due_at, pk_at = at + _state_index("due"), at + _state_index("id")
    due_rows = sorted((row for row in rows if row[0] != 0), key=lambda r: (r[due_at], r[pk_at]))
    learning = [row for row in due_rows if row[0] == 1][:learning_limit]
    keep = review_chunk(learning_limit, [quota.reviews_left for quota in quotas])
    reviews = [row for row in due_rows if row[0] == 2][:keep]
    due = _due_rows(learning + reviews, at, decks, learning_limit, connection)
    return quotas, due


@functools.cache
def _state_index(name: str) -> int:
    return [f.name for f in CardState._meta.concrete_fields].index(name)


def review_chunk(limit: int, reviews_left: Sequence[int]) -> int:
    """How many due reviews to read for ``limit`` cards, given each deck's reviews left.

    Exactly ``limit`` when no deck can reach its cap within them; otherwise
    ``REVIEW_CHUNK_SLACK`` more, for the cards of decks that fill up.
    """
    if all(left >= limit for left in reviews_left if left > 0):
        return limit
    return limit + REVIEW_CHUNK_SLACK


# Grade ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _card_and_state_sql(vendor: str, readable: str) -> _Sql:
    return _Sql(
        "SELECT c.deck_id, c.is_archived, "
        f"CASE WHEN {readable} THEN 1 ELSE 0 END, "
        f"{_columns(CardState, 's', vendor)} "
        "FROM decks_card c INNER JOIN decks_deck d ON d.id = c.deck_id "
        "LEFT JOIN study_cardstate s ON s.card_id = c.id AND s.user_id = %s "
        "WHERE c.id = %s"
    )


def card_and_state(user_id: int, card_id: int) -> tuple[CardState | None, int, bool, bool] | None:
    """The card's (user's state or None, deck id, archived, readable); None: no such card.

    "Readable" is ``recall.decks.selectors.deck_readable_sql``, the one read rule. One
    statement, no lock: ``grade_write`` then writes only if nobody graded the card in
    between.
    """
    connection = _db()
    readable, readable_params = deck_readable_sql(user_id, alias="d")
    row = _run(
        connection,
        _card_and_state_sql(connection.vendor, readable),
        [*readable_params, user_id, card_id],
        _ONE,
    )
    if row is None:
        return None
    state = load(CardState, row, 3, connection)[0] if row[3] is not None else None
    return state, int(row[0]), _truth(row[1]), _truth(row[2])


def _truth(value: Any) -> bool:
    # SQLite gives 0/1 (or "0"/"1" through a join); PostgreSQL a bool.
    return value not in (0, False, None, "0")


class _Columns:
    """Fields written by a statement, and how to prepare each value as the ORM would."""

    __slots__ = ("fields", "preps")

    def __init__(self, fields: Sequence[Field[Any, Any]]) -> None:
        self.fields = list(fields)
        self.preps = [_prep(field) for field in self.fields]

    def values(self, obj: Model, connection: Any) -> list[Any]:
        return [
            prep(getattr(obj, f.attname), connection)
            for f, prep in zip(self.fields, self.preps, strict=True)
        ]


def _prep(field: Field[Any, Any]) -> Callable[[Any, Any], Any]:
    return field.get_db_prep_save


@functools.lru_cache(maxsize=32)
def _update_plan(model: type[Model], names: tuple[str, ...], vendor: str) -> tuple[str, _Columns]:
    """``UPDATE table SET <names> WHERE pk = %s`` and the columns it sets."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f.name in names]
    if len(fields) != len(names):
        raise ValueError(f"not concrete fields of {meta.label}: {names}")
    qn = _db().ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    pk_column = meta.pk.column if meta.pk is not None else "id"
    return (
        f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(pk_column)} = %s",
        _Columns(fields),
    )


@functools.lru_cache(maxsize=32)
def _insert_plan(model: type[Model], vendor: str) -> tuple[str, _Columns]:
    """``INSERT INTO table (columns)`` of the non-pk fields, and those columns."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = _db().ops.quote_name
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    return sql, _Columns(fields)


def _placeholders(fields: Sequence[Any], connection: Any, *, typed: bool) -> str:
    if not typed:
        return _in(len(fields))
    # In a SELECT list PostgreSQL does not take the target columns' types: cast.
    return ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)


@functools.lru_cache(maxsize=8)
def _count_sql(vendor: str) -> str:
    """Add one grade to its DailyReviewCount row (created on the day's first), ``{}``: values."""
    table = "study_dailyreviewcount"
    latest = "GREATEST" if vendor == "postgresql" else "MAX"
    return (
        f"INSERT INTO {table} (user_id, deck_id, day_start, new_cards, reviews, "
        "last_reviewed_at) {} ON CONFLICT (user_id, deck_id, day_start) DO UPDATE SET "
        f"new_cards = {table}.new_cards + EXCLUDED.new_cards, "
        f"reviews = {table}.reviews + EXCLUDED.reviews, "
        f"last_reviewed_at = {latest}({table}.last_reviewed_at, EXCLUDED.last_reviewed_at)"
    )


def _counted(log: ReviewLog) -> tuple[int, int] | None:
    """What a review adds to its day's (new, reviews); None: it counts for no daily limit."""
    if log.deck_id is None:
        return None
    if log.state_before == _NEW:
        return 1, 0
    if log.state_before == _REVIEW:
        return 0, 1
    return None


def _count_params(connection: Any, log: ReviewLog, day_start: datetime) -> list[Any]:
    added = _counted(log)
    if added is None:
        return []
    reviewed_at = _dt(connection, log.reviewed_at)
    return [log.user_id, log.deck_id, _dt(connection, day_start), *added, reviewed_at]


@functools.lru_cache(maxsize=8)
def _count_values_sql(vendor: str) -> _Sql:
    return _Sql(_count_sql(vendor).format(f"VALUES ({_in(6)})"))


def count_review(log: ReviewLog, day_start: datetime) -> None:
    """Add an inserted review to its day's DailyReviewCount (inside the grade's transaction)."""
    connection = _db()
    params = _count_params(connection, log, day_start)
    if params:
        _run(connection, _count_values_sql(connection.vendor), params, _ROWCOUNT)


@functools.lru_cache(maxsize=32)
def _grade_sql(
    vendor: str, created: bool, names: tuple[str, ...], counted: bool
) -> tuple[_Sql | None, _Sql, _Columns, _Columns]:
    """The grade's statements: (state write or None, log insert or combined write) and columns.

    On PostgreSQL one statement (the state write in a WITH, the DailyReviewCount upsert and
    the log INSERT selecting from it); elsewhere the state write, then the log INSERT
    (``insert_review``'s), then ``count_review``'s upsert.
    """
    connection = _db()
    if created:
        state_sql, state_columns = _insert_plan(CardState, vendor)
        state_sql += f" VALUES ({_placeholders(state_columns.fields, connection, typed=False)})"
    else:
        state_sql, state_columns = _update_plan(CardState, names, vendor)
        state_sql += " AND version = %s"
    log_sql, log_columns = _insert_plan(ReviewLog, vendor)
    if vendor != "postgresql":
        return _Sql(state_sql), _insert_review_sql(vendor), state_columns, log_columns
    pk = connection.ops.quote_name("id")
    if created:
        state_sql += " ON CONFLICT (user_id, card_id) DO NOTHING"
    count = ""
    if counted:
        typed = "CAST(%s AS bigint), CAST(%s AS bigint), CAST(%s AS timestamp with time zone), "
        typed += "CAST(%s AS integer), CAST(%s AS integer), CAST(%s AS timestamp with time zone)"
        count = f", counted AS ({_count_sql(vendor).format(f'SELECT {typed} FROM graded')})"
    sql = (
        f"WITH graded AS ({state_sql} RETURNING 1){count} {log_sql} "
        f"SELECT {_placeholders(log_columns.fields, connection, typed=True)} "
        f"FROM graded RETURNING {pk}"
    )
    return None, _Sql(sql), state_columns, log_columns


def grade_write(
    state: CardState,
    *,
    created: bool,
    names: Sequence[str],
    seen_version: int,
    log: ReviewLog,
    day_start: datetime,
) -> bool:
    """Write a grade: ``state`` and the new ``log`` row, unless someone graded the card first.

    A compare-and-swap: a started card's row is updated only while it still has
    ``seen_version``; a new card's row is inserted only if there is none yet. The second
    of two racing grades writes nothing (on PostgreSQL it first waits for the winner's
    commit) and gets False. The review is added to its DailyReviewCount row of the study
    day beginning at ``day_start`` in the same write. On PostgreSQL the state write, that
    count and the log INSERT are one statement (a data-modifying WITH; atomic on its own),
    so a grade is one round trip; elsewhere they run in one transaction.
    """
    connection = _db()
    count_params = _count_params(connection, log, day_start)
    state_sql, write_sql, state_columns, log_columns = _grade_sql(
        connection.vendor, created, tuple(names), bool(count_params)
    )
    state_params = state_columns.values(state, connection)
    if not created:
        state_params += [state.pk, seen_version]
    log_params = log_columns.values(log, connection)
    if state_sql is None:
        row = _run(connection, write_sql, [*state_params, *count_params, *log_params], _ONE)
        if row is None:
            return False
        log.pk = row[0]
    else:
        try:
            with transaction.atomic():
                written, rowid = _run(connection, state_sql, state_params, _WRITTEN)
                if written != 1:
                    return False
                if created:
                    state.pk = rowid
                log.pk = _insert(connection, write_sql, log_params)
                if count_params:
                    _run(connection, _count_values_sql(connection.vendor), count_params, _ROWCOUNT)
        except IntegrityError:
            if created:
                return False  # the unique (user, card): another first grade won
            raise
    state._state.adding = False
    state._state.db = connection.alias
    log._state.adding = False
    log._state.db = connection.alias
    return True


def update(obj: Model, names: Sequence[str]) -> None:
    """``obj.save(update_fields=names)`` for a row known to exist, without the ORM's compiler."""
    connection = _db()
    sql, columns = _update_plan(type(obj), tuple(names), connection.vendor)
    _run(connection, _Sql(sql), [*columns.values(obj, connection), obj.pk], _ROWCOUNT)


@functools.lru_cache(maxsize=8)
def _insert_review_sql(vendor: str) -> _Sql:
    connection = _db()
    sql, columns = _insert_plan(ReviewLog, vendor)
    sql += f" VALUES ({_placeholders(columns.fields, connection, typed=False)})"
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {connection.ops.quote_name('id')}"
    return _Sql(sql)


def _insert(connection: Any, sql: _Sql, params: list[Any]) -> int:
    if connection.features.can_return_columns_from_insert:
        return int(_run(connection, sql, params, _ONE)[0])
    return int(_run(connection, sql, params, _WRITTEN)[1])


def insert_review(log: ReviewLog) -> None:
    """Insert a new ReviewLog row and set its pk (the log is append-only: INSERT is all)."""
    connection = _db()
    columns = _insert_plan(ReviewLog, connection.vendor)[1]
    log.pk = _insert(
        connection, _insert_review_sql(connection.vendor), columns.values(log, connection)
    )
    log._state.adding = False
    log._state.db = connection.alias
