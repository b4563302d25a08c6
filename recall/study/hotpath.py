"""Raw SQL for the study round trip (next card, then grade): the same rows as the ORM, less CPU.

Why raw SQL here and nowhere else: a study session repeats "next card + grade" for every
card, and profiling showed nearly all of its time went to Django compiling the ORM's
queries (each ~0.5-1 ms of CPU), not to the database or to fsrs. These few statements
have a fixed shape, so they are written once here. Everything else in the study app uses
the ORM; the ORM versions of these reads remain in ``selectors`` (unlimited queue,
counts) and the tests check the two give the same queue.

Rows come back as real model instances (``Model.from_db``) with the backend's own
converters applied, and values go in through each field's ``get_db_prep_save``, so types
(aware datetimes, JSON, booleans) are exactly what the ORM would give or write.
"""

# S608: only column/table names from the models' own metadata and "%s" placeholders are
# ever formatted into these statements; every value goes in as a parameter.
# ruff: noqa: S608

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import Model

from recall.decks.models import Card, Deck, Visibility

from .models import CardState, ReviewLog, State

Converter = Callable[[Any, Any, Any], Any]
_converters: dict[tuple[type[Model], str], list[tuple[Any, list[Converter]]]] = {}
_SHARED = (Visibility.PUBLIC.value, Visibility.UNLISTED.value)


def _db() -> Any:
    # The default connection itself: ``django.db.connection`` is a proxy that looks up the
    # thread's connection again on every attribute access (dozens per round trip).
    return connections[DEFAULT_DB_ALIAS]


def _field_converters(model: type[Model]) -> list[tuple[Any, list[Converter]]]:
    connection = _db()
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


def load(model: type[Model], row: Sequence[Any], start: int) -> tuple[Any, int]:
    """The instance built from ``row[start:]`` (laid out by ``columns``), and the next index."""
    connection = _db()
    values: list[Any] = []
    position = start
    for col, convs in _field_converters(model):
        value = row[position]
        for convert in convs:
            value = convert(value, col, connection)
        values.append(value)
        position += 1
    return model.from_db(connection.alias, [], values), position


def _dt(value: datetime) -> Any:
    connection = _db()
    return connection.ops.adapt_datetimefield_value(value)


def _in(values: Sequence[int]) -> str:
    return ", ".join(["%s"] * len(values))


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


