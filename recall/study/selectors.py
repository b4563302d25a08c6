"""Reads of the study app: the due queue, grade previews and statistics.

Public functions (used by the API, the web pages and the CLI):

- ``study_queue(*, user, deck=None, now=None, limit=None) -> list[Card]``: cards to study now,
  in order: due learning/relearning cards, due reviews (per-deck ``reviews_per_day`` cap),
  then new cards (per-deck ``new_cards_per_day`` limit), then the cards the user's exam
  plans add today (``exam_queue``). Each card carries ``card.study_state`` (its
  ``CardState`` or ``None``) and ``card.queue`` (``"learning"``, ``"review"``, ``"new"``
  or ``"exam"``).
- ``queue_counts(*, user, deck=None, now=None) -> QueueCounts``: how many of each remain
  (``exam``: the exam plans' cards).
  (The regular queue, ``study_session`` and ``study_decks`` live in ``recall.study.queue``;
  the exam plans' cards are added here.)
- ``grade_previews(*, user, card, now=None) -> dict[int, datetime]``: next due per grade 1-4.
- ``study_decks(user, deck=None)``, ``deck_for_study(user, deck_id)``.
- Statistics, each one SQL query: ``deck_counts(user)``, ``reviews_per_day(user, days=365)``,
  ``true_retention(user, days=30)``, ``due_forecast(user, days=30)``,
  ``average_time_per_card(user)``; ``streaks(user)`` (one query, then a loop over days);
  ``study_stats(user)`` gathers them all, cached per user (invalidated by ``card_reviewed``).
- ``today_progress(user)``, ``next_due_at(user, deck=None)``, ``can_undo(user)``.

"All decks" means the user's own decks plus the readable decks they have started
(graded at least one card of): a public deck is studied in place, never copied.
Study days follow the user's time zone and change at ``User.day_starts_at_hour``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    Q,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from recall.core.exceptions import NotFoundError
from recall.decks.models import Card, Deck
from recall.decks.selectors import deck_readable_q

from . import exam_queue, queue, scheduling
from .models import CardState, Grade, ReviewLog, State

# The queue lives in its own module (recall.study.queue); its names stay importable here.
LEARN_AHEAD = queue.LEARN_AHEAD
LEARNING_STATES = queue.LEARNING_STATES
QueueCounts = queue.QueueCounts
study_decks = queue.study_decks
STATS_CACHE_SECONDS = 600


def study_queue(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = None
) -> list[Card]:
    """The cards to study now, in order (see the module docstring)."""
    now = now or timezone.now()
    cards = queue.study_queue(user=user, deck=deck, now=now, limit=limit)
    return _with_exams(user, deck, now, cards, limit)


def queue_counts(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None
) -> QueueCounts:
    now = now or timezone.now()
    counts = queue.queue_counts(user=user, deck=deck, now=now)
    return _exam_counted(user, deck, now, counts)


def study_session(
    *, user: Any, deck: Deck | None = None, now: datetime | None = None, limit: int | None = 1
) -> tuple[list[Card], QueueCounts]:
    """The next cards and the remaining counts, sharing one look at today's quotas."""
    now = now or timezone.now()
    cards, counts = queue.study_session(user=user, deck=deck, now=now, limit=limit)
    return (
        _with_exams(user, deck, now, cards, limit),
        _exam_counted(user, deck, now, counts),
    )


# Exam plans add today's planned cards after the regular ones (recall.study.exam_queue).


def _with_exams(
    user: Any, deck: Deck | None, now: datetime, cards: list[Card], limit: int | None
) -> list[Card]:
    version = functools.partial(stats_version, user.pk)
    return exam_queue.extend_queue(
        cards, user=user, deck=deck, now=now, limit=limit, version=version
    )


def _exam_counted(user: Any, deck: Deck | None, now: datetime, counts: QueueCounts) -> QueueCounts:
    version = functools.partial(stats_version, user.pk)
    exam = exam_queue.exam_count(
        user=user, deck=deck, now=now, version=version, regular_new=counts.new
    )
    return replace(counts, exam=exam) if exam else counts


