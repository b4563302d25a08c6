"""FSRS scheduling state per (user, card) and the append-only review log.

A card a user never graded has no ``CardState`` row: "new" is the absence of a row,
so studying someone's public deck costs nothing until the first grade.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class State(models.IntegerChoices):
    """The card's place in the FSRS life cycle; values match ``fsrs.State`` (NEW is ours)."""

    NEW = 0, "New"
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Grade(models.IntegerChoices):
    """The four answers; values match ``fsrs.Rating``."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class CardState(models.Model):
    """Where one user stands with one card: the fsrs Card, plus counters and a version."""

    # No index of its own: the unique (user, card) constraint's index starts with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="card_states",
        db_index=False,
    )
    card = models.ForeignKey("decks.Card", on_delete=models.CASCADE, related_name="study_states")
    # Copied from card.deck_id so the queue and its per-deck limits read one index.
    deck = models.ForeignKey("decks.Deck", on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # Bumped by every grade and undo; a client that sends the version it saw gets a 409
    # instead of grading twice.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "card"], name="cardstate_unique_per_user_card")
        ]
        indexes = [
            models.Index(fields=["user", "state", "due"], name="cardstate_user_state_due"),
            models.Index(
                fields=["user", "deck", "state", "due"], name="cardstate_user_deck_state_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.card_id} {self.get_state_display()} due {self.due:%Y-%m-%d}"


class ReviewLogQuerySet(models.QuerySet["ReviewLog"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("the review log is append-only: reviews are never updated")


class ReviewLog(models.Model):
    """One grade, kept forever so a user's history is never lost.

    Append-only: rows are never updated. The single deletion the application makes
    is ``review_undo``, which removes the user's latest review after restoring the
    card from ``card_before`` (deleting a user still cascades, as the law requires).
    ``card_before``/``card_after`` are ``fsrs.Card.to_dict()`` snapshots with two
    extra keys of ours, ``reps`` and ``lapses``.
    """

    # No index of its own: the (user, reviewed_at) index starts with it, and every grade
    # writes each of the log's indexes.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_logs",
        db_index=False,
    )
    # SET_NULL: deleting a card or deck must not erase the user's statistics.
    card = models.ForeignKey(
        "decks.Card", null=True, on_delete=models.SET_NULL, related_name="review_logs"
    )
    deck = models.ForeignKey("decks.Deck", null=True, on_delete=models.SET_NULL, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(db_index=True)
    state_before = models.PositiveSmallIntegerField(choices=State.choices)
    state_after = models.PositiveSmallIntegerField(choices=State.choices)
    card_before = models.JSONField()
    card_after = models.JSONField()
    # Interview mode: what the user typed, and its score (0-100) against the note's answer.
    typed_answer = models.TextField(blank=True, default="")
    interview_score = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = ReviewLogQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="reviewlog_user_reviewed_at"),
            models.Index(fields=["user", "card", "reviewed_at"], name="reviewlog_user_card_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.card_id} {self.get_grade_display()} at {self.reviewed_at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("the review log is append-only: reviews are never updated")
        super().save(*args, **kwargs)


class DailyReviewCount(models.Model):
    """A user's new cards and reviews in one deck on one study day: the daily limits' counts.

    Written by the grade itself (in the same statement or transaction as its ReviewLog) and
    by undo, so that the queue reads today's counts in one row per deck instead of counting
    the day's log. ``day_start`` is the instant the study day began, in the user's zone
    and rollover hour when the grade was made. ``last_reviewed_at`` (never lowered) lets
    the queue see when a row cannot be trusted for today (the user's zone or hour changed,
    or a grade carries a later time): it then counts the log instead, so the quotas always
    equal counting the log. See ``recall.study.queue.deck_quotas``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    deck = models.ForeignKey("decks.Deck", on_delete=models.CASCADE, related_name="+")
    day_start = models.DateTimeField()
    new_cards = models.IntegerField(default=0)
    reviews = models.IntegerField(default=0)
    last_reviewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "deck", "day_start"], name="dailyreviewcount_unique_day"
            )
        ]
        indexes = [
            models.Index(fields=["user", "last_reviewed_at"], name="dailyreviewcount_user_last")
        ]

    def __str__(self) -> str:
        day = f"{self.day_start:%Y-%m-%d %H:%M}"
        return f"{self.user_id}/{self.deck_id} {day}: {self.new_cards} new, {self.reviews} reviews"


class Exam(models.Model):
    """A user's exam on a deck: the plan (``exam_plan``) aims every card's predicted recall
    on ``date`` at ``target_retention`` or more. One exam per user and deck: setting a new
    date replaces it. The plan itself is computed from the card states, never stored, so
    that every grade (Again included) is taken into account at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exams", db_index=False
    )
    deck = models.ForeignKey("decks.Deck", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(help_text="The exam's day, in the user's study days.")
    target_retention = models.FloatField(default=0.9)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "deck"], name="exam_unique_per_user_deck")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.deck_id} exam on {self.date:%Y-%m-%d}"
