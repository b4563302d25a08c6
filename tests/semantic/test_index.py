"""Nearest-note ranking (recall/semantic/index.py): sqlite-vec in SQL and the numpy scan
agree, and both keep to the decks they are given."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from recall.decks.models import Deck
from recall.semantic import index
from recall.semantic.models import NoteEmbedding
from recall.semantic.services import embed_all
from tests.factories import DeckFactory, NoteFactory

from .conftest import CountingEncoder, word_vector

pytestmark = pytest.mark.django_db

TEXTS = [
    ("Celery beat schedules", "periodic tasks every night"),
    ("Celery workers", "run queued tasks"),
    ("Template filters", "escape html output"),
    ("Database indexes", "speed up lookups"),
]


@pytest.fixture
def notes(encoder: CountingEncoder):
    deck, hidden = DeckFactory(), DeckFactory()
    created = [NoteFactory(deck=deck, question=q, answer=a) for q, a in TEXTS]
    NoteFactory(deck=hidden, question="Celery beat schedules", answer="periodic tasks")
    embed_all()
    return deck, created


def test_the_numpy_scan_ranks_by_cosine_within_the_decks(notes, monkeypatch):
    deck, created = notes
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    found = index.nearest(
        word_vector("celery periodic tasks"), decks=Deck.objects.filter(pk=deck.pk), k=3
    )
    assert [pk for pk, _ in found][:2] == [created[0].pk, created[1].pk]
    assert all(pk in {n.pk for n in created} for pk, _ in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    excluded = index.nearest(
        word_vector("celery periodic tasks"),
        decks=Deck.objects.filter(pk=deck.pk),
        k=3,
        exclude=[created[0].pk],
    )
    assert created[0].pk not in {pk for pk, _ in excluded}


def test_sqlite_vec_agrees_with_the_numpy_scan(notes, monkeypatch):
    if connection.vendor != "sqlite" or index.engine_name() != index.SQLITE_VEC:
        pytest.skip("this Python's sqlite3 cannot load extensions: sqlite-vec is not used here")
    deck, _created = notes
    query = word_vector("celery periodic tasks")
    decks = Deck.objects.filter(pk=deck.pk)
    in_sql = index.nearest(query, decks=decks, k=4)
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    in_numpy = index.nearest(query, decks=decks, k=4)
    assert [pk for pk, _ in in_sql] == [pk for pk, _ in in_numpy]
    assert [s for _, s in in_sql] == pytest.approx([s for _, s in in_numpy], abs=1e-5)


def test_a_moved_note_is_ranked_in_its_new_deck(notes, monkeypatch):
    from recall.decks.services.cards import notes_move

    deck, created = notes
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    target: Any = DeckFactory(owner=deck.owner)
    query = word_vector("celery periodic tasks")
    assert index.nearest(query, decks=Deck.objects.filter(pk=target.pk), k=3) == []
    notes_move(user=deck.owner, notes=[created[0]], deck=target)
    found = index.nearest(query, decks=Deck.objects.filter(pk=target.pk), k=3)
    assert [pk for pk, _ in found] == [created[0].pk]
    assert created[0].pk not in {
        pk for pk, _ in index.nearest(query, decks=Deck.objects.filter(pk=deck.pk), k=3)
    }


def _same_as_a_full_read(matrix: Any) -> bool:
    full = index._rows(NoteEmbedding.objects.all())
    ids, decks, vectors = matrix.live()
    return (
        (ids == full.ids).all() and (decks == full.decks).all() and (vectors == full.vectors).all()
    )


def _vector_of(matrix: Any, note_id: int) -> Any:
    ids, _decks, vectors = matrix.live()
    return vectors[list(ids).index(note_id)]


def test_the_matrix_merges_the_rows_written_since(notes, monkeypatch):
    deck, created = notes
    merges: list[bool] = []
    original = index._refreshed

    def spying(cached: Any, stamp: Any) -> Any:
        merged = original(cached, stamp)
        merges.append(merged is not None)
        return merged

    monkeypatch.setattr(index, "_refreshed", spying)
    index._cache.clear()
    first = index._matrix()
    # An import adds a note, an edit changes a vector: merged into the cached matrix.
    added = NoteFactory(deck=deck, question="Celery chords", answer="a callback after a group")
    created[2].answer = "escape html output, mark_safe to opt out"
    created[2].save()
    embed_all()
    second = index._matrix()
    assert merges == [True]
    assert added.pk in second.live()[0] and len(second.live()[0]) == 6
    assert _same_as_a_full_read(second)
    # The edited note's vector changed, and the first matrix (which other threads may still
    # be ranking with) did not.
    assert not (_vector_of(first, created[2].pk) == _vector_of(second, created[2].pk)).all()
    assert len(first.live()[0]) == 5
    assert second.base is first.base  # merged without copying the vectors read before
    # A deleted row cannot be merged: everything is read again, and the row is gone.
    NoteEmbedding.objects.filter(note=created[1]).delete()
    third = index._matrix()
    assert merges == [True, False] and created[1].pk not in third.live()[0]
    assert _same_as_a_full_read(third)


def test_a_refresh_reads_only_the_rows_of_the_last_minutes(notes, monkeypatch):
    deck, created = notes
    # Written long ago, but for one row an hour ago: the latest when the matrix is read.
    NoteEmbedding.objects.update(updated_at=F("updated_at") - timedelta(hours=2))
    NoteEmbedding.objects.filter(note=created[0]).update(
        updated_at=F("updated_at") + timedelta(hours=1)
    )
    index._cache.clear()
    index._matrix()
    reads: list[int] = []
    original = index._rows

    def counting(embeddings: Any) -> Any:
        found = original(embeddings)
        reads.append(len(found.ids))
        return found

    monkeypatch.setattr(index, "_rows", counting)
    NoteFactory(deck=deck, question="Celery chords", answer="a callback after a group")
    embed_all()
    refreshed = index._matrix()
    # The new row only: the one within the margin before the cached latest is looked at
    # again (its batch may have committed late) but by id and time, and it was read
    # already; the other four are not looked at.
    assert reads == [1]
    assert _same_as_a_full_read(refreshed)


def test_a_note_written_twice_since_the_base_keeps_its_latest_vector(notes, monkeypatch):
    deck, created = notes
    index._cache.clear()
    index._matrix()
    for answer in ("escape html output twice", "autoescape is on by default"):
        created[2].answer = answer
        created[2].save()
        embed_all()
        matrix = index._matrix()
        assert _same_as_a_full_read(matrix)
    assert len(matrix.ids) == 6 and int(matrix.alive.sum()) == 5  # the base row is off
    monkeypatch.setattr(index, "engine_name", lambda: index.NUMPY)
    found = index.nearest(
        word_vector("autoescape default"), decks=Deck.objects.filter(pk=deck.pk), k=1
    )
    assert found[0][0] == created[2].pk


def test_a_grown_delta_is_folded_into_the_base(notes, monkeypatch):
    deck, _created = notes
    monkeypatch.setattr(index, "_DELTA_ROWS", 1)
    index._cache.clear()
    first = index._matrix()
    NoteFactory(deck=deck, question="Celery chords", answer="a callback after a group")
    embed_all()
    second = index._matrix()
    assert len(second.delta) == 1 and second.base is first.base
    NoteFactory(deck=deck, question="Celery chains", answer="tasks one after another")
    embed_all()
    third = index._matrix()
    assert len(third.delta) == 0 and len(third.base) == 7 and third.alive.all()
    assert _same_as_a_full_read(third)


class _Raw:
    """A DB-API connection as load_sqlite_vec sees it."""

    def __init__(self, loads: bool) -> None:
        self.loads = loads
        self.calls: list[bool] = []

    def enable_load_extension(self, on: bool) -> None:
        self.calls.append(on)
        if on and not self.loads:
            raise AttributeError("not authorized")


class _Wrapper:
    vendor = "sqlite"

    def __init__(self, raw: object) -> None:
        self.connection = raw


def test_sqlite_vec_is_used_only_where_the_extension_loads(monkeypatch):
    import sqlite_vec

    # This machine's Python: sqlite3 built without loadable extensions (no such method).
    bare = _Wrapper(object())
    index.load_sqlite_vec(None, bare)
    assert bare.recall_sqlite_vec is False  # type: ignore[attr-defined]
    refused = _Wrapper(_Raw(loads=False))
    index.load_sqlite_vec(None, refused)
    assert refused.recall_sqlite_vec is False  # type: ignore[attr-defined]
    monkeypatch.setattr(sqlite_vec, "load", lambda raw: None)
    raw = _Raw(loads=True)
    loaded = _Wrapper(raw)
    index.load_sqlite_vec(None, loaded)
    assert loaded.recall_sqlite_vec is True  # type: ignore[attr-defined]
    assert raw.calls == [True, False]  # loading is switched off again afterwards


def test_sqlite_vec_reads_the_stored_blobs_as_the_numpy_scan_does():
    """The SQL ranking's one assumption: vec_distance_cosine over pack()ed blobs is 1 - cosine.
    Checked with the sqlite3 shell, which can load the extension where this Python cannot."""
    import shutil
    import subprocess

    import sqlite_vec

    from recall.semantic.vectors import pack

    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("no sqlite3 shell to load the extension into")
    a, b = word_vector("celery periodic tasks"), word_vector("celery workers run tasks")
    sql = f"SELECT vec_distance_cosine(X'{pack(a).hex()}', X'{pack(b).hex()}');"
    out = subprocess.run(
        [shell, ":memory:", f".load {sqlite_vec.loadable_path()}", sql],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    cosine = sum(x * y for x, y in zip(a, b, strict=True))
    assert 0 < cosine < 1
    assert float(out.stdout) == pytest.approx(1 - cosine, abs=1e-5)
