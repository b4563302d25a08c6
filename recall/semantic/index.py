"""Nearest notes by meaning, per database: sqlite-vec in SQL on SQLite, a numpy scan elsewhere.

On SQLite the sqlite-vec extension is loaded on every new connection when this Python's
sqlite3 module can load extensions; the ranking is then one SQL statement
(``vec_distance_cosine`` over the stored float32 blobs). On PostgreSQL (pgvector cannot be
installed everywhere) and on a SQLite without extension loading, the vectors are read once
per process into a numpy matrix, refreshed when the embedding table changes (only the rows
written since are read, and beside the vectors read before rather than into a copy of
them, unless rows were deleted), and ranked with one matrix product: ~40 ms at 100k notes.
For millions of notes, pgvector's HNSW index is the option (docs/deploy.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import BinaryField, F, FloatField, Func, Max, QuerySet, Value

from recall.decks.models import Deck, Note

from .models import NoteEmbedding
from .vectors import pack

logger = logging.getLogger(__name__)

SQLITE_VEC = "sqlite-vec"
NUMPY = "numpy"
# Candidates ranked in the numpy scan before the database confirms them (archived since,
# moved): a few more than asked, so a stale row rarely costs a result.
_OVERFETCH = 3


def load_sqlite_vec(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: load sqlite-vec into a new SQLite connection if possible."""
    if connection.vendor != "sqlite":
        return
    connection.recall_sqlite_vec = False
    raw = connection.connection
    if not hasattr(raw, "enable_load_extension"):
        return  # this Python was built without loadable SQLite extensions: numpy ranks
    try:
        import sqlite_vec

        raw.enable_load_extension(True)
        try:
            sqlite_vec.load(raw)
        finally:
            raw.enable_load_extension(False)
    except Exception:
        logger.info("sqlite-vec not loaded; vectors are ranked in Python", exc_info=True)
        return
    connection.recall_sqlite_vec = True


def engine_name() -> str:
    """Which ranking runs on the default connection: sqlite-vec or numpy."""
    connection.ensure_connection()
    return SQLITE_VEC if getattr(connection, "recall_sqlite_vec", False) else NUMPY


class _VecDistanceCosine(Func):
    function = "vec_distance_cosine"
    output_field = FloatField()


def nearest(
    vector: Sequence[float],
    *,
    decks: QuerySet[Deck],
    notes: QuerySet[Note] | None = None,
    k: int = 10,
    exclude: Collection[int] = (),
) -> list[tuple[int, float]]:
    """The ``k`` live notes of ``decks`` (and of ``notes``, when given) closest in meaning to
    ``vector``, as (note id, cosine similarity), most similar first.

    The caller decides visibility by the decks it passes (``deck_listed_q`` and friends):
    this function never widens them.
    """
    if k <= 0:
        return []
    if engine_name() == SQLITE_VEC:
        return _nearest_sql(vector, decks=decks, notes=notes, k=k, exclude=exclude)
    return _nearest_numpy(vector, decks=decks, notes=notes, k=k, exclude=exclude)


def _nearest_sql(
    vector: Sequence[float],
    *,
    decks: QuerySet[Deck],
    notes: QuerySet[Note] | None,
    k: int,
    exclude: Collection[int],
) -> list[tuple[int, float]]:
    rows = NoteEmbedding.objects.filter(note__deck__in=decks, note__is_archived=False)
    if notes is not None:
        rows = rows.filter(note__in=notes.order_by().values("id"))
    if exclude:
        rows = rows.exclude(note_id__in=list(exclude))
    query = Value(pack(vector), output_field=BinaryField())
    ranked = (
        rows.annotate(distance=_VecDistanceCosine(F("vector"), query))
        .order_by("distance", "note_id")
        .values_list("note_id", "distance")[:k]
    )
    return [(note_id, 1.0 - float(distance)) for note_id, distance in ranked]


@dataclass(frozen=True)
class _Rows:
    """Embedding rows read from the table, by note id."""

    ids: Any  # numpy int64 array, note ids, ascending
    decks: Any  # numpy int64 array, deck id of each row
    vectors: Any  # numpy float32 array (rows, dimensions)
    written: list[datetime]  # updated_at of each row


