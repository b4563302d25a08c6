"""Interview API: score a typed answer, record it, and run a mock interview.

Explicit APIViews with small serializers; every rule lives in ``services`` and
``selectors``. Errors are the one JSON shape (``recall.core.exceptions``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recall.core.schema import ErrorSerializer, business_rules
from recall.study.models import State

from .. import selectors, services
from ..models import InterviewQuestion, InterviewSession
from . import serializers as s

TAGS = ["interview"]
SCORE_EXAMPLE = {
    "method": "semantic",
    "score": 67,
    "suggested_grade": 3,
    "suggested_label": "Good",
    "covered": [
        {
            "text": "select_related follows foreign keys with a SQL join, in one query.",
            "kind": "item",
            "covered": True,
            "similarity": 0.81,
            "matched": "select_related does one query with a JOIN.",
            "scored": True,
        }
    ],
    "missed": [
        {
            "text": "Use the first for single-valued relations and the second for many-to-many.",
            "kind": "sentence",
            "covered": False,
            "similarity": 0.31,
            "matched": "",
            "scored": True,
        }
    ],
}
NOT_FOUND_CARD = OpenApiResponse(ErrorSerializer, "No such card, or not readable by you.")
NOT_FOUND_SESSION = OpenApiResponse(ErrorSerializer, "No such interview (or not yours).")
ANSWER_RULES = business_rules(
    ("", "The answer cannot contain NUL characters."),
)
SESSION_RULES = business_rules(
    ("", "These decks have no cards to ask: import or write some notes."),
)


def _session(request: Request, pk: int) -> InterviewSession:
    return selectors.session_for(request.user, pk)


class JsonAPIView(APIView):
    """JSON bodies only: their types are the schema's (a form would send every value as text)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]