def deck_quotas(user_id: int, deck_id: int | None, day_start: datetime) -> list[DeckQuota]:
    """The decks in scope with their quotas left today.

    One deck, or all the user's own decks plus the readable decks they started (the rule of
    ``selectors.study_decks``, with ``recall.decks.selectors.deck_readable_q``'s "readable":
    own, public or unlisted), ordered by title then id. Today's counts group the user's
    reviews since the day began by deck, as ``selectors._Plan`` does with the ORM.
    """
    connection = _db()
    done = (
        "SELECT deck_id, "
        "SUM(CASE WHEN state_before = %s THEN 1 ELSE 0 END) AS n_new, "
        "SUM(CASE WHEN state_before = %s THEN 1 ELSE 0 END) AS n_reviews "
        "FROM study_reviewlog WHERE user_id = %s AND reviewed_at >= %s GROUP BY deck_id"
    )
    params: list[Any] = [State.NEW, State.REVIEW, user_id, _dt(day_start)]
    if deck_id is not None:
        scope = "d.id = %s"
        params.append(deck_id)
    else:
        scope = (
            "d.owner_id = %s OR ((d.visibility IN (%s, %s) OR d.owner_id = %s) AND EXISTS "
            "(SELECT 1 FROM study_cardstate s WHERE s.deck_id = d.id AND s.user_id = %s))"
        )
        params += [user_id, *_SHARED, user_id, user_id]
    sql = (
        "SELECT d.id, d.new_cards_per_day, d.reviews_per_day, "
        f"COALESCE(r.n_new, 0), COALESCE(r.n_reviews, 0), {columns(Deck, 'd')} "
        f"FROM decks_deck d LEFT JOIN ({done}) r ON r.deck_id = d.id "
        f"WHERE {scope} ORDER BY d.title, d.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [DeckQuota(row) for row in rows]


def due_states(
    *,
    user_id: int,
    decks: dict[int, DeckQuota],
    now: datetime,
    learning_limit: int,
    review_deck_ids: Sequence[int],
    review_before: datetime,
    review_limit: int,
) -> tuple[list[CardState], list[CardState]]:
    """The first due learning/relearning states and the first due review states, one query.

    Each state carries ``.card`` (with ``.card.deck`` taken from ``decks``, the decks in
    scope by id), as ``select_related`` would give.
    Learning: due by ``now``, in (due, id) order. Reviews: of ``review_deck_ids`` only, due
    before ``review_before``, in (due, id) order; the per-deck caps are the caller's job.
    Both read the (user, state, due) index and stop at their LIMIT.
    """
    connection = _db()
    if not decks:
        return [], []
    deck_ids = list(decks)
    # No join to the decks: the caller has them, and on PostgreSQL planning this statement
    # costs more than running it, growing with every joined table.
    select = (
        f"{columns(CardState, 's')}, {columns(Card, 'c')} "
        "FROM study_cardstate s INNER JOIN decks_card c ON c.id = s.card_id "
    )
    learning_sql = (
        f"SELECT 0 AS part, {select}"
        f"WHERE s.user_id = %s AND s.deck_id IN ({_in(deck_ids)}) AND c.is_archived = %s "
        "AND s.state IN (%s, %s) AND s.due <= %s ORDER BY s.due, s.id LIMIT %s"
    )
    params: list[Any] = [
        user_id,
        *deck_ids,
        False,
        State.LEARNING,
        State.RELEARNING,
        _dt(now),
        learning_limit,
    ]
    # Each part sits in its own derived table so that it keeps its ORDER BY and LIMIT
    # (SQLite allows neither on the arms of a bare UNION).
    sql = f"SELECT * FROM ({learning_sql}) learning"
    if review_deck_ids and review_limit > 0:
        review_sql = (
            f"SELECT 1 AS part, {select}"
            f"WHERE s.user_id = %s AND s.deck_id IN ({_in(review_deck_ids)}) "
            "AND c.is_archived = %s AND s.state = %s AND s.due < %s "
            "ORDER BY s.due, s.id LIMIT %s"
        )
        sql += f" UNION ALL SELECT * FROM ({review_sql}) reviews"
        params += [user_id, *review_deck_ids, False, State.REVIEW, _dt(review_before), review_limit]
    learning: list[CardState] = []
    reviews: list[CardState] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        state, at = load(CardState, row, 1)
        card, at = load(Card, row, at)
        card.deck = decks[card.deck_id].deck
        state.card = card
        (reviews if row[0] else learning).append(state)
    # UNION ALL promises no order: restore each part's own.
    learning.sort(key=lambda s: (s.due, s.pk))
    reviews.sort(key=lambda s: (s.due, s.pk))
    return learning, reviews


# Grade ------------------------------------------------------------------------------------


def card_and_state(user_id: int, card_id: int) -> tuple[CardState | None, int, bool, bool] | None:
    """The card's (user's state or None, deck id, archived, readable); None: no such card.

    "Readable" is ``deck_readable_q``'s rule: the deck is the user's own, public or
    unlisted. One statement, no lock: ``grade_write`` then writes only if nobody graded
    the card in between.
    """
    connection = _db()
    sql = (
        "SELECT c.deck_id, c.is_archived, "
        "CASE WHEN d.visibility IN (%s, %s) OR d.owner_id = %s THEN 1 ELSE 0 END, "
        f"{columns(CardState, 's')} "
        "FROM decks_card c INNER JOIN decks_deck d ON d.id = c.deck_id "
        "LEFT JOIN study_cardstate s ON s.card_id = c.id AND s.user_id = %s "
        "WHERE c.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_SHARED, user_id, user_id, card_id])
        row = cursor.fetchone()
    if row is None:
        return None
    state = load(CardState, row, 3)[0] if row[3] is not None else None
    return state, int(row[0]), _truth(row[1]), _truth(row[2])


def _truth(value: Any) -> bool:
    # SQLite gives 0/1 (or "0"/"1" through a join); PostgreSQL a bool.
    return value not in (0, False, None, "0")


def _update_sql(obj: Model, names: Sequence[str]) -> tuple[str, list[Any]]:
    """``UPDATE table SET <names> WHERE pk = %s`` and its parameters (the pk last)."""
    connection = _db()
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if f.name in names]
    if len(fields) != len(names):
        raise ValueError(f"not concrete fields of {meta.label}: {names}")
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    pk_column = meta.pk.column if meta.pk is not None else "id"
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(pk_column)} = %s"
    return sql, [*params, obj.pk]


