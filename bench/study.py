"""Benchmark: one study round trip ("next card" + "grade") with 100,000 cards in the user's decks.

Timed for due reviews (the comparison below) and, last, for new cards: each deck's review
limit set to 0 for the day so that the next card is a new one (see ``new_cards_pass``).

Baseline, measured in the same run on the same rows: a bare indexed SELECT of the next
due CardState and an UPDATE of it, in one transaction, through a raw cursor: the least
any scheduler storing its state in SQL must pay. Staying within 2x of it was the goal
(withdrawn, see below).

A second baseline does the same SELECT + UPDATE through the ORM (select_for_update + save).

The round trip is the real thing: ``selectors.study_queue(limit=1)`` (scope, today's per-deck
quotas, learning before reviews, per-deck review caps) and ``services.card_grade`` with the
version the queue gave (readability check, FSRS through ``scheduling.review``, the
CardState write and the ReviewLog insert). Its statements per round trip are printed too.
The queue is the day queue of ``recall/study/queue/``: the day's reviews and new cards
picked once and kept in the cache as ids; each call reads today's per-deck counts (one
DailyReviewCount query), then the due learning cards together with the head of the review
list checked by id (one query), and the head of a new-card list when new cards are served.
The grade reads the card, its deck's readability and the user's state in one query, then
writes through the ORM (a compare-and-swap UPDATE or an INSERT, the review-log INSERT and
the daily count).
The former hand-written raw-SQL hot path is gone (issue 15): the round trip is the ORM's.

A second pass runs the bare baseline and the round trip again with the database driver's
calls timed (statements, fetches, commits), and fsrs, the ``card_reviewed`` signal and a
``transaction.atomic`` block are timed alone. It prints the time inside the driver and the
least the round trip could take with its SQL: that SQL plus fsrs plus the signal, with no
other Python at all. Where that is above 2x the baseline, no Python around these
statements can meet the goal; only less SQL could.

The old goal (within 2x of the bare baseline) is withdrawn by issue 15; the user-level
figures are bench/peer.py's (against Anki) and bench/load.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402
from _steps.reviewed import basic_cards, last_seen, review_state  # noqa: E402
from _steps.timing import driver_share, timed  # noqa: E402


def populate(cards_total: int, decks: int, studied: int, due: int) -> tuple[Any, datetime]:
    from recall.accounts.models import User
    from recall.decks.models import Deck
    from recall.study.models import CardState, ReviewLog, State

    rng = random.Random(2026)
    now = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    user = User.objects.create(username="bench", time_zone="Europe/Paris")
    deck_objs = Deck.objects.bulk_create(
        [
            Deck(owner=user, title=f"Deck {i:02}", slug=f"deck-{i}", reviews_per_day=100_000)
            for i in range(decks)
        ]
    )
    card_rows = basic_cards(deck_objs, cards_total // decks)
    chosen = rng.sample(card_rows, studied)
    states = []
    logs = []
    for index, (card_id, deck_id) in enumerate(chosen):
        last = last_seen(now, rng)
        if index < due:
            when = now - timedelta(hours=rng.randint(1, 48))  # due now
        else:
            when = now + timedelta(days=rng.randint(1, 300))
        states.append(review_state(user, card_id, deck_id, due=when, last=last, rng=rng))
        logs.append(
            ReviewLog(
                user=user,
                card_id=card_id,
                deck_id=deck_id,
                grade=3,
                duration_ms=5000,
                reviewed_at=last,
                state_before=State.REVIEW,
                state_after=State.REVIEW,
                card_before={},
                card_after={},
            )
        )
    CardState.objects.bulk_create(states, batch_size=5000)
    ReviewLog.objects.bulk_create(logs, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # A live server has planner statistics; a bulk load has none until autovacuum runs.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return user, now


def fixed_costs(user: Any, now: datetime, rounds: int = 2000) -> dict[str, float]:
    """Median seconds of the parts of a grade that any implementation of the issue pays in
    Python besides its SQL: the scheduling (fsrs with Anki's rules around it, as the grade
    runs it), a transaction block and the ``card_reviewed`` signal."""
    from django.db import transaction
    from fsrs import Card as FsrsCard
    from fsrs import Rating, Scheduler

    from recall.study import scheduling
    from recall.study.models import CardState
    from recall.study.signals import card_reviewed

    scheduler = Scheduler()
    card = scheduler.review_card(FsrsCard(), Rating.Good, now - timedelta(days=3))[0]

    def fsrs_review() -> None:
        scheduling.review(user, card, 3, now, reps=2, lapses=0)

    def atomic_block() -> None:
        with transaction.atomic():
            pass

    def signal() -> None:
        card_reviewed.send(
            sender=CardState, user_id=user.pk, card_id=0, deck_id=0, review_id=0, grade=3
        )

    found = {}
    for name, call in (("fsrs", fsrs_review), ("atomic", atomic_block), ("signal", signal)):
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            call()
            samples.append(time.perf_counter() - start)
        found[name] = statistics.median(samples)
    return found


def run(args: argparse.Namespace) -> None:
    from django.db import connection, transaction

    vendor = connection.vendor
    if vendor == "sqlite":
        test_name = str(Path(args.tmpdir) / "bench-study.sqlite3")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        t0 = time.perf_counter()
        user, now = populate(args.cards, args.decks, args.studied, args.due)
        print(
            f"[{vendor}] {args.cards:,} cards in {args.decks} decks, {args.studied:,} studied, "
            f"{args.due} due; built in {time.perf_counter() - t0:.1f}s"
        )
        from time_machine import travel

        from recall.study import selectors, services
        from recall.study.models import CardState, State

        clock = travel(now, tick=True)
        clock.start()
        try:
            rng = random.Random(1)

            def round_trip(i: int) -> None:
                card = selectors.study_queue(user=user, limit=1)[0]
                version = card.study_state.version if card.study_state else 0  # type: ignore[attr-defined]
                services.card_grade(
                    user=user,
                    card_id=card.pk,
                    grade=rng.choice((2, 3, 3, 4)),
                    duration_ms=4000,
                    expected_version=version,
                )

            cursor_sql_select = (
                "SELECT id, stability, version, card_id, deck_id FROM study_cardstate "
                "WHERE user_id = %s AND state = %s AND due < %s ORDER BY due, id LIMIT 1"
            )
            cursor_sql_update = (
                "UPDATE study_cardstate SET due = %s, stability = %s, last_review = %s, "
                "reps = reps + 1, version = version + 1 WHERE id = %s"
            )

            def select_and_update(cur: Any) -> Any:
                cur.execute(cursor_sql_select, [user.pk, State.REVIEW, now])
                row = cur.fetchone()
                cur.execute(cursor_sql_update, [now + timedelta(days=30), row[1] * 2, now, row[0]])
                return row

            def bare(i: int) -> None:
                with transaction.atomic(), connection.cursor() as cur:
                    select_and_update(cur)

            # The baseline plus the one write the issue cannot do without: the review's
            # append-only ReviewLog row (state before and after, as two JSON snapshots).
            log_columns = (
                "user_id, card_id, deck_id, grade, duration_ms, reviewed_at, state_before, "
                "state_after, card_before, card_after, typed_answer"
            )
            log_insert = (
                f"INSERT INTO study_reviewlog ({log_columns}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            )

            def bare_logged(i: int) -> None:
                with transaction.atomic(), connection.cursor() as cur:
                    row = select_and_update(cur)
                    snapshot = json.dumps({"card_id": row[3], "state": 2, "stability": row[1]})
                    cur.execute(
                        log_insert,
                        [user.pk, row[3], row[4], 3, 4000, now, 2, 2, snapshot, snapshot, ""],
                    )

            def orm(i: int) -> None:
                with transaction.atomic():
                    state = (
                        CardState.objects.select_for_update()
                        .filter(user=user, state=State.REVIEW, due__lt=now)
                        .order_by("due", "id")
                        .first()
                    )
                    assert state is not None
                    state.due = now + timedelta(days=30)
                    state.version += 1
                    state.save()

            for step in (round_trip, bare, bare_logged, orm):  # warm caches and connections
                for i in range(5):
                    step(i)
            from django.test.utils import CaptureQueriesContext

            statements = {}
            for label, step in (
                ("bare", bare),
                ("bare + log", bare_logged),
                ("ORM", orm),
                ("round trip", round_trip),
            ):
                with CaptureQueriesContext(connection) as ctx:
                    step(0)
                statements[label] = len(ctx.captured_queries)
            results = timed(
                args.rounds,
                {
                    "bare SELECT + UPDATE (raw SQL)": bare,
                    "bare + ReviewLog INSERT (raw SQL)": bare_logged,
                    "ORM SELECT FOR UPDATE + save()": orm,
                    "next card + grade (services)": round_trip,
                },
            )
            shares = {
                "bare": driver_share(bare, args.rounds),
                "trip": driver_share(round_trip, args.rounds),
            }
            fixed = fixed_costs(user, now)
            new_trip = new_cards_pass(user, args.rounds)
        finally:
            clock.stop()
        cpu = {name: samples.pop() for name, samples in results.items()}
        bare_name, logged_name, orm_name, trip_name = list(results)
        base = statistics.median(results[bare_name])
        orm_base = statistics.median(results[orm_name])
        print(
            f"{'operation':<34}{'median ms':>11}{'p95 ms':>9}{'cpu ms':>9}"
            f"{'vs bare':>9}{'vs ORM':>8}"
        )
        for name, samples in results.items():
            med = statistics.median(samples)
            p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
            print(
                f"{name:<34}{med * 1000:>11.3f}{p95 * 1000:>9.3f}{cpu[name] * 1000:>9.3f}"
                f"{med / base:>8.1f}x{med / orm_base:>7.1f}x"
            )
        print(
            f"[{vendor}] statements per call (BEGIN/COMMIT included where logged): "
            + ", ".join(f"{label} {n}" for label, n in statements.items())
        )
        ratio = statistics.median(results[trip_name]) / base
        verdict = "within" if ratio <= 2 else "ABOVE"
        print(
            f"[{vendor}] round trip = {ratio:.1f}x the bare SQL baseline ({verdict} the 2x goal), "
            f"{statistics.median(results[trip_name]) / orm_base:.1f}x the ORM baseline"
        )
        print_shares(vendor, shares, fixed)
        new_samples, new_cpu, new_statements = new_trip
        print(
            f"[{vendor}] next card + grade, NEW cards (reviews capped at 0 for the day, "
            f"{args.cards - args.studied:,} new cards behind them, graded Easy): median "
            f"{statistics.median(new_samples) * 1000:.3f} ms, p95 "
            f"{sorted(new_samples)[int(len(new_samples) * 0.95) - 1] * 1000:.3f} ms, cpu "
            f"{new_cpu * 1000:.3f} ms, {new_statements} statements; "
            f"{statistics.median(new_samples) / statistics.median(results[trip_name]):.1f}x "
            "the due-review round trip"
        )
        least = statistics.median(results[logged_name]) + fixed["fsrs"] + fixed["signal"]
        print(
            f"[{vendor}] the baseline + its ReviewLog INSERT + fsrs + signal: "
            f"{least * 1000:.3f} ms = {least / base:.1f}x; under 2x that leaves "
            f"{(2 * base - least) * 1000:.3f} ms for all else (today's quotas, the card, the "
            "grade request's own read of the state, every other line of Python)"
        )
    finally:
        connection.creation.destroy_test_db(
            connection.settings_dict["NAME"], verbosity=0, keepdb=False
        )


def new_cards_pass(user: Any, rounds: int) -> tuple[list[float], float, int]:
    """The round trip when the next card is a new one: each deck's review limit set to 0
    for the day (so the due reviews wait) and its new-card limit above the rounds.
    New cards are graded Easy so that none comes back as a learning card during the pass.
    Returns the samples (seconds), the mean CPU seconds and the statements of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recall.decks.models import Deck
    from recall.decks.services import deck_update
    from recall.study import selectors, services

    for deck in Deck.objects.filter(owner=user):
        deck_update(deck=deck, reviews_per_day=0, new_cards_per_day=rounds + 100)

    def new_trip(i: int) -> None:
        card = selectors.study_queue(user=user, limit=1)[0]
        assert card.queue == "new", card.queue  # type: ignore[attr-defined]
        services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=4000)

    for i in range(5):
        new_trip(i)
    with CaptureQueriesContext(connection) as ctx:
        new_trip(0)
    samples = timed(rounds, {"new": new_trip})["new"]
    cpu = samples.pop()
    return samples, cpu, len(ctx.captured_queries)