class ScoreView(JsonAPIView):
    @extend_schema(
        summary="Score a typed answer",
        description=(
            "Scores `answer` against the card's answer, key point by key point, and suggests "
            "a grade. Nothing is recorded. `method` says whether the points were matched by "
            "meaning (the optional `semantic` extra) or by word stems."
        ),
        request=s.ScoreInputSerializer,
        responses={200: s.ScoreSerializer, 400: ANSWER_RULES, 404: NOT_FOUND_CARD},
        examples=[
            OpenApiExample(
                "An answer",
                value={"card": 1201, "answer": "select_related does one query with a JOIN."},
                request_only=True,
            ),
            OpenApiExample("Scored", value=SCORE_EXAMPLE, response_only=True),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = s.ScoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.answer_score(
            user=request.user,
            card_id=data.validated_data["card"],
            answer=data.validated_data["answer"],
        )
        return Response(s.ScoreSerializer(s.score_data(result)).data)


class RecordView(JsonAPIView):
    @extend_schema(
        summary="Score a typed answer and record it as a review",
        description=(
            "Scores the answer, then grades the card exactly as a study review does (FSRS), "
            "with `grade` or, omitted, the suggested grade. The review log keeps the typed "
            "answer and the score."
        ),
        request=s.RecordInputSerializer,
        responses={
            200: s.RecordOutputSerializer,
            400: ANSWER_RULES,
            404: NOT_FOUND_CARD,
            409: OpenApiResponse(ErrorSerializer, "This card was already graded."),
        },
        examples=[
            OpenApiExample(
                "Record with an override",
                value={"card": 1201, "answer": "It joins.", "grade": 2, "duration_ms": 30000},
                request_only=True,
            ),
            OpenApiExample(
                "Recorded",
                value={
                    **SCORE_EXAMPLE,
                    "review": 5012,
                    "grade": 2,
                    "state": "learning",
                    "due": "2026-03-01T09:06:00Z",
                    "version": 1,
                },
                response_only=True,
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = s.RecordInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grade = data.validated_data.get("grade")
        recorded = services.answer_record(
            user=request.user,
            card_id=data.validated_data["card"],
            answer=data.validated_data["answer"],
            grade=int(grade) if grade is not None else None,
            duration_ms=data.validated_data["duration_ms"],
        )
        result = recorded.grade
        body = {
            **s.score_data(recorded.score),
            "review": result.review_id,
            "grade": result.grade,
            "state": State(result.state).label.lower(),
            "due": result.due,
            "version": result.version,
        }
        return Response(s.RecordOutputSerializer(body).data)


def _session_body(session: InterviewSession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "created_at": session.created_at,
        "finished_at": session.finished_at,
        "time_limit_seconds": session.time_limit_seconds,
        "questions": [
            {
                "position": q.position,
                "question": q.question,
                "answered": q.answered,
                "grade": q.grade,
            }
            for q in selectors.session_questions(session)
        ],
    }


SESSION_EXAMPLE = {
    "id": 42,
    "created_at": "2026-03-01T09:00:00Z",
    "finished_at": None,
    "time_limit_seconds": 120,
    "questions": [
        {"position": 1, "question": "What is celery beat?", "answered": False, "grade": None}
    ],
}


class SessionCreateView(JsonAPIView):
    @extend_schema(
        summary="Start a mock interview",
        description=(
            "Draws `questions` cards (one per note) from the readable `decks` (by default your "
            "decks and the ones you study), weak cards most likely: low retrievability, many "
            "lapses. `time_limit_seconds` times each question."
        ),
        request=s.SessionInputSerializer,
        responses={
            201: s.SessionSerializer,
            400: SESSION_RULES,
            404: OpenApiResponse(ErrorSerializer, "No such deck."),
        },
        examples=[
            OpenApiExample(
                "Three timed questions",
                value={"decks": [7], "questions": 3, "time_limit_seconds": 120},
                request_only=True,
            ),
            OpenApiExample("Started", value=SESSION_EXAMPLE, response_only=True),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = s.SessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_start(
            user=request.user,
            deck_ids=data.validated_data.get("decks"),
            count=data.validated_data["questions"],
            time_limit_seconds=data.validated_data.get("time_limit_seconds"),
        )
        body = s.SessionSerializer(_session_body(session)).data
        return Response(body, status=status.HTTP_201_CREATED)


class SessionDetailView(JsonAPIView):
    @extend_schema(
        summary="A mock interview and its questions",
        responses={200: s.SessionSerializer, 404: NOT_FOUND_SESSION},
        examples=[OpenApiExample("Session", value=SESSION_EXAMPLE, response_only=True)],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.SessionSerializer(_session_body(_session(request, pk))).data)


def _question_body(session: InterviewSession, question: InterviewQuestion | None) -> dict:
    total = selectors.session_question_count(session)
    if question is None:
        return {
            "done": True,
            "position": None,
            "total": total,
            "card": None,
            "question": None,
            "question_html": None,
            "shown_at": None,
            "seconds_left": None,
            "answered": False,
        }
    left = None
    if session.time_limit_seconds and question.shown_at:
        used = (timezone.now() - question.shown_at).total_seconds()
        left = max(0, int(session.time_limit_seconds - used))
    return {
        "done": False,
        "position": question.position,
        "total": total,
        "card": question.card_id,
        "question": question.question,
        "question_html": question.card.question_html if question.card else question.question,
        "shown_at": question.shown_at,
        "seconds_left": left,
        "answered": question.answered,
    }


class QuestionView(JsonAPIView):
    @extend_schema(
        summary="The current question of a mock interview",
        description=(
            "The first question whose grade is not recorded; its clock starts when first "
            "served. `done` is true once every grade is recorded."
        ),
        responses={200: s.QuestionSerializer, 404: NOT_FOUND_SESSION},
        examples=[
            OpenApiExample(
                "A question",
                value={
                    "done": False,
                    "position": 1,
                    "total": 3,
                    "card": 1201,
                    "question": "What is celery beat?",
                    "question_html": "<p>What is celery beat?</p>",
                    "shown_at": "2026-03-01T09:00:00Z",
                    "seconds_left": 120,
                    "answered": False,
                },
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        session = _session(request, pk)
        question = selectors.question_current(session)
        if question is not None:
            services.question_show(question=question)
        return Response(s.QuestionSerializer(_question_body(session, question)).data)


class AnswerView(JsonAPIView):
    @extend_schema(
        summary="Answer a question of a mock interview",
        description=(
            "Scores and keeps the typed answer; nothing is recorded until the grade is "
            "confirmed. An answer after the time limit is scored and marked `overtime`."
        ),
        request=s.AnswerInputSerializer,
        responses={
            200: s.AnswerOutputSerializer,
            400: ANSWER_RULES,
            404: NOT_FOUND_SESSION,
            409: OpenApiResponse(ErrorSerializer, "Already answered."),
        },
        examples=[
            OpenApiExample(
                "Answer",
                value={"position": 1, "answer": "Beat sends periodic tasks to the broker."},
                request_only=True,
            ),
            OpenApiExample(
                "Scored",
                value={**SCORE_EXAMPLE, "position": 1, "overtime": False},
                response_only=True,
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        session = _session(request, pk)
        data = s.AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_answer(
            session=session,
            position=data.validated_data["position"],
            answer=data.validated_data["answer"],
            duration_ms=data.validated_data.get("duration_ms"),
        )
        points = question.points
        body = {
            "method": question.method,
            "score": question.score,
            "suggested_grade": question.suggested_grade,
            "suggested_label": s.grade_label(question.suggested_grade or 1),
            "covered": [p for p in points if p["covered"]],
            "missed": [p for p in points if not p["covered"] and p["scored"]],
            "position": question.position,
            "overtime": question.overtime,
        }
        return Response(s.AnswerOutputSerializer(body).data)


class ConfirmView(JsonAPIView):
    @extend_schema(
        summary="Confirm (or override) the grade of an answered question",
        description=(
            "Records the review through the study service, with the suggested grade or "
            "`grade`; the review log keeps the typed answer and the score."
        ),
        request=s.ConfirmInputSerializer,
        responses={
            200: s.ConfirmOutputSerializer,
            404: NOT_FOUND_SESSION,
            409: OpenApiResponse(ErrorSerializer, "Not answered yet, or already recorded."),
        },
        examples=[
            OpenApiExample(
                "Override to Hard", value={"position": 1, "grade": 2}, request_only=True
            ),
            OpenApiExample(
                "Recorded",
                value={
                    "position": 1,
                    "grade": 2,
                    "grade_label": "Hard",
                    "review": 5012,
                    "finished": False,
                },
                response_only=True,
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        session = _session(request, pk)
        data = s.ConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grade = data.validated_data.get("grade")
        question = services.question_confirm(
            session=session,
            position=data.validated_data["position"],
            grade=int(grade) if grade is not None else None,
        )
        session.refresh_from_db(fields=["finished_at"])
        body = {
            "position": question.position,
            "grade": question.grade,
            "grade_label": s.grade_label(question.grade or 1),
            "review": question.review_id,
            "finished": session.finished_at is not None,
        }
        return Response(s.ConfirmOutputSerializer(body).data)


class ReportView(JsonAPIView):
    @extend_schema(
        summary="The report of a mock interview",
        description=(
            "Score per question, the key points missed, and the notes to reread (weakest "
            "first: those graded Again or Hard, or not answered)."
        ),
        responses={200: s.ReportSerializer, 404: NOT_FOUND_SESSION},
        examples=[
            OpenApiExample(
                "Report",
                value={
                    "session": 42,
                    "finished": True,
                    "finished_at": "2026-03-01T09:06:00Z",
                    "time_limit_seconds": None,
                    "average_score": 58,
                    "questions": [],
                    "reread": [
                        {
                            "note": 1201,
                            "question": "What is celery beat?",
                            "url": "/cards/1201/",
                            "score": 20,
                        }
                    ],
                },
                response_only=True,
            )
        ],
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        report = selectors.session_report(_session(request, pk))
        return Response(s.ReportSerializer(report).data)
