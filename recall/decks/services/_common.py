"""Helpers the decks services share: batch size, chunking, many-to-many inserts, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models, router

ProgressCallback = Callable[[int, int], None]


_BATCH = 500


def _insert_pairs(
    through: type[models.Model], fields: tuple[str, str], pairs: Sequence[tuple[int, int]]
) -> None:
    """bulk_create of many-to-many rows given as id pairs, without a model object per row."""
    if not pairs:
        return
    connection = connections[router.db_for_write(through)]
    quote = connection.ops.quote_name
    column_of = {f.name: f.column for f in through._meta.concrete_fields}
    columns = ", ".join(quote(column_of[name]) for name in fields)
    table = quote(through._meta.db_table)
    batch = min(_BATCH, (connection.features.max_query_params or 65535) // 2)
    with connection.cursor() as cursor:
        for chunk in _chunks(pairs, batch):
            marks = ", ".join(["(%s, %s)"] * len(chunk))
            # Only quoted names and placeholders are interpolated; the ids are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES {marks}"  # noqa: S608
            cursor.execute(sql, [value for pair in chunk for value in pair])


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
