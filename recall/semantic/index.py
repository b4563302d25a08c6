"""Nearest notes by meaning, per database: sqlite-vec in SQL on SQLite, a numpy scan elsewhere.

On SQLite the sqlite-vec extension is loaded on every new connection when this Python's
sqlite3 module can load extensions; the ranking is then one SQL statement
(``vec_distance_cosine`` over the stored float32 blobs). On PostgreSQL (pgvector cannot be
installed everywhere) and on a SQLite without extension loading, the vectors are read once
per process into a numpy matrix, refreshed when the embedding table changes (only the rows
written since are read, unless rows were deleted), and ranked
with one matrix product: ~40 ms at 100k notes. For millions of notes, pgvector's HNSW index
is the option (docs/deploy.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta
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


@dataclass
class _Matrix:
    stamp: tuple[Any, ...]
    ids: Any  # numpy int64 array, note ids
    decks: Any  # numpy int64 array, deck id of each row
    vectors: Any  # numpy float32 array (rows, dimensions)


_cache: dict[str, _Matrix] = {}
_cache_lock = threading.Lock()
# How far before the cached latest row a refresh reads again (see ``_refreshed``): far
# longer than an embedding batch takes from its timestamp to its commit (milliseconds), yet
# short enough that a busy instance does not re-read all its recent rows on every search.
_COMMIT_MARGIN = timedelta(minutes=1)


def _stamp() -> tuple[Any, ...]:
    """What changes when the table does: two index-only reads (a row written moves the
    latest updated_at, a row deleted lowers the count)."""
    last = NoteEmbedding.objects.aggregate(last=Max("updated_at"))["last"]
    return (connection.settings_dict.get("NAME"), NoteEmbedding.objects.count(), last)


def _matrix() -> _Matrix:
    """Every stored vector as one matrix, brought up to date when the table changed: the
    rows written since are read and merged in; all of it is read again only when rows were
    deleted (or on a process's first search)."""
    stamp = _stamp()
    key = connection.alias
    cached = _cache.get(key)
    if cached is not None and cached.stamp == stamp:
        return cached
    with _cache_lock:
        matrix = _refreshed(cached, stamp) if cached is not None else None
        if matrix is None:
            matrix = _Matrix(stamp, *_rows(NoteEmbedding.objects.all()))
        _cache[key] = matrix
        return matrix


def _rows(embeddings: QuerySet[NoteEmbedding]) -> tuple[Any, Any, Any]:
    """(note ids, deck ids, vectors) of ``embeddings`` as numpy arrays, by note id."""
    import numpy as np

    ids: list[int] = []
    decks: list[int] = []
    blobs: list[bytes] = []
    rows = embeddings.order_by("note_id").values_list("note_id", "note__deck_id", "vector")
    for note_id, deck_id, blob in rows.iterator(chunk_size=5000):
        ids.append(note_id)
        decks.append(deck_id)
        blobs.append(bytes(blob))
    vectors = np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(ids), -1)
    return np.asarray(ids, dtype=np.int64), np.asarray(decks, dtype=np.int64), vectors


def _refreshed(cached: _Matrix, stamp: tuple[Any, ...]) -> _Matrix | None:
    """``cached`` with the rows written since it was read merged in, or None when that
    cannot be exact (rows deleted, another database): then everything is read again.

    Rows are re-read from a little before the cached latest ``updated_at``: a batch stamped
    earlier but committed later than that latest row is still picked up.
    """
    import numpy as np

    name, count, last = stamp
    old_name, old_count, old_last = cached.stamp
    if name != old_name or old_last is None or last is None or count < old_count:
        return None
    ids, decks, vectors = _rows(
        NoteEmbedding.objects.filter(updated_at__gte=old_last - _COMMIT_MARGIN)
    )
    at = np.searchsorted(cached.ids, ids)
    known = at < len(cached.ids)
    known[known] = cached.ids[at[known]] == ids[known]
    merged_vectors = cached.vectors.copy()  # readers in other threads keep the old matrix
    merged_vectors[at[known]] = vectors[known]
    merged_decks = cached.decks.copy()
    merged_decks[at[known]] = decks[known]
    all_ids = np.concatenate([cached.ids, ids[~known]])
    order = np.argsort(all_ids, kind="stable")
    merged = _Matrix(
        stamp,
        all_ids[order],
        np.concatenate([merged_decks, decks[~known]])[order],
        np.concatenate([merged_vectors, vectors[~known]])[order],
    )
    # A row deleted while others were written leaves the count short of the table's.
    return merged if len(merged.ids) == count else None


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
    if not len(matrix.ids):
        return []
    deck_ids = np.fromiter(decks.order_by().values_list("id", flat=True), dtype=np.int64)
    mask = np.isin(matrix.decks, deck_ids)
    if notes is not None:
        note_ids = np.fromiter(notes.order_by().values_list("id", flat=True), dtype=np.int64)
        mask &= np.isin(matrix.ids, note_ids)
    if exclude:
        mask &= ~np.isin(matrix.ids, np.asarray(list(exclude), dtype=np.int64))
    if not mask.any():
        return []
    # One product over every row, then the rows outside the decks are ruled out: cheaper
    # than copying the allowed rows out of the matrix first.
    scores = matrix.vectors @ np.asarray(vector, dtype=np.float32)
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
