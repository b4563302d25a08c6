"""Views of the study API: the queue, grading, undo, statistics and FSRS parameters; custom
study: review ahead, cram, and exam dates with their plans.

Explicit APIViews (these are operations, not CRUD); every rule lives in the study app's
services and selectors. Reviewing ahead grades through ``grade/`` (real reviews); a cram is
read-only here (the client goes through the cards and nothing is written); an exam's plan
is computed by ``exam_plan`` on each read.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recall.core.ids import MAX_ID
from recall.core.schema import ErrorSerializer, business_rules
from recall.decks.models import Card

from .. import custom_study, exam_plan, exams, scheduling, selectors, services
from ..models import Exam, Grade, State
from . import examples as ex
from .serializers import (
    AheadQuerySerializer,
    AheadSerializer,
    CramQuerySerializer,
    CramSerializer,
    ExamInputSerializer,
    ExamPlanSerializer,
    ExamSerializer,
    GradeInputSerializer,
    GradeOutputSerializer,
    OptimizeAcceptedSerializer,
    ParametersSerializer,
    QueueQuerySerializer,
    QueueSerializer,
    UndoInputSerializer,
    UndoOutputSerializer,
)

CUSTOM_TAGS = ["custom study"]
NO_NUL = "^[^\\x00]*$"  # DRF refuses NUL characters in text
NO_DECK = OpenApiResponse(ErrorSerializer, "No such deck.")


def _previews(user: Any, card: Card) -> dict[str, Any]:
    due = selectors.grade_previews(user=user, card=card)
    return {Grade(g).label.lower(): when for g, when in due.items()}


def _queue_card(user: Any, card: Card) -> dict[str, Any]:
    state = getattr(card, "study_state", None)
    return {
        "id": card.pk,
        "note_id": card.note_id,
        "ordinal": card.ordinal,
        "deck_id": card.deck_id,
        "deck": card.deck,
        "queue": getattr(card, "queue", "new"),
        "question": card.question,
        "answer": card.answer,
        "question_html": card.question_html,
        "answer_html": card.answer_html,
        "state": State(state.state).label.lower() if state else "new",
        "due": state.due if state else None,
        "version": state.version if state else 0,
        "previews": _previews(user, card),
    }


def _ahead_card(user: Any, card: Card) -> Card:
    card.previews = _previews(user, card)  # type: ignore[attr-defined]
    return card


def _plan_data(user: Any, exam: Exam) -> dict[str, Any]:
    plan = exam_plan.cached_plan(
        user=user, exam=exam, now=timezone.now(), version=selectors.stats_version(user.pk)
    )
    return {
        "exam": exam,
        "plan": {
            "today": plan.today,
            "exam_day": plan.exam_day,
            "target": plan.target,
            "total_cards": plan.total_cards,
            "reviews": plan.reviews,
            "ready": plan.ready,
            "unreachable": plan.unreachable,
            "per_day": [{"day": d, "reviews": n} for d, n in plan.per_day.items()],
            "cards": [c for c in plan.cards if c.days or not c.reachable],
        },
    }


EXAM_RULES = business_rules(
    ("date", "Choose a day after today."),
    ("date", f"Choose a day within {exams.MAX_DAYS_AHEAD} days."),
)


# The study queue, grading, undo, statistics, parameters ---------------------------------


class QueueView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Next cards to study",
        description=(
            "Due learning cards first, then due reviews, then new cards within each deck's "
            "daily limits. Without `deck`, all your decks and the public decks you started. "
            "A card is one prompt of a note; once one is answered, the note's other cards "
            "wait until the next study day (the deck's `bury_siblings`). `counts` are what "
            "the queue serves."
        ),
        parameters=[QueueQuerySerializer],
        responses={200: QueueSerializer, 404: OpenApiResponse(ErrorSerializer, "No such deck.")},
        examples=[OpenApiExample("A new card", value=ex.QUEUE_EXAMPLE, response_only=True)],
        tags=["study"],
    )
    def get(self, request: Request) -> Response:
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deck_id = query.validated_data.get("deck")
        deck = selectors.deck_for_study(request.user, deck_id) if deck_id else None
        cards, counts = selectors.study_session(
            user=request.user, deck=deck, limit=query.validated_data["limit"]
        )
        data = {
            "counts": counts.as_dict(),
            "cards": [_queue_card(request.user, card) for card in cards],
        }
        return Response(QueueSerializer(data).data)


class GradeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Grade a card",
        description=(
            "Applies Again (1), Hard (2), Good (3) or Easy (4) exactly once. Send the `version` "
            "the queue gave you: a grade of the same card that already happened gets 409."
        ),
        request=GradeInputSerializer,
        responses={
            200: GradeOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, "Invalid grade or duration."),
            404: OpenApiResponse(ErrorSerializer, "No such card, or it is archived."),
            409: OpenApiResponse(ErrorSerializer, "This card was already graded."),
        },
        examples=[
            OpenApiExample(
                "Good",
                value={"card": 1201, "grade": 3, "duration_ms": 5400, "version": 0},
                request_only=True,
            ),
            OpenApiExample(
                "Graded", value=ex.GRADE_EXAMPLE, response_only=True, status_codes=["200"]
            ),
            OpenApiExample(
                "Already graded",
                value=ex.CONFLICT_EXAMPLE,
                response_only=True,
                status_codes=["409"],
            ),
        ],
        tags=["study"],
    )
    def post(self, request: Request) -> Response:
        data = GradeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.card_grade(
            user=request.user,
            card_id=data.validated_data["card"],
            grade=int(data.validated_data["grade"]),
            duration_ms=data.validated_data["duration_ms"],
            expected_version=data.validated_data.get("version"),
        )
        return Response(GradeOutputSerializer(result).data)


class UndoView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Undo the latest grade",
        description="Restores the card exactly as it was and removes that review from the log.",
        request=UndoInputSerializer,
        responses={
            200: UndoOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, "Nothing to undo."),
            409: OpenApiResponse(ErrorSerializer, "That review is not your latest."),
        },
        examples=[
            OpenApiExample("Undo", value={"review": 5012}, request_only=True),
            OpenApiExample(
                "Undone",
                value={"review": 5012, "card": 1201, "state": "new", "due": None, "version": 0},
                response_only=True,
            ),
        ],
        tags=["study"],
    )
    def post(self, request: Request) -> Response:
        data = UndoInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.review_undo(
            user=request.user, review_id=data.validated_data.get("review")
        )
        state = result.state
        out = {
            "review": result.review_id,
            "card": result.card_id,
            "state": State(state.state).label.lower() if state else "new",
            "due": state.due if state else None,
            "version": state.version if state else 0,
        }
        return Response(UndoOutputSerializer(out).data)


class StatsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Study statistics",
        description=(
            "Per-deck counts, reviews per day (365 days, heatmap), true retention (30 days), "
            "30-day due forecast, streaks, answer times. Cached until your next grade."
        ),
        responses={200: OpenApiResponse(description="Statistics as a JSON object.")},
        examples=[
            OpenApiExample(
                "Stats",
                value=ex.STATS_EXAMPLE,
                response_only=True,
            )
        ],
        tags=["study"],
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.study_stats(request.user))


class ParametersView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _data(self, user: Any) -> dict[str, Any]:
        scheduler = scheduling.scheduler_for(user)
        reviews = services.review_count(user)
        needed = int(settings.RECALL_OPTIMIZE_MIN_REVIEWS)
        return {
            "parameters": list(scheduler.parameters),
            "is_default": not user.fsrs_parameters,
            "updated_at": user.fsrs_parameters_updated_at,
            "desired_retention": scheduler.desired_retention,
            "reviews": reviews,
            "min_reviews": needed,
            "can_optimize": reviews >= needed,
        }

    @extend_schema(
        summary="Your FSRS parameters",
        responses={200: ParametersSerializer},
        examples=[
            OpenApiExample(
                "Defaults",
                value=ex.PARAMETERS_EXAMPLE,
                response_only=True,
            )
        ],
        tags=["study"],
    )
    def get(self, request: Request) -> Response:
        return Response(ParametersSerializer(self._data(request.user)).data)

    @extend_schema(
        summary="Fit your FSRS parameters",
        description=(
            "Queues the optimiser (fsrs-rs) on your review log; poll GET for `updated_at`. "
            "Needs RECALL_OPTIMIZE_MIN_REVIEWS reviews."
        ),
        request=None,
        responses={
            202: OptimizeAcceptedSerializer,
            400: business_rules(
                (
                    "",
                    "Optimising needs at least 400 reviews; you have 57. Until then the "
                    "FSRS defaults are used.",
                )
            ),
        },
        examples=[
            OpenApiExample(
                "Queued",
                value={
                    "task_id": "0b7c5cde-51a4-4bb4-9a09-2f0e4bb0d6a4",
                    "status_url": "/api/v1/study/parameters/",
                },
                response_only=True,
                status_codes=["202"],
            )
        ],
        tags=["study"],
    )
    def post(self, request: Request) -> Response:
        task_id = services.parameters_optimize_request(user=request.user)
        body = {"task_id": task_id, "status_url": request.build_absolute_uri(request.path)}
        return Response(OptimizeAcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


# Custom study: review ahead, cram, exams ------------------------------------------------


class AheadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Review ahead",
        description=(
            "Review cards due in the next `days` study days (not those due today), soonest "
            "first. Grade them with `POST /api/v1/study/grade/`: these are real reviews, "
            "scheduled by FSRS from the actual elapsed time."
        ),
        parameters=[AheadQuerySerializer],
        responses={200: AheadSerializer, 404: NO_DECK},
        tags=CUSTOM_TAGS,
    )
    def get(self, request: Request) -> Response:
        query = AheadQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user, data = request.user, query.validated_data
        deck = selectors.deck_for_study(user, data["deck"]) if data.get("deck") else None
        cards = custom_study.review_ahead(
            user=user, days=data["days"], deck=deck, limit=data["limit"]
        )
        body = {
            "days": data["days"],
            "count": custom_study.review_ahead_count(user=user, days=data["days"], deck=deck),
            "cards": [_ahead_card(user, card) for card in cards],
        }
        return Response(AheadSerializer(body).data)


class CramView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Cards to cram",
        description=(
            "The cards of a deck, a tag or a search (`q`, the search syntax), at most "
            f"{custom_study.MAX_CRAM}. Cramming changes nothing: go through them as you like; "
            "do not send their grades to `grade/`, which would schedule them for real."
        ),
        # Written out: the serializer's blank-or-text strings become a oneOf whose branches
        # overlap on "", which no value can satisfy.
        parameters=[
            OpenApiParameter(
                "deck", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description="A deck."
            ),
            OpenApiParameter(
                "tag",
                {"type": "string", "maxLength": 100, "pattern": NO_NUL},
                description="A tag (in the decks you study).",
            ),
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": 500, "pattern": NO_NUL},
                description="A search, in the search's syntax.",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": custom_study.MAX_CRAM},
                description=f"At most this many cards ({custom_study.MAX_CRAM} by default).",
            ),
        ],
        responses={
            200: CramSerializer,
            400: business_rules(
                ("", "Choose a deck, a tag or a search to cram."),
                ("q", "Type at least one word"),
            ),
            404: NO_DECK,
        },
        tags=CUSTOM_TAGS,
    )
    def get(self, request: Request) -> Response:
        query = CramQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        cards = custom_study.cram_cards(
            user=request.user,
            deck_id=data.get("deck"),
            tag=data["tag"],
            query=data["q"],
            limit=data["limit"],
        )
        return Response(CramSerializer({"count": len(cards), "cards": cards}).data)


class ExamListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Your exams", responses={200: ExamSerializer(many=True)}, tags=CUSTOM_TAGS
    )
    def get(self, request: Request) -> Response:
        return Response(ExamSerializer(exams.exams_of(request.user), many=True).data)

    @extend_schema(
        summary="Set an exam date",
        description=(
            "Sets (or moves) your exam on a deck. Recall then plans the reviews that bring "
            "every card's predicted recall (FSRS retrievability) on that day to "
            "`target_retention`, and adds each day's planned cards to your queue."
        ),
        request=ExamInputSerializer,
        responses={201: ExamPlanSerializer, 400: EXAM_RULES, 404: NO_DECK},
        examples=[
            OpenApiExample(
                "An exam in June",
                value={"deck": 7, "date": "2026-06-15", "target_retention": 0.9},
                request_only=True,
            )
        ],
        tags=CUSTOM_TAGS,
    )
    def post(self, request: Request) -> Response:
        data = ExamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exam = exams.exam_set(
            user=request.user,
            deck_id=data.validated_data["deck"],
            day=data.validated_data["date"],
            target_retention=data.validated_data["target_retention"],
        )
        exam = exams.exam_for(request.user, exam.pk)
        body = ExamPlanSerializer(_plan_data(request.user, exam)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ExamDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="An exam and its plan",
        description=(
            "`per_day`: planned reviews on each day until the exam; `cards`: the cards that "
            "need reviews (or cannot reach the target), with their days and predicted recall."
        ),
        responses={200: ExamPlanSerializer, 404: OpenApiResponse(ErrorSerializer, "No such exam.")},
        tags=CUSTOM_TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        exam = exams.exam_for(request.user, pk)
        return Response(ExamPlanSerializer(_plan_data(request.user, exam)).data)

    @extend_schema(
        summary="Remove an exam",
        responses={204: None, 404: OpenApiResponse(ErrorSerializer, "No such exam.")},
        tags=CUSTOM_TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        exams.exam_delete(user=request.user, exam_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
