"""Statistics against a hand-computed fixture, each family in one SQL query."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from recall.decks.models import Visibility
from recall.study import selectors
from recall.study.models import CardState, ReviewLog, State
from tests.factories import CardFactory, DeckFactory, UserFactory

IST = ZoneInfo("Asia/Kolkata")  # UTC+05:30, no daylight saving time
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=IST)  # study day 2026-03-10 (rollover 04:00)


def ist(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=IST)


@pytest.fixture
def world(db):
    user: Any = UserFactory(username="ravi", time_zone="Asia/Kolkata", day_starts_at_hour=4)
    author: Any = UserFactory(username="author")
    alpha: Any = DeckFactory(owner=user, title="Alpha")
    beta = DeckFactory(owner=author, title="Beta", visibility=Visibility.PUBLIC)
    DeckFactory(owner=author, title="Gamma (public, never started)", visibility=Visibility.PUBLIC)
    hidden = DeckFactory(owner=author, title="Hidden", visibility=Visibility.PRIVATE)
    a: dict[int, Any] = {i: CardFactory(deck=alpha, position=i) for i in range(1, 8)}
    b = {i: CardFactory(deck=beta, position=i) for i in range(1, 4)}
    gone = CardFactory(deck=alpha, position=99)
    h1 = CardFactory(deck=hidden)
    a[6].is_archived = True
    a[6].save()

    def state(card, st, due):
        return CardState(
            user=user, card=card, deck=card.deck, state=st, due=due, stability=1.0, difficulty=5.0
        )

    CardState.objects.bulk_create(
        [
            state(a[1], State.LEARNING, ist(2026, 3, 10, 12, 30)),
            state(a[2], State.REVIEW, ist(2026, 3, 8, 9)),  # overdue
            state(a[3], State.REVIEW, ist(2026, 3, 11, 3)),  # before 04:00: still March 10's
            state(a[4], State.RELEARNING, ist(2026, 3, 12, 10)),
            state(a[6], State.REVIEW, ist(2026, 3, 10, 9)),  # archived
            state(a[7], State.REVIEW, ist(2026, 4, 20, 9)),  # beyond the forecast
            state(b[1], State.REVIEW, ist(2026, 3, 15, 9)),
            state(h1, State.REVIEW, ist(2026, 3, 10, 9)),  # deck no longer readable
            CardState(
                user=author, card=a[5], deck=alpha, state=State.REVIEW, due=ist(2026, 3, 10, 9)
            ),
        ]
    )

    def log(card, when, grade, before, ms, who=user):
        return ReviewLog(
            user=who,
            card=card,
            deck=card.deck if card else None,
            grade=grade,
            duration_ms=ms,
            reviewed_at=when,
            state_before=before,
            state_after=State.REVIEW,
            card_before={},
            card_after={},
        )

    ReviewLog.objects.bulk_create(
        [
            log(a[2], ist(2026, 3, 10, 9), 3, State.REVIEW, 4000),
            log(a[3], ist(2026, 3, 10, 2), 1, State.REVIEW, 6000),  # study day March 9
            log(a[1], ist(2026, 3, 9, 20), 3, State.NEW, 10000),
            log(a[2], ist(2026, 3, 8, 10), 4, State.REVIEW, 2000),
            log(a[4], ist(2026, 3, 6, 10), 2, State.LEARNING, 3000),
            log(a[3], ist(2026, 3, 5, 10), 3, State.REVIEW, 5000),
            log(a[2], ist(2026, 3, 4, 10), 3, State.REVIEW, 1000),
            log(a[4], ist(2026, 3, 3, 10), 3, State.LEARNING, 2000),
            log(b[1], ist(2026, 2, 1, 10), 1, State.REVIEW, 9000),  # outside 30 days
            log(b[1], ist(2026, 1, 1, 10), 3, State.NEW, 7000),
            log(gone, ist(2025, 3, 1, 10), 3, State.NEW, 11000),  # outside 365 days
            log(a[2], ist(2026, 3, 10, 9), 1, State.REVIEW, 50000, who=author),
        ]
    )
    gone.delete()  # its review stays in the statistics
    return {"user": user, "alpha": alpha, "beta": beta}


def test_deck_counts(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = selectors.deck_counts(world["user"], now=NOW)
    counts = {
        r["title"]: {
            k: r[k] for k in ("total", "new", "learning", "review", "due_today", "archived")
        }
        for r in rows
    }
    assert counts == {
        "Alpha": {"total": 6, "new": 1, "learning": 2, "review": 3, "due_today": 3, "archived": 1},
        "Beta": {"total": 3, "new": 2, "learning": 0, "review": 1, "due_today": 0, "archived": 0},
    }
    assert [r["own"] for r in rows] == [True, False]


def test_reviews_per_day_in_the_users_zone_and_study_day(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = selectors.reviews_per_day(world["user"], days=365, now=NOW)
    assert [(r["day"], r["count"], r["time_ms"]) for r in rows] == [
        (date(2026, 1, 1), 1, 7000),
        (date(2026, 2, 1), 1, 9000),
        (date(2026, 3, 3), 1, 2000),
        (date(2026, 3, 4), 1, 1000),
        (date(2026, 3, 5), 1, 5000),
        (date(2026, 3, 6), 1, 3000),
        (date(2026, 3, 8), 1, 2000),
        (date(2026, 3, 9), 2, 16000),
        (date(2026, 3, 10), 1, 4000),
    ]


def test_true_retention_over_30_days(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = selectors.true_retention(world["user"], days=30, now=NOW)
    assert (result["reviews"], result["passed"]) == (5, 4)
    assert result["retention"] == pytest.approx(0.8)


def test_due_forecast_30_days(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = selectors.due_forecast(world["user"], days=30, now=NOW)
    assert len(rows) == 30
    assert rows[0]["day"] == date(2026, 3, 10) and rows[-1]["day"] == date(2026, 4, 8)
    assert {r["day"]: r["count"] for r in rows if r["count"]} == {
        date(2026, 3, 10): 3,
        date(2026, 3, 12): 1,
        date(2026, 3, 15): 1,
    }


def test_streaks(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = selectors.streaks(world["user"], now=NOW)
    assert result == {"current": 3, "longest": 4}
    # Tomorrow, before any review, the streak is still alive; the day after it is broken.
    assert selectors.streaks(world["user"], now=ist(2026, 3, 11, 23))["current"] == 3
    assert selectors.streaks(world["user"], now=ist(2026, 3, 12, 23))["current"] == 0


def test_average_time_per_card(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = selectors.average_time_per_card(world["user"])
    assert result == {
        "reviews": 11,
        "cards": 5,
        "average_ms": 5455,  # 60 000 ms / 11
        "total_ms": 60000,
        "per_card_ms": 12000,
    }


def test_today_progress(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = selectors.today_progress(world["user"], now=NOW)
    assert (result["reviews"], result["new"], result["time_ms"]) == (1, 0, 4000)


def test_all_stats_are_cached_until_the_next_review(world, django_assert_num_queries):
    first = selectors.study_stats(world["user"], now=NOW)
    with django_assert_num_queries(0):
        assert selectors.study_stats(world["user"], now=NOW) == first
    selectors.invalidate_stats(world["user"].pk)
    with django_assert_num_queries(7):  # one per family
        selectors.study_stats(world["user"], now=NOW)


def test_stats_of_a_user_without_reviews(db):
    user = UserFactory(username="fresh")
    stats = selectors.compute_stats(user)
    assert stats["true_retention"]["retention"] is None
    assert stats["streaks"] == {"current": 0, "longest": 0}
    assert stats["average_time"]["average_ms"] is None
    assert stats["reviews_per_day"] == [] and stats["decks"] == []


def test_study_stats_command(world):
    out = StringIO()
    call_command("study_stats", "ravi", stdout=out)
    text = out.getvalue()
    assert "Alpha" in text and "Beta" in text
    assert "Streak:" in text and "True retention" in text
    out = StringIO()
    call_command("study_stats", "ravi", "--json", stdout=out)
    assert '"longest"' in out.getvalue()
    with pytest.raises(CommandError, match="no user"):
        call_command("study_stats", "nobody")


def test_changed_cards_make_the_owners_cached_stats_stale(world):
    from recall.decks.models import Card
    from recall.decks.signals import notes_bulk_changed

    user, alpha = world["user"], world["alpha"]
    before = selectors.study_stats(user, now=NOW)
    CardFactory(deck=alpha, position=500)
    assert selectors.study_stats(user, now=NOW) == before  # cached
    notes_bulk_changed.send(sender=Card, deck_id=alpha.pk, note_ids=[], archived_ids=[])
    after = selectors.study_stats(user, now=NOW)
    assert after["decks"][0]["new"] == before["decks"][0]["new"] + 1
