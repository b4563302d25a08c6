"""A mock interview: its questions, the typed answers, their scores and the grades kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from recall.core.models import TimeStampedModel


class InterviewSession(TimeStampedModel):
    """N questions drawn from a user's decks, asked one after the other."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_sessions"
    )
    # Seconds allowed per question, like an interviewer's patience; None: untimed.
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Interview {self.pk} of {self.user_id}"

    def get_absolute_url(self) -> str:
        return reverse("interview:session", kwargs={"pk": self.pk})


class InterviewQuestion(models.Model):
    """One question of a session: the card asked, the typed answer, its score and grade.

    The answer and its score are kept as soon as they are typed, before the grade is
    confirmed, so a refused confirmation (a bad grade, a conflict) loses nothing.
    """

    session = models.ForeignKey(
        InterviewSession, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField()
    # SET_NULL: a deleted card must not erase the report; the question text stays.
    card = models.ForeignKey("decks.Card", null=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField()
    shown_at = models.DateTimeField(null=True, blank=True)
    typed_answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # Answered after the time limit ran out (plus a little grace for the network).
    overtime = models.BooleanField(default=False)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    # [{"text", "kind", "covered", "similarity", "matched", "scored"}], in reading order.
    points = models.JSONField(default=list, blank=True)
    suggested_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    review = models.ForeignKey(
        "study.ReviewLog", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["session_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="interviewquestion_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.position}: {self.question[:60]}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def confirmed(self) -> bool:
        return self.grade is not None
