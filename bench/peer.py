"""Peer benchmark: Recall against the official anki package on the same corpus, in one run.

Run: .venv/bin/python bench/peer.py [--cards 100000] [--decks 10] [--rounds 150]
     [--only study,search,import]

Each engine runs in its own process (SQLite on a temporary file always; PostgreSQL too when
DATABASE_URL names it, in a throw-away database named after it with a "_peer" suffix). That
process builds the same corpus in Recall and in a fresh Anki collection (FSRS on, desired
retention 0.9, Anki's default steps), then times, the systems taking turns call by call:

- search: the typical queries of bench/search.py. Recall: ``search_cards`` (ranked, a page
  of 20, total and snippets). Anki: ``find_cards`` (unranked substring scan, ids only);
  ``deck:deck-1`` becomes ``deck:search::deck-1``, Anki's name of the same deck.
- study, due reviews and new cards separately, on bench/study.py's corpus (its ``populate``:
  20,000 studied cards, 4,000 due), copied card for card into Anki with the same FSRS
  memory states and due days. Next card + answer: Recall ``study_session(limit=1)`` (the
  next card and the day's counts, what the API's "next card" returns) + ``card_grade``;
  Anki ``get_queued_cards`` (the next card and the day's counts too) + ``answer_card``.
  The same daily limits in both (due pass: 0 new, 9,999 reviews; new pass: 9,999 new, 0
  reviews, Anki told that new cards ignore the review limit, as Recall's do), reviews by
  due date, new cards by position; reviews answered Good, new cards Easy (so none comes
  back within the pass).
- import of a 10,000-row CSV (question, answer, tags; the same file for both) and of the
  repository's notes file tests/fixtures/django-interview-notes.md: Recall imports the
  Markdown itself; Anki, which reads no Markdown, imports a CSV of the same cards. Each run
  imports into a fresh deck, questions prefixed by the run's number (no duplicates).

Every figure is the median of three runs (each run: the median over its calls); the ratio is
Recall / Anki against the goals of issue 15: on SQLite search <= 0.1, study <= 1.0 (new
and due), import <= 1.0 per card; on PostgreSQL study and import <= 2.0. Missing a goal is
printed, never an error. Study and search also print a CPU ratio: the calls' CPU time in
this thread, where both engines do their in-process work; it is steadier than wall time on a
busy machine. On PostgreSQL it leaves out the server's work: there the wall ratio counts.
"""

from __future__ import annotations

import argparse
import csv
import functools
import importlib.util
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import search as search_bench  # noqa: E402
import study as study_bench  # noqa: E402
from _steps.anki import (  # noqa: E402
    anki_add,
    anki_import_csv,
    anki_limits,
    anki_next_and_answer,
    anki_open,
    anki_queue_kind,
)
from _steps.corpus import TextMaker, insert_cards  # noqa: E402
from _steps.postgres import throwaway_database  # noqa: E402
from _steps.timing import each_turn  # noqa: E402

NOTES_FILE = ROOT / "tests" / "fixtures" / "django-interview-notes.md"
RUNS = 3
CSV_ROWS = 10_000
LIMIT = 9_999  # Anki's largest daily limit in its deck options
DAY = 86_400
GOALS = {
    "sqlite": {"search": 0.1, "study, due": 1.0, "study, new": 1.0, "import": 1.0},
    "postgresql": {"study, due": 2.0, "study, new": 2.0, "import": 2.0},
}


@dataclass
class Row:
    """One timed operation: a figure per run for each system."""

    name: str
    unit: str
    recall: list[float] = field(default_factory=list)
    anki: list[float] = field(default_factory=list)
    # The same calls in this thread's CPU time (study and search only): on a busy machine
    # waiting for a CPU inflates wall times unevenly, CPU time much less.
    recall_cpu: list[float] = field(default_factory=list)
    anki_cpu: list[float] = field(default_factory=list)
    note: str = ""

    def ratio(self) -> float:
        return statistics.median(self.recall) / statistics.median(self.anki)

    def cpu_ratio(self) -> float | None:
        if not self.recall_cpu or not self.anki_cpu:
            return None
        return statistics.median(self.recall_cpu) / statistics.median(self.anki_cpu)

    def add(self, times: tuple[float, float, float, float], scale: float = 1000) -> None:
        self.recall.append(times[0] * scale)
        self.anki.append(times[1] * scale)
        self.recall_cpu.append(times[2] * scale)
        self.anki_cpu.append(times[3] * scale)


# -- Anki -------------------------------------------------------------------------------------


