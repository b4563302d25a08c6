"""Bulk inserts of imports: rows as plain tuples, ids read back (used for notes and cards)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)
_BATCH = 500


# Columns whose values pass to the driver unchanged (get_db_prep_save is the identity
# for them on SQLite and PostgreSQL); any other column's values go through the field's own
# pre_save and get_db_prep_save, as bulk_create does (one such column, e.g. a card's
# nullable buried_until, must not send the whole insert back to bulk_create).
_PLAIN_FIELD_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "IntegerField",
        "BooleanField",
    }
)


def _is_timestamp(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DateTimeField) and bool(field.auto_now or field.auto_now_add)


def _getter(field: models.Field[Any, Any], connection: Any, stamp: Any) -> Callable[[Any], Any]:
    """How a row's value of this column is sent: the import's "now" for its timestamps, the
    attribute itself where the ORM would not change it, else the field's own preparation."""
    if _is_timestamp(field):
        return lambda row: stamp
    if field.get_internal_type() in _PLAIN_FIELD_TYPES or field.is_relation:
        return operator.attrgetter(field.attname)
    return lambda row: field.get_db_prep_save(field.pre_save(row, True), connection=connection)


def insert_rows(model: type[M], rows: Sequence[M], now: Any) -> None:
    """model.objects.bulk_create(rows) without its per-value overhead: the ids are set too.

    bulk_create prepares every value through the ORM (a fifth of an import's time); here
    the rows are plain tuples, the timestamps are the import's "now", and the ids come back
    with RETURNING, in the order of the rows, as bulk_create itself relies on.
    """
    connection = connections[router.db_for_write(model)]
    if not rows or not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(rows, batch_size=_BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    stamp = connection.ops.adapt_datetimefield_value(now)
    getters = [_getter(f, connection, stamp) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    row_marks = f"({', '.join(['%s'] * len(fields))})"
    batch = max(1, min(_BATCH, (connection.features.max_query_params or 65535) // len(fields)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = [get(row) for row in chunk for get in getters]
            marks = ", ".join([row_marks] * len(chunk))
            # Only quoted names and placeholders are interpolated; the values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING {pk}"  # noqa: S608
            cursor.execute(sql, params)
            for row, (row_id,) in zip(chunk, cursor.fetchall(), strict=True):
                row.pk = row_id
                row._state.adding = False
                row._state.db = connection.alias
    for row in rows:
        row.created_at = row.updated_at = now  # type: ignore[attr-defined]
