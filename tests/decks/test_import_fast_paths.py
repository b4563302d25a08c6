"""The fast import paths (process pool, shortcut rendering, lean inserts) change nothing."""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from functools import partial
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recall.accounts.models import User
from recall.decks import rendering
from recall.decks.bulk import insert_rows
from recall.decks.models import Card, Link, Note, Tag
from recall.decks.rendering import render_full, render_many
from recall.decks.services import notes_import
from recall.search.selectors import search_cards
from tests.factories import NoteFactory, UserFactory

_SOURCES = [
    "What is a *generator*?",
    "A **generator** yields values lazily; see `itertools.islice`.",
    "```python\ndef gen():\n    yield '<x>'\n```",
    "- first\n- second with `code`",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "[docs](https://docs.python.org/3/) and <b>bold</b> &amp; more",
    "3. third\n4. fourth",
    "{{c1::cloze}} text",
]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_render_many_in_a_pool_matches_the_reference_path() -> None:
    sources = [f"{s} {n}" if "```" not in s else s for n in range(150) for s in _SOURCES]
    assert len(sources) >= rendering.PARALLEL_MIN_TEXTS
    before = _children_cpu()
    rendered = render_many(sources)
    # The workers were real processes, reaped when the pool closed.
    assert _children_cpu() > before
    assert rendered == [render_full(s) for s in sources]


class _FakePool:
    """A stand-in for the process pool: its futures are never run by a worker; ``taken``
    says whether a worker has taken them (then they fail as a broken pool's do)."""

    def __init__(self, *args: object, taken: bool, **kwargs: object) -> None:
        self.taken = taken

    def __enter__(self) -> _FakePool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: object, *args: object) -> Future[list[str]]:
        future: Future[list[str]] = Future()
        if self.taken:
            future.set_running_or_notify_cancel()
            future.set_exception(BrokenProcessPool("a worker died"))
        return future


@pytest.mark.parametrize("taken", [False, True], ids=["none-taken", "pool-broken"])
def test_render_many_renders_what_no_worker_did(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, taken: bool
) -> None:
    # Chunks no worker has taken are rendered by the calling process; chunks of a broken
    # pool are rendered serially. Either way: every source, in order, progress complete.
    monkeypatch.setattr(rendering, "ProcessPoolExecutor", partial(_FakePool, taken=taken))
    monkeypatch.setattr(rendering.os, "cpu_count", lambda: 2)
    sources = [f"{s} {n}" if "```" not in s else s for n in range(150) for s in _SOURCES]
    reported: list[int] = []
    assert render_many(sources, done=reported.append) == [render_full(s) for s in sources]
    assert sum(reported) == len(sources) and len(reported) > 1
    # Only a broken pool is a failure worth a warning.
    assert ("parallel rendering failed" in caplog.text) is taken


def test_small_batches_render_in_process() -> None:
    before = _children_cpu()
    assert render_many(_SOURCES) == [render_full(s) for s in _SOURCES]
    assert _children_cpu() == before


def test_daemonic_workers_do_not_start_a_pool() -> None:
    spawn = multiprocessing.get_context("spawn")
    # multiprocessing.Pool workers are daemonic, like Celery's prefork children.
    with spawn.Pool(1) as pool:
        assert pool.apply(rendering._may_start_processes) is False
    with ProcessPoolExecutor(1, mp_context=spawn) as executor:
        assert executor.submit(rendering._may_start_processes).result() is True


def _notes(cards: int) -> str:
    out = ["# Big deck", ""]
    for n in range(1, cards + 1):
        out += [f"## {n}. What is item {n}?", ""]
        out.append(f"Item {n} is **bold** and `code_{n}`; see https://example.com/{n % 7}.")
        if n % 3 == 0:
            out += ["", "```python", f"x_{n} = '{n}'", "```"]
        if n % 5 == 0:
            out += ["", "- one", "- two [link](https://example.com/x)"]
        if n % 2 == 0:
            out += ["", f"#even #group-{n % 4}"]
        out.append("")
    return "\n".join(out)