def deck_for_study(user: Any, deck_id: int) -> Deck:
    """A deck the user may study (own, public or unlisted), else NotFoundError (never 403)."""
    deck = Deck.objects.filter(deck_readable_q(user), pk=deck_id).first()
    if deck is None:
        raise NotFoundError("No such deck.")
    return deck


def card_state_for(user: Any, card: Card) -> CardState | None:
    if hasattr(card, "study_state"):
        return card.study_state  # type: ignore[no-any-return]
    return CardState.objects.filter(user=user, card=card).first()


def grade_previews(*, user: Any, card: Card, now: datetime | None = None) -> dict[int, datetime]:
    """When the card would be due again after each grade (1-4); nothing is saved."""
    now = now or timezone.now()
    state = card_state_for(user, card)
    if state is None:
        return scheduling.previews(user, scheduling.new_fsrs_card(card.pk, now), now, reps=0)
    return scheduling.previews(user, scheduling.to_fsrs_card(state), now, reps=state.reps)


def next_due_at(user: Any, *, deck: Deck | None = None) -> datetime | None:
    """When the next started card falls due (for "come back at ..." when the queue is empty)."""
    row = CardState.objects.filter(
        user=user, deck__in=study_decks(user, deck), card__is_archived=False
    ).aggregate(next_due=Min("due"))
    return row["next_due"]  # type: ignore[no-any-return]


def can_undo(user: Any) -> bool:
    return ReviewLog.objects.filter(user=user).exists()