def _insert_sql(obj: Model) -> tuple[str, list[Any], list[Any]]:
    """``INSERT INTO table (columns)``, the non-pk fields and their prepared values."""
    connection = _db()
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    values = [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    sql = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
    return sql, fields, values


def _placeholders(fields: Sequence[Any], *, typed: bool) -> str:
    connection = _db()
    if not typed:
        return _in(fields)
    # In a SELECT list PostgreSQL does not take the target columns' types: cast.
    return ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)


def grade_write(
    state: CardState, *, created: bool, names: Sequence[str], seen_version: int, log: ReviewLog
) -> bool:
    """Write a grade: ``state`` and the new ``log`` row, unless someone graded the card first.

    A compare-and-swap: a started card's row is updated only while it still has
    ``seen_version``; a new card's row is inserted only if there is none yet. The second
    of two racing grades writes nothing (on PostgreSQL it first waits for the winner's
    commit) and gets False. On PostgreSQL the state write and the log INSERT are one
    statement (a data-modifying WITH; atomic on its own), so a grade is one round trip;
    elsewhere they run in one transaction.
    """
    connection = _db()
    if created:
        state_sql, state_fields, state_params = _insert_sql(state)
        state_sql += f" VALUES ({_placeholders(state_fields, typed=False)})"
    else:
        state_sql, state_params = _update_sql(state, names)
        state_sql += " AND version = %s"
        state_params.append(seen_version)
    log_sql, log_fields, log_params = _insert_sql(log)
    pk = connection.ops.quote_name("id")
    if connection.vendor == "postgresql":
        if created:
            state_sql += " ON CONFLICT (user_id, card_id) DO NOTHING"
        sql = (
            f"WITH graded AS ({state_sql} RETURNING 1) {log_sql} "
            f"SELECT {_placeholders(log_fields, typed=True)} FROM graded RETURNING {pk}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*state_params, *log_params])
            row = cursor.fetchone()
        if row is None:
            return False
        log.pk = row[0]
    else:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(state_sql, state_params)
                if cursor.rowcount != 1:
                    return False
                if created:
                    state.pk = cursor.lastrowid
                insert_review(log)
        except IntegrityError:
            if created:
                return False  # the unique (user, card): another first grade won
            raise
    state._state.adding = False
    log._state.adding = False
    log._state.db = connection.alias
    return True


def update(obj: Model, names: Sequence[str]) -> None:
    """``obj.save(update_fields=names)`` for a row known to exist, without the ORM's compiler."""
    connection = _db()
    sql, params = _update_sql(obj, names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_review(log: ReviewLog) -> None:
    """Insert a new ReviewLog row and set its pk (the log is append-only: INSERT is all)."""
    connection = _db()
    sql, fields, params = _insert_sql(log)
    sql += f" VALUES ({_placeholders(fields, typed=False)})"
    returning = connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {connection.ops.quote_name('id')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        log.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    log._state.adding = False
    log._state.db = connection.alias