@pytest.mark.django_db(transaction=True)
def test_large_import_stores_what_card_save_would() -> None:
    owner = cast(User, UserFactory())
    with CaptureQueriesContext(connection) as queries:
        summary = notes_import(owner=owner, filename="big.md", data=_notes(600).encode())
    assert summary.created == 600
    cards = list(Note.objects.filter(deck_id=summary.deck_ids[0]).order_by("position"))
    assert [c.question for c in cards[:2]] == ["What is item 1?", "What is item 2?"]
    for card in cards:
        assert card.question_html == render_full(card.question)
        assert card.answer_html == render_full(card.answer)
        assert card.created_at is not None and card.created_at == card.updated_at
    card_inserts = [q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
    card_inserts = [q for q in card_inserts if Note._meta.db_table + '"' in q["sql"].split("(")[0]]
    assert 1 <= len(card_inserts) <= 10  # batched, not one per card

    tagged = {c.position + 1 for c in Note.objects.filter(tags__name="even")}
    assert tagged == set(range(2, 601, 2))
    assert Tag.objects.get(owner=owner, name="group-2").notes.count() == 150
    links = Link.objects.filter(deck_id=summary.deck_ids[0])
    assert links.count() == 8
    assert links.get(url="https://example.com/x").notes.count() == 120
    # The search index was synced after commit.
    results = search_cards(user=owner, query="code_599")
    assert [hit.card_id for hit in results.hits] == [cards[598].pk]

    again = notes_import(owner=owner, filename="big.md", data=_notes(600).encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 600)


@pytest.mark.django_db
def test_lean_inserts_prepare_the_columns_the_orm_would(monkeypatch: pytest.MonkeyPatch) -> None:
    # A card's buried_until is a column the ORM prepares: it is prepared here too, rather
    # than sending every card of an import back to bulk_create (which it did unnoticed).
    note = cast(Note, NoteFactory())
    later = note.created_at.replace(microsecond=0) + timedelta(days=2)

    def no_bulk_create(*args: object, **kwargs: object) -> None:
        raise AssertionError("insert_rows fell back to bulk_create")

    monkeypatch.setattr(Card._default_manager, "bulk_create", no_bulk_create)
    cards = [
        Card(note=note, deck_id=note.deck_id, ordinal=ordinal, question="q", buried_until=until)
        for ordinal, until in ((7, None), (8, later))
    ]
    insert_rows(Card, cards, note.created_at)
    stored = dict(Card.objects.filter(note=note, ordinal__gt=1).values_list("pk", "buried_until"))
    assert stored == {cards[0].pk: None, cards[1].pk: later}
    assert Card.objects.get(pk=cards[1].pk).created_at == note.created_at


@pytest.mark.django_db
def test_progress_follows_the_rendering_and_ends_at_the_total() -> None:
    owner = UserFactory()
    calls: list[tuple[int, int]] = []
    body = "".join(f"## Question {i}?\n\nAnswer {i} with `code_{i}`.\n\n" for i in range(450))
    notes_import(
        owner=owner,
        filename="progress.md",
        data=body.encode(),
        progress=lambda done, total: calls.append((done, total)),
    )
    done = [d for d, _ in calls]
    assert {t for _, t in calls} == {450}
    assert done == sorted(done) and done[-1] == 450
    # Reported while rendering (every 100 cards serially), not just once at the end.
    assert len([d for d in done if 0 < d < 450]) >= 3


class _InstantPool(_FakePool):
    """A pool whose one worker renders each chunk as soon as it is submitted, in order."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(taken=True)

    def submit(self, fn: Callable[..., list[str]], *args: object) -> Future[list[str]]:  # type: ignore[override]
        future: Future[list[str]] = Future()
        future.set_running_or_notify_cancel()
        future.set_result(fn(*args))
        return future


@pytest.mark.django_db
def test_new_notes_are_written_while_later_chunks_are_still_to_come(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Chunks come back in order as they are ready, and each full batch of new notes is
    # inserted (with its cards) before the next chunks are taken: writing overlaps rendering.
    from recall.decks.services import import_steps

    monkeypatch.setattr(rendering, "ProcessPoolExecutor", _InstantPool)
    monkeypatch.setattr(rendering.os, "cpu_count", lambda: 2)
    progress: list[int] = []
    inserted_at: list[int] = []
    create = import_steps._create_notes

    def recording(batch: object, now: object) -> None:
        inserted_at.append(progress[-1])
        create(batch, now)  # type: ignore[arg-type]

    monkeypatch.setattr(import_steps, "_create_notes", recording)
    owner = cast(User, UserFactory())
    summary = notes_import(
        owner=owner,
        filename="big.md",
        data=_notes(1200).encode(),
        progress=lambda done, total: progress.append(done),
    )
    assert summary.created == 1200
    assert len(inserted_at) == 3  # two batches of 500 or more, then the rest
    assert inserted_at[0] < 1200 and inserted_at == sorted(inserted_at)
    notes = list(Note.objects.filter(deck_id=summary.deck_ids[0]).order_by("id"))
    assert [n.position for n in notes] == list(range(1200))  # ids in file order
    assert all(n.question_html == render_full(n.question) for n in notes[::97])
    assert Card.objects.filter(note__in=notes).count() == 1200


def test_render_pool_starts_its_workers_before_the_rendering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    submitted: list[object] = []

    class RecordingPool(_InstantPool):
        def submit(self, fn: Callable[..., list[str]], *args: object) -> Future[list[str]]:  # type: ignore[override]
            submitted.append(args[0])
            return super().submit(fn, *args)

    monkeypatch.setattr(rendering, "ProcessPoolExecutor", RecordingPool)
    monkeypatch.setattr(rendering.os, "cpu_count", lambda: 2)
    with rendering.render_pool(10) as none:
        assert none is None  # too few texts to be worth a worker
    sources = [f"{s} {n}" if "```" not in s else s for n in range(150) for s in _SOURCES]
    with rendering.render_pool(len(sources)) as pool:
        assert pool is not None and submitted == [["start"]]  # the worker is started now
        chunks = list(rendering.render_chunks(sources, pool=pool))
    assert [html for chunk in chunks for html in chunk] == [render_full(s) for s in sources]
    assert len(submitted) == 1 + len(chunks)  # the same workers render every chunk