def today_progress(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """Today's reviews: how many, how many were new cards, minutes spent (one query)."""
    now = now or timezone.now()
    day = scheduling.current_day(user, now)
    row = ReviewLog.objects.filter(user=user, reviewed_at__gte=day.start).aggregate(
        reviews=Count("id"),
        new=Count("id", filter=Q(state_before=State.NEW)),
        again=Count("id", filter=Q(grade=Grade.AGAIN)),
        time_ms=Sum("duration_ms"),
    )
    return {
        "day": day.day,
        "reviews": row["reviews"],
        "new": row["new"],
        "again": row["again"],
        "time_ms": row["time_ms"] or 0,
    }


# Statistics -----------------------------------------------------------------------------


def _shifted(user: Any, field: str) -> Any:
    """A datetime column moved back by the rollover hour, so TruncDate gives the study day."""
    return ExpressionWrapper(
        F(field) - timedelta(hours=scheduling.rollover_hour(user)), output_field=DateTimeField()
    )


def _study_date(user: Any, field: str) -> TruncDate:
    return TruncDate(_shifted(user, field), tzinfo=scheduling.user_zone(user))


def deck_counts(user: Any, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per deck of the user's study: new, learning, review, due today, archived (one query).

    ``learning`` includes relearning cards; ``due_today`` counts started cards (learning or
    review) due before the study day ends; archived cards count only as ``archived``.
    """
    now = now or timezone.now()
    day = scheduling.current_day(user, now)
    live = Q(cards__is_archived=False)
    decks = (
        study_decks(user)
        .annotate(
            mine=FilteredRelation(
                "cards__study_states", condition=Q(cards__study_states__user=user)
            )
        )
        .annotate(
            total_cards=Count("cards", filter=live),
            new_cards=Count("cards", filter=live & Q(mine__id__isnull=True)),
            learning_cards=Count("mine", filter=live & Q(mine__state__in=LEARNING_STATES)),
            review_cards=Count("mine", filter=live & Q(mine__state=State.REVIEW)),
            due_today=Count("mine", filter=live & Q(mine__due__lt=day.end)),
            archived_cards=Count("cards", filter=Q(cards__is_archived=True)),
        )
        .values(
            "id",
            "title",
            "slug",
            "owner_id",
            "new_cards_per_day",
            "reviews_per_day",
            "total_cards",
            "new_cards",
            "learning_cards",
            "review_cards",
            "due_today",
            "archived_cards",
        )
    )
    return [
        {
            "deck_id": row["id"],
            "title": row["title"],
            "slug": row["slug"],
            "own": row["owner_id"] == user.pk,
            "new_cards_per_day": row["new_cards_per_day"],
            "reviews_per_day": row["reviews_per_day"],
            "total": row["total_cards"],
            "new": row["new_cards"],
            "learning": row["learning_cards"],
            "review": row["review_cards"],
            "due_today": row["due_today"],
            "archived": row["archived_cards"],
        }
        for row in decks
    ]


def _per_day(user: Any, since: datetime | None) -> list[dict[str, Any]]:
    qs = ReviewLog.objects.filter(user=user)
    if since is not None:
        qs = qs.filter(reviewed_at__gte=since)
    rows = (
        qs.annotate(day=_study_date(user, "reviewed_at"))
        .values("day")
        .annotate(count=Count("id"), time_ms=Sum("duration_ms"))
        .order_by("day")
    )
    return [
        {"day": _as_date(r["day"]), "count": r["count"], "time_ms": r["time_ms"] or 0} for r in rows
    ]


def _as_date(value: Any) -> date:
    # SQLite hands TruncDate back as a string in some versions.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def reviews_per_day(
    user: Any, days: int = 365, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Heatmap data: ``[{day, count, time_ms}]`` for study days with reviews, oldest first."""
    now = now or timezone.now()
    today = scheduling.study_day(user, now)
    since = scheduling.day_start(user, today - timedelta(days=days - 1))
    return _per_day(user, since)


def true_retention(user: Any, days: int = 30, *, now: datetime | None = None) -> dict[str, Any]:
    """Share of reviews of cards in review state not graded Again, over the last N study days."""
    now = now or timezone.now()
    today = scheduling.study_day(user, now)
    since = scheduling.day_start(user, today - timedelta(days=days - 1))
    row = ReviewLog.objects.filter(
        user=user, state_before=State.REVIEW, reviewed_at__gte=since
    ).aggregate(
        reviews=Count("id"),
        passed=Count("id", filter=~Q(grade=Grade.AGAIN)),
    )
    reviews, passed = row["reviews"], row["passed"]
    return {
        "days": days,
        "reviews": reviews,
        "passed": passed,
        "retention": (passed / reviews) if reviews else None,
    }


def due_forecast(user: Any, days: int = 30, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Cards falling due on each of the next N study days; overdue cards count today."""
    now = now or timezone.now()
    today = scheduling.study_day(user, now)
    until = scheduling.day_start(user, today + timedelta(days=days))
    rows = (
        CardState.objects.filter(
            deck_readable_q(user, prefix="deck__"),
            user=user,
            card__is_archived=False,
            due__lt=until,
        )
        .annotate(day=_study_date(user, "due"))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    per_day = {today + timedelta(days=i): 0 for i in range(days)}
    for row in rows:
        day = max(_as_date(row["day"]), today)
        if day in per_day:
            per_day[day] += row["count"]
    return [{"day": day, "count": count} for day, count in per_day.items()]


def streaks(user: Any, *, now: datetime | None = None) -> dict[str, int]:
    """Current and longest run of study days with at least one review.

    The current streak still counts when today has no review yet but yesterday had.
    """
    now = now or timezone.now()
    today = scheduling.study_day(user, now)
    days = [row["day"] for row in _per_day(user, None)]
    longest = run = 0
    previous: date | None = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    if days and days[-1] >= today - timedelta(days=1):
        current = run
    return {"current": current, "longest": longest}


def average_time_per_card(
    user: Any, *, days: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Mean answer time per review, and total time over distinct cards (one query)."""
    qs = ReviewLog.objects.filter(user=user)
    if days is not None:
        now = now or timezone.now()
        today = scheduling.study_day(user, now)
        qs = qs.filter(
            reviewed_at__gte=scheduling.day_start(user, today - timedelta(days=days - 1))
        )
    row = qs.aggregate(
        reviews=Count("id"),
        cards=Count("card", distinct=True),
        average_ms=Avg("duration_ms"),
        total_ms=Sum("duration_ms"),
    )
    cards = row["cards"]
    return {
        "reviews": row["reviews"],
        "cards": cards,
        "average_ms": round(row["average_ms"]) if row["average_ms"] is not None else None,
        "total_ms": row["total_ms"] or 0,
        "per_card_ms": round(row["total_ms"] / cards) if cards else None,
    }


def _stats_version_key(user_id: int) -> str:
    return f"study:stats-version:{user_id}"


def stats_version(user_id: int) -> int:
    return int(cache.get_or_set(_stats_version_key(user_id), 1, None) or 1)


def invalidate_stats(user_id: int) -> None:
    """Make every cached stats entry of the user stale by moving to a new version."""
    key = _stats_version_key(user_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


def deck_stats_users(deck_id: int) -> set[int]:
    """Users whose statistics may show this deck: its owner and everyone who studied it."""
    users = set(
        CardState.objects.filter(deck_id=deck_id)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    users.update(Deck.objects.filter(pk=deck_id).values_list("owner_id", flat=True))
    return users


def invalidate_stats_of(user_ids: Iterable[int]) -> None:
    for user_id in sorted(set(user_ids)):
        invalidate_stats(user_id)


def compute_stats(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "day": scheduling.study_day(user, now),
        "decks": deck_counts(user, now=now),
        "today": today_progress(user, now=now),
        "reviews_per_day": reviews_per_day(user, now=now),
        "true_retention": true_retention(user, now=now),
        "due_forecast": due_forecast(user, now=now),
        "streaks": streaks(user, now=now),
        "average_time": average_time_per_card(user, now=now),
    }


def study_stats(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """All statistics of a user, cached until their next grade (or for ten minutes)."""
    now = now or timezone.now()
    day = scheduling.study_day(user, now)
    # date_joined tells apart two users who had the same id (a recreated database).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    key = f"study:stats:{user.pk}:{joined}:v{stats_version(user.pk)}:{day.isoformat()}"
    stats = cache.get(key)
    if stats is None:
        stats = compute_stats(user, now=now)
        cache.set(key, stats, STATS_CACHE_SECONDS)
    return stats  # type: ignore[no-any-return]


def _snapshot_due(data: dict[str, Any]) -> datetime | None:
    value = data.get("due")
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def card_info(
    *, user: Any, cards: Iterable[Card], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The card info panel: for each card, the user's FSRS state now and review history.

    ``retrievability`` is fsrs' own ``get_card_retrievability`` at ``now`` (None for a card
    never graded); ``interval`` the time from the last review to the due date. ``history``
    is the review log, newest first, each grade with the state, stability, difficulty and
    due date before and after (from the log's ``card_before`` / ``card_after`` snapshots).
    """
    now = now or timezone.now()
    cards = list(cards)
    ids = [card.pk for card in cards]
    states = {s.card_id: s for s in CardState.objects.filter(user=user, card_id__in=ids)}
    logs: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for log in ReviewLog.objects.filter(user=user, card_id__in=ids).order_by("-reviewed_at", "-id"):
        before, after = log.card_before, log.card_after
        logs[log.card_id].append(  # type: ignore[index]
            {
                "reviewed_at": log.reviewed_at,
                "grade": log.get_grade_display(),
                "grade_value": log.grade,
                "duration_ms": log.duration_ms,
                "state_before": State(log.state_before).label,
                "state_after": State(log.state_after).label,
                "stability_before": before.get("stability"),
                "stability_after": after.get("stability"),
                "difficulty_before": before.get("difficulty"),
                "difficulty_after": after.get("difficulty"),
                "due_before": _snapshot_due(before),
                "due_after": _snapshot_due(after),
            }
        )
    scheduler = scheduling.scheduler_for(user) if states else None
    out: list[dict[str, Any]] = []
    for card in cards:
        state = states.get(card.pk)
        info: dict[str, Any] = {"card": card, "state": state, "history": logs[card.pk]}
        if state is not None and scheduler is not None:
            info["state_label"] = state.get_state_display()
            info["retrievability"] = scheduler.get_card_retrievability(
                scheduling.to_fsrs_card(state), scheduling.utc(now)
            )
            info["interval"] = state.due - state.last_review if state.last_review else None
        else:
            info.update(state_label=State.NEW.label, retrievability=None, interval=None)
        out.append(info)
    return out
