"""Writes of interview mode: scoring a typed answer, recording it, running a mock interview.

Public functions (the web pages, the API and ``manage.py interview`` call these and only
these):

- ``answer_score(*, user, card_id, answer, method=None) -> AnswerScore``: a typed answer
  scored against the card's answer (no write).
- ``answer_record(*, user, card_id, answer, grade=None, duration_ms=0) -> Recorded``: score,
  then grade the card through the study service ``card_grade`` (FSRS exactly as a normal
  review), with the typed answer and the score on the review log. ``grade`` None: the
  suggested one.
- ``session_start(*, user, deck_ids=None, count=5, time_limit_seconds=None, rng=None)``:
  a mock interview of ``count`` questions drawn from readable decks, weighted to weak cards.
- ``question_show``, ``question_answer``, ``question_confirm``: one question's life: shown
  (its clock starts), answered (scored and kept, nothing recorded yet), confirmed with the
  suggested or an overriding grade (recorded as a review). The session finishes with its
  last confirmation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from recall.core.exceptions import ApplicationError, ConflictError, NotFoundError
from recall.study.services import GradeResult, card_grade

from . import selectors
from .models import InterviewQuestion, InterviewSession
from .scoring import AnswerScore, score_answer

MAX_ANSWER_CHARS = 10_000
MAX_QUESTIONS = 50
MAX_TIME_LIMIT_SECONDS = 3600
# Answers that arrive this long after the limit still count as in time (network, typing).
GRACE_SECONDS = 5


@dataclass(frozen=True)
class Recorded:
    score: AnswerScore
    grade: GradeResult


def _check_answer(answer: str) -> None:
    if len(answer) > MAX_ANSWER_CHARS:
        raise ApplicationError(
            f"The answer is {len(answer):,} characters long; at most {MAX_ANSWER_CHARS:,}."
        )
    if "\x00" in answer:
        raise ApplicationError("The answer cannot contain NUL characters.")


def _check_grade(grade: int | None) -> None:
    if grade is not None and grade not in (1, 2, 3, 4):
        raise ApplicationError("Grade must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")


def answer_score(*, user: Any, card_id: int, answer: str, method: str | None = None) -> AnswerScore:
    """Score ``answer`` against the card's answer; the card must be readable to ``user``."""
    _check_answer(answer)
    card = selectors.card_for_interview(user, card_id)
    return score_answer(
        selectors.card_key_points(card), answer, method=method, question=card.question
    )


def answer_record(
    *,
    user: Any,
    card_id: int,
    answer: str,
    grade: int | None = None,
    duration_ms: int = 0,
) -> Recorded:
    """Score the answer and record the review (the suggested grade unless ``grade``)."""
    _check_grade(grade)
    scored = answer_score(user=user, card_id=card_id, answer=answer)
    result = card_grade(
        user=user,
        card_id=card_id,
        grade=grade or scored.suggested_grade,
        duration_ms=duration_ms,
        typed_answer=answer,
        interview_score=scored.score,
    )
    return Recorded(score=scored, grade=result)


@transaction.atomic
def session_start(
    *,
    user: Any,
    deck_ids: list[int] | None = None,
    count: int = 5,
    time_limit_seconds: int | None = None,
    rng: random.Random | None = None,
) -> InterviewSession:
    """A new mock interview of ``count`` questions across ``deck_ids`` (readable decks;
    default: the user's own and the ones they study), weakest cards most likely."""
    if not 1 <= count <= MAX_QUESTIONS:
        raise ApplicationError(f"An interview has 1 to {MAX_QUESTIONS} questions.")
    if time_limit_seconds is not None and not 10 <= time_limit_seconds <= MAX_TIME_LIMIT_SECONDS:
        raise ApplicationError(
            f"The time limit is 10 to {MAX_TIME_LIMIT_SECONDS} seconds per question, or none."
        )
    decks = selectors.interview_decks(user, deck_ids)
    cards = selectors.weak_cards_draw(user=user, decks=decks, count=count, rng=rng)
    if not cards:
        raise ApplicationError("These decks have no cards to ask: import or write some notes.")
    session = InterviewSession.objects.create(user=user, time_limit_seconds=time_limit_seconds)
    InterviewQuestion.objects.bulk_create(
        InterviewQuestion(session=session, position=i, card=card, question=card.question)
        for i, card in enumerate(cards, start=1)
    )
    return session


def question_show(*, question: InterviewQuestion, now: datetime | None = None) -> None:
    """The question is on screen: its clock starts (once; a reload does not reset it)."""
    if question.shown_at is None:
        question.shown_at = now or timezone.now()
        question.save(update_fields=["shown_at"])


def _question(session: InterviewSession, position: int) -> InterviewQuestion:
    question = session.questions.filter(position=position).select_related("card").first()
    if question is None:
        raise NotFoundError(f"This interview has no question {position}.")
    return question


def question_answer(
    *,
    session: InterviewSession,
    position: int,
    answer: str,
    duration_ms: int | None = None,
    now: datetime | None = None,
) -> InterviewQuestion:
    """Score and keep the typed answer to one question (nothing recorded until confirmed)."""
    _check_answer(answer)
    question = _question(session, position)
    if question.answered:
        raise ConflictError("This question is already answered; confirm its grade to go on.")
    if question.card_id is None:
        raise NotFoundError("This question's card was deleted; skip it.")
    now = now or timezone.now()
    if question.shown_at is None:
        question.shown_at = now
    elapsed_ms = int((now - question.shown_at).total_seconds() * 1000)
    limit = session.time_limit_seconds
    question.overtime = limit is not None and now > question.shown_at + timedelta(
        seconds=limit + GRACE_SECONDS
    )
    assert question.card is not None
    scored = score_answer(
        selectors.card_key_points(question.card), answer, question=question.card.question
    )
    question.typed_answer = answer
    question.answered_at = now
    question.duration_ms = max(0, duration_ms if duration_ms is not None else elapsed_ms)
    question.score = scored.score
    question.method = scored.method
    question.points = [
        {
            "text": p.text,
            "kind": p.kind,
            "covered": p.covered,
            "similarity": p.similarity,
            "matched": p.matched,
            "scored": p.scored,
        }
        for p in scored.points
    ]
    question.suggested_grade = scored.suggested_grade
    question.save()
    return question


@transaction.atomic
def question_confirm(
    *, session: InterviewSession, position: int, grade: int | None = None
) -> InterviewQuestion:
    """Record the answered question as a review with ``grade`` (default: the suggested one).

    The typed answer stays on the question whatever happens: a refused grade or a conflict
    leaves it answered and unconfirmed, to confirm again.
    """
    _check_grade(grade)
    session = InterviewSession.objects.select_for_update().get(pk=session.pk)
    question = _question(session, position)
    if not question.answered:
        raise ConflictError("Answer the question before confirming its grade.")
    if question.confirmed:
        raise ConflictError("This question's grade is already recorded.")
    if question.card_id is None:
        raise NotFoundError("This question's card was deleted; its grade cannot be recorded.")
    chosen = grade or question.suggested_grade or 1
    result = card_grade(
        user=session.user,
        card_id=question.card_id,
        grade=chosen,
        duration_ms=question.duration_ms,
        typed_answer=question.typed_answer,
        interview_score=question.score,
    )
    question.grade = chosen
    question.review_id = result.review_id
    question.save(update_fields=["grade", "review"])
    if not session.questions.filter(grade__isnull=True).exists():
        session.finished_at = timezone.now()
        session.save(update_fields=["finished_at", "updated_at"])
    return question