def print_shares(
    vendor: str, shares: dict[str, tuple[float, float]], fixed: dict[str, float]
) -> None:
    """Where the round trip's time goes, and the least it could take with the same SQL."""
    (bare_total, bare_driver), (trip_total, trip_driver) = shares["bare"], shares["trip"]
    print(
        f"[{vendor}] inside the database driver (a separate pass, medians): bare "
        f"{bare_driver * 1000:.3f} of {bare_total * 1000:.3f} ms, round trip "
        f"{trip_driver * 1000:.3f} of {trip_total * 1000:.3f} ms "
        f"(its Python: {(trip_total - trip_driver) * 1000:.3f} ms)"
    )
    # Conservative: the transaction block is left out (on PostgreSQL the write is one
    # statement and needs none).
    floor = trip_driver + fixed["fsrs"] + fixed["signal"]
    print(
        f"[{vendor}] alone: fsrs {fixed['fsrs'] * 1000:.3f} ms, card_reviewed signal "
        f"{fixed['signal'] * 1000:.3f} ms, transaction.atomic {fixed['atomic'] * 1000:.3f} ms. "
        f"The round trip's SQL + fsrs + signal, with no other Python: {floor * 1000:.3f} ms = "
        f"{floor / bare_total:.1f}x this pass's bare baseline"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--decks", type=int, default=10)
    parser.add_argument("--studied", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--postgres", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    original = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmpdir:
        args.tmpdir = tmpdir
        if args.postgres:
            setup_django(original)
            run(args)
            return
        setup_django(f"sqlite:///{Path(tmpdir) / 'bench-study-base.sqlite3'}")
        run(args)
    if original.startswith(("postgres://", "postgresql://")):
        sys.stdout.flush()
        env = {**os.environ, "DATABASE_URL": original}
        subprocess.run([sys.executable, __file__, "--postgres", *sys.argv[1:]], check=True, env=env)


if __name__ == "__main__":
    main()