@dataclass(frozen=True)
class _Matrix:
    """Every stored vector: a base read in one go, and the rows written since (the delta).

    A refresh never copies the base (tens of megabytes at 100k notes, and each process
    refreshes after every embedding batch): a row written again is switched off in the base
    (``alive``, one byte a row) and joins the small delta; when the delta outgrows a share
    of the base, both are folded into a new base.
    """

    stamp: tuple[Any, ...]
    base: Any  # numpy float32 array, the base's vectors
    delta: Any  # numpy float32 array, the delta's vectors
    ids: Any  # numpy int64 array: the base's note ids (ascending), then the delta's
    decks: Any  # numpy int64 array, deck id of each row of ``ids``
    alive: Any  # numpy bool array: False where a later row replaced this one
    # note id -> updated_at of the rows read that are recent enough to be met again by the
    # next refresh (see ``_refreshed``): those are not read a second time.
    seen: dict[int, datetime]

    def scores(self, vector: Sequence[float]) -> Any:
        """Cosine similarity of every row (in the order of ``ids``) to ``vector``."""
        import numpy as np

        query = np.asarray(vector, dtype=np.float32)
        parts = [part @ query for part in (self.base, self.delta) if len(part)]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.float32)

    def live(self) -> tuple[Any, Any, Any]:
        """(note ids, deck ids, vectors) of the rows in force, by note id."""
        import numpy as np

        vectors = _stacked(self.base[self.alive[: len(self.base)]], self.delta)
        ids, decks = self.ids[self.alive], self.decks[self.alive]
        order = np.argsort(ids, kind="stable")
        return ids[order], decks[order], vectors[order]


_cache: dict[str, _Matrix] = {}
_cache_lock = threading.Lock()
# How far before the cached latest row a refresh looks again (see ``_refreshed``): far
# longer than an embedding batch takes from its timestamp to its commit (milliseconds).
_COMMIT_MARGIN = timedelta(minutes=1)
# The delta is folded into the base once it holds this many rows or an eighth of the base.
_DELTA_ROWS = 2000
# Past this many changed rows, a refresh reads the whole margin instead of listing ids.
_LISTED_IDS = 500


def _stamp() -> tuple[Any, ...]:
    """What changes when the table does: two index-only reads (a row written moves the
    latest updated_at, a row deleted lowers the count)."""
    last = NoteEmbedding.objects.aggregate(last=Max("updated_at"))["last"]
    return (connection.settings_dict.get("NAME"), NoteEmbedding.objects.count(), last)


def _matrix() -> _Matrix:
    """Every stored vector, brought up to date when the table changed: the rows written
    since are read and merged in; all of it is read again only when rows were deleted (or
    on a process's first search)."""
    stamp = _stamp()
    key = connection.alias
    cached = _cache.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _cache_lock:
        matrix = _refreshed(cached, stamp) if cached is not None else None
        if matrix is None:
            matrix = _read_all(stamp)
        _cache[key] = matrix
        return matrix


def _rows(embeddings: QuerySet[NoteEmbedding]) -> _Rows:
    """The rows of ``embeddings`` as numpy arrays, by note id."""
    import numpy as np

    ids: list[int] = []
    decks: list[int] = []
    blobs: list[bytes] = []
    written: list[datetime] = []
    rows = embeddings.order_by("note_id").values_list(
        "note_id", "note__deck_id", "vector", "updated_at"
    )
    for note_id, deck_id, blob, updated_at in rows.iterator(chunk_size=5000):
        ids.append(note_id)
        decks.append(deck_id)
        blobs.append(bytes(blob))
        written.append(updated_at)
    flat = np.frombuffer(b"".join(blobs), dtype="<f4")
    vectors = flat.reshape(len(ids), -1) if ids else np.empty((0, 0), dtype=np.float32)
    return _Rows(
        np.asarray(ids, dtype=np.int64), np.asarray(decks, dtype=np.int64), vectors, written
    )


def _stacked(first: Any, second: Any) -> Any:
    """The rows of both arrays, one after the other (an empty array has no width)."""
    import numpy as np

    if not len(first):
        return second
    if not len(second):
        return first
    return np.concatenate([first, second])


def _recent(seen: dict[int, datetime], last: datetime | None) -> dict[int, datetime]:
    """The entries of ``seen`` a refresh after ``last`` can meet again."""
    if last is None:
        return {}
    since = last - _COMMIT_MARGIN
    return {note_id: written for note_id, written in seen.items() if written >= since}