# -- Recall -----------------------------------------------------------------------------------


def load_import_bench() -> Any:
    """bench/import.py (a module name Python cannot import with a statement)."""
    spec = importlib.util.spec_from_file_location("import_bench", ROOT / "bench" / "import.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recall_limits(user: Any, *, new: int, reviews: int) -> None:
    from recall.decks.models import Deck
    from recall.decks.services import deck_update

    for deck in Deck.objects.filter(owner=user):
        deck_update(deck=deck, new_cards_per_day=new, reviews_per_day=reviews)


# -- the run of one engine --------------------------------------------------------------------


def search_rows(args: argparse.Namespace, tmp: Path) -> list[Row]:
    from recall.accounts.models import User
    from recall.decks.models import Deck, Note
    from recall.search.backends import get_backend
    from recall.search.selectors import search_cards

    user = User.objects.create(username="peer-search", email="peer@example.com")
    deck_ids = [
        Deck.objects.create(owner=user, title=f"Deck {i}", slug=f"deck-{i}").pk
        for i in range(args.decks)
    ]
    t0 = time.perf_counter()
    insert_cards(0, args.cards, deck_ids, TextMaker().pools())
    get_backend().rebuild()
    analyze()
    rows = list(
        Note.objects.filter(deck__owner=user)
        .order_by("id")
        .values_list("question", "answer", "deck__slug")
    )
    built_recall = time.perf_counter() - t0
    t0 = time.perf_counter()
    col = anki_open(tmp / "anki-search")
    anki_add(col, [(q, a, f"search::{slug}") for q, a, slug in rows])
    print(
        f"  search corpus: {len(rows):,} cards in {args.decks} decks; Recall built and indexed "
        f"in {built_recall:.1f}s, Anki in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    queries = search_bench.query_sets()["typical"]

    def anki_query(query: str) -> str:
        return query.replace("deck:", "deck:search::")

    row = Row("search", "ms per query (p50)")
    try:
        for query in queries:  # warm both
            search_cards(user=user, query=query, page_size=search_bench.PAGE_SIZE)
            col.find_cards(anki_query(query))
        for _ in range(RUNS):
            times = each_turn(
                [
                    (
                        lambda q=q: search_cards(  # type: ignore[misc]
                            user=user, query=q, page_size=search_bench.PAGE_SIZE
                        ),
                        lambda q=q: col.find_cards(anki_query(q)),  # type: ignore[misc]
                    )
                    for q in queries
                ]
            )
            row.add(times)
    finally:
        col.close()
    row.note = (
        f"{len(queries)} queries; Recall ranks the matches and returns a page of 20 with the "
        "total and snippets, Anki returns every matching card id, unranked"
    )
    return [row]


def study_rows(args: argparse.Namespace, tmp: Path) -> list[Row]:
    from recall.decks.models import Card
    from recall.study import selectors, services
    from recall.study.models import CardState

    t0 = time.perf_counter()
    user, now = study_bench.populate(args.cards, args.decks, args.studied, args.due)
    analyze()
    cards = list(
        Card.objects.filter(deck__owner=user)
        .order_by("id")
        .values_list("id", "question", "answer", "deck__title")
    )
    built_recall = time.perf_counter() - t0
    t0 = time.perf_counter()
    col = anki_open(tmp / "anki-study")
    anki_ids = anki_add(col, [(q, a, f"study::{title}") for _, q, a, title in cards])
    anki_of = {row[0]: anki_ids[index] for index, row in enumerate(cards)}
    # The same states, as Anki stores them: due and interval in days from Anki's today.
    from anki.cards import CardId
    from anki.cards_pb2 import FsrsMemoryState

    today = col.sched.today
    real_now = int(time.time())
    changed = []
    for state in CardState.objects.filter(user=user):
        card = col.get_card(CardId(anki_of[state.card_id]))
        assert state.last_review and state.stability and state.difficulty  # populate sets them
        due_days = (state.due - now).total_seconds() / DAY
        last_days = (now - state.last_review).total_seconds() / DAY
        card.type = card.queue = 2
        card.due = today + (int(due_days) if due_days >= 0 else -int(-due_days) - 1)
        card.ivl = max(1, round(due_days + last_days))
        card.memory_state = FsrsMemoryState(stability=state.stability, difficulty=state.difficulty)
        card.last_review_time = real_now - int(last_days * DAY)
        changed.append(card)
    col.update_cards(changed)
    col.decks.select(col.decks.id("study"))
    print(
        f"  study corpus: bench/study.py's populate, {len(cards):,} cards, {args.studied:,} "
        f"studied, {args.due:,} due; Recall built in {built_recall:.1f}s, Anki in "
        f"{time.perf_counter() - t0:.1f}s",
        flush=True,
    )

    # Recall's corpus lives on bench/study.py's fixed day: its clock is that day plus the
    # time elapsed, handed to each call (no clock patching inside the timed calls).
    started = time.perf_counter()

    def at() -> datetime:
        return now + timedelta(seconds=time.perf_counter() - started)

    def recall_trip(grade: int) -> None:
        when = at()
        card = selectors.study_session(user=user, limit=1, now=when)[0][0]
        version = card.study_state.version if card.study_state else 0  # type: ignore[attr-defined]
        services.card_grade(
            user=user,
            card_id=card.pk,
            grade=grade,
            duration_ms=4000,
            expected_version=version,
            now=when,
        )

    def recall_queue_kind() -> str:
        return str(selectors.study_queue(user=user, limit=1, now=at())[0].queue)  # type: ignore[attr-defined]

    out = []
    try:
        for name, new, reviews, grade, expect in (
            ("study, due", 0, LIMIT, 3, ("review", 2)),
            ("study, new", LIMIT, 0, 4, ("new", 0)),
        ):
            recall_limits(user, new=new, reviews=reviews)
            anki_limits(col, new=new, reviews=reviews)
            found = (recall_queue_kind(), anki_queue_kind(col))
            if found != expect:
                raise SystemExit(f"{name}: the next cards are {found}, expected {expect}")
            for _ in range(5):  # warm both
                recall_trip(grade)
                anki_next_and_answer(col, grade)
            row = Row(name, "ms per next card + answer (p50)")
            for _ in range(RUNS):
                times = each_turn(
                    [
                        (
                            functools.partial(recall_trip, grade),
                            functools.partial(anki_next_and_answer, col, grade),
                        )
                        for _ in range(args.rounds)
                    ]
                )
                row.add(times)
            found = (recall_queue_kind(), anki_queue_kind(col))
            if found != expect:
                raise SystemExit(f"{name}: after the runs the next cards are {found}")
            row.note = (
                f"{args.rounds} per run; both pick the card under today's per-deck limits, "
                "count what is left today (new, learning, review) and "
                "write the state and a review-log row (Anki's SQLite at synchronous=NORMAL, as "
                "Recall's; PostgreSQL syncs each commit); "
                "both pop from a day's queue built once (Anki's in memory; Recall's as ids in "
                "the cache, each card checked against the database and today's counts read "
                "per answer, so two tabs and other writers stay exact); Anki also balances "
                "review load"
            )
            out.append(row)
    finally:
        col.close()
    return out


def import_rows(args: argparse.Namespace, tmp: Path) -> list[Row]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from recall.decks.importers import parse_document
    from recall.decks.services import notes_import

    owner = get_user_model().objects.create_user(username="peer-import", password="x")
    questions, answers = TextMaker(seed=9).pools()
    rng = random.Random(3)
    base = [
        (questions[i % len(questions)], answers[rng.randrange(len(answers))], f"t{i % 50} peer")
        for i in range(CSV_ROWS)
    ]
    notes = NOTES_FILE.read_text("utf-8")
    parsed = parse_document(NOTES_FILE.name, notes)
    note_cards = [(c.question, c.answer, "notes") for c in parsed.cards]
    col = anki_open(tmp / "anki-import")

    def write_csv(path: Path, rows: list[tuple[str, str, str]], prefix: str) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for number, (q, a, tags) in enumerate(rows):
            writer.writerow([f"{prefix}{number} {q}", a, tags])
        path.write_text(buffer.getvalue(), "utf-8")

    csv_row = Row("import, CSV", f"ms per 1,000 cards ({CSV_ROWS:,}-row CSV)")
    notes_row = Row("import, notes", f"ms per 1,000 cards ({len(note_cards)} cards)")
    try:
        for run in range(RUNS + 1):  # run 0 warms both up
            csv_path = tmp / f"peer-{run}.csv"
            write_csv(csv_path, base, f"R{run}-")
            anki_notes = tmp / f"notes-{run}.csv"
            write_csv(anki_notes, note_cards, f"R{run}-")
            md_path = tmp / f"notes-{run}.md"
            # The same cards, made distinct per run by the file's deck (Recall matches
            # questions within a deck only).
            md_path.write_text(notes, "utf-8")

            def recall_csv(path: Path = csv_path) -> int:
                with transaction.atomic():
                    summary = notes_import(owner=owner, filename=path.name, data=path.read_bytes())
                return int(summary.created)

            def recall_notes(path: Path = md_path) -> int:
                with transaction.atomic():
                    summary = notes_import(owner=owner, filename=path.name, data=path.read_bytes())
                return int(summary.created)

            jobs: list[tuple[Row, Callable[[], int], Callable[[], int], int]] = [
                (
                    csv_row,
                    recall_csv,
                    functools.partial(anki_import_csv, col, csv_path, f"csv-{run}"),
                    CSV_ROWS,
                ),
                (
                    notes_row,
                    recall_notes,
                    functools.partial(anki_import_csv, col, anki_notes, f"notes-{run}"),
                    len(note_cards),
                ),
            ]
            for row, recall_call, anki_call, count in jobs:
                made: dict[str, int] = {}
                spent: dict[str, float] = {}
                order = [("recall", recall_call), ("anki", anki_call)]
                for system, call in order if run % 2 else order[::-1]:
                    start = time.perf_counter()
                    made[system] = call()
                    spent[system] = time.perf_counter() - start
                if set(made.values()) != {count}:
                    raise SystemExit(f"{row.name}: imported {made}, expected {count} each")
                if run:
                    row.recall.append(spent["recall"] * 1_000_000 / count)
                    row.anki.append(spent["anki"] * 1_000_000 / count)
    finally:
        col.close()
    csv_row.note = (
        "the same file; Recall renders each card's Markdown to HTML, tags it, indexes it for "
        "search (on commit); Anki stores the text as given and checks duplicates"
    )
    notes_row.note = (
        "Recall parses the Markdown notes (headings, code, links), renders and indexes them; "
        "Anki, which reads no Markdown, gets the same cards as a CSV"
    )
    return [csv_row, notes_row]


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run_engine(args: argparse.Namespace) -> None:
    import logging

    search_bench.setup_django(args.engine, args.database_url)
    from django.core.management import call_command
    from django.db import connection

    logging.disable(logging.WARNING)  # the eager index task logs each import
    call_command("migrate", verbosity=0, interactive=False)
    vendor = connection.vendor
    print(f"[{vendor}] {datetime.now(UTC):%H:%M:%S} building", flush=True)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        # Study first: bench/study.py's populate draws its studied cards from every card.
        parts = {"study": study_rows, "search": search_rows, "import": import_rows}
        rows = [row for name, part in parts.items() if name in args.only for row in part(args, tmp)]
    goals = GOALS.get(vendor, {})
    print(
        f"[{vendor}] medians of {RUNS} runs; ratio = Recall / Anki "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"{'operation':<16}{'Recall':>10}{'Anki':>10}{'ratio':>8}{'CPU ratio':>10}  "
        "goal (on the ratio)  unit"
    )
    for row in rows:
        goal = goals.get("import" if row.name.startswith("import") else row.name)
        ratio = row.ratio()
        cpu = row.cpu_ratio()
        verdict = "" if goal is None else f"<= {goal:<4} {'met' if ratio <= goal else 'NOT met'}"
        print(
            f"{row.name:<16}{statistics.median(row.recall):>10.3f}"
            f"{statistics.median(row.anki):>10.3f}{ratio:>8.2f}"
            f"{'' if cpu is None else f'{cpu:.2f}':>10}  {verdict:<19}{row.unit}"
        )
    print("what differs in the work done:")
    for row in rows:
        print(f"  {row.name}: {row.note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000, help="cards per corpus")
    parser.add_argument("--decks", type=int, default=10)
    parser.add_argument("--studied", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=150, help="answers per run and pass")
    parser.add_argument(
        "--only",
        default="study,search,import",
        help="comma-separated parts to run (study, search, import); all by default",
    )
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.due < args.rounds * (RUNS + 1) + 10:
        parser.error("--due must exceed the reviews answered (rounds x 4)")
    args.only = set(args.only.split(","))
    if args.engine:
        run_engine(args)
        return 0
    forward = [
        f"--{name}={getattr(args, name)}" for name in ("cards", "decks", "studied", "due", "rounds")
    ] + [f"--only={','.join(sorted(args.only))}"]
    print(f"peer benchmark: Recall against Anki, {args.cards:,} cards in {args.decks} decks")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'peer.sqlite3'}"
        command = [sys.executable, __file__, "--engine=sqlite", f"--database-url={url}"]
        subprocess.run([*command, *forward], check=True)
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        with throwaway_database(database_url, "_peer") as url:
            command = [sys.executable, __file__, "--engine=postgres", f"--database-url={url}"]
            subprocess.run([*command, *forward], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