def _read_all(stamp: tuple[Any, ...]) -> _Matrix:
    import numpy as np

    rows = _rows(NoteEmbedding.objects.all())
    seen = _recent(dict(zip(rows.ids.tolist(), rows.written, strict=True)), stamp[2])
    return _Matrix(
        stamp,
        base=rows.vectors,
        delta=rows.vectors[:0],
        ids=rows.ids,
        decks=rows.decks,
        alive=np.ones(len(rows.ids), dtype=bool),
        seen=seen,
    )


def _refreshed(cached: _Matrix, stamp: tuple[Any, ...]) -> _Matrix | None:
    """``cached`` with the rows written since it was read merged in, or None when that
    cannot be exact (rows deleted, another database): then everything is read again.

    The rows from a little before the cached latest ``updated_at`` are looked at again (a
    batch stamped earlier but committed later than that latest row is still picked up), by
    id and time only: the vectors are read for the rows not read before.
    """
    import numpy as np

    name, count, last = stamp
    old_name, old_count, old_last = cached.stamp
    if name != old_name or old_last is None or last is None or count < old_count:
        return None
    window = NoteEmbedding.objects.filter(updated_at__gte=old_last - _COMMIT_MARGIN)
    changed = [
        note_id
        for note_id, written in window.values_list("note_id", "updated_at")
        if cached.seen.get(note_id) != written
    ]
    if len(changed) > _LISTED_IDS:
        rows = _rows(window)
    else:
        rows = _rows(NoteEmbedding.objects.filter(note_id__in=changed))
    based = len(cached.base)
    base_ids = cached.ids[:based]
    at = np.searchsorted(base_ids, rows.ids)
    replaced = at < based
    replaced[replaced] = base_ids[at[replaced]] == rows.ids[replaced]
    alive = cached.alive[:based].copy()  # readers in other threads keep the old matrix
    alive[at[replaced]] = False
    kept = ~np.isin(cached.ids[based:], rows.ids)
    delta_ids = np.concatenate([cached.ids[based:][kept], rows.ids])
    seen = {**cached.seen, **dict(zip(rows.ids.tolist(), rows.written, strict=True))}
    merged = _Matrix(
        stamp,
        base=cached.base,
        delta=_stacked(cached.delta[kept], rows.vectors),
        ids=np.concatenate([base_ids, delta_ids]),
        decks=np.concatenate([cached.decks[:based], cached.decks[based:][kept], rows.decks]),
        alive=np.concatenate([alive, np.ones(len(delta_ids), dtype=bool)]),
        seen=_recent(seen, last),
    )
    # A row deleted while others were written leaves the count short of the table's.
    if int(merged.alive.sum()) != count:
        return None
    if len(delta_ids) > max(_DELTA_ROWS, based // 8):
        ids, decks, vectors = merged.live()
        merged = _Matrix(
            stamp, vectors, vectors[:0], ids, decks, np.ones(len(ids), dtype=bool), merged.seen
        )
    return merged


def _nearest_numpy(
    vector: Sequence[float],
    *,
    decks: QuerySet[Deck],
    notes: QuerySet[Note] | None,
    k: int,
    exclude: Collection[int],
) -> list[tuple[int, float]]:
    import numpy as np

    matrix = _matrix()
    if not matrix.alive.any():
        return []
    deck_ids = np.fromiter(decks.order_by().values_list("id", flat=True), dtype=np.int64)
    mask = matrix.alive & np.isin(matrix.decks, deck_ids)
    if notes is not None:
        note_ids = np.fromiter(notes.order_by().values_list("id", flat=True), dtype=np.int64)
        mask &= np.isin(matrix.ids, note_ids)
    if exclude:
        mask &= ~np.isin(matrix.ids, np.asarray(list(exclude), dtype=np.int64))
    if not mask.any():
        return []
    # One product over every row, then the rows outside the decks are ruled out: cheaper
    # than copying the allowed rows out of the matrix first.
    scores = matrix.scores(vector)
    scores[~mask] = -np.inf
    take = min(int(mask.sum()), k * _OVERFETCH)
    best = np.argpartition(-scores, take - 1)[:take]
    best = best[np.lexsort((matrix.ids[best], -scores[best]))]
    candidates = [(int(matrix.ids[i]), float(scores[i])) for i in best]
    # The matrix may be a moment old: the database confirms each note is still live there.
    live = set(
        Note.objects.filter(
            id__in=[c[0] for c in candidates], is_archived=False, deck__in=decks
        ).values_list("id", flat=True)
    )
    return [c for c in candidates if c[0] in live][:k]
