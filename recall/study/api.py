"""Study API: the queue, grading, undo, statistics and FSRS parameters.

Explicit APIViews (these are operations, not CRUD) with small input and output
serializers; every rule lives in ``services`` and ``selectors``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recall.core.ids import MAX_ID
from recall.core.schema import ErrorSerializer, business_rules
from recall.decks.models import Card

from . import selectors, services
from .models import Grade, State

# Serializers ----------------------------------------------------------------------------


class QueueQuerySerializer(serializers.Serializer):
    deck = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=1)


class PreviewsSerializer(serializers.Serializer):
    again = serializers.DateTimeField()
    hard = serializers.DateTimeField()
    good = serializers.DateTimeField()
    easy = serializers.DateTimeField()


class QueueCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The card: one prompt of a note.")
    note = serializers.IntegerField(source="note_id", help_text="The note it comes from.")
    ordinal = serializers.IntegerField(help_text="1 forward, 2 backward, or the cloze number.")
    deck = serializers.IntegerField(source="deck_id")
    deck_title = serializers.CharField(source="deck.title")
    queue = serializers.ChoiceField(
        choices=["learning", "review", "new", "exam"],
        help_text="`exam`: planned today by an exam plan, after the regular cards.",
    )
    question = serializers.CharField()
    answer = serializers.CharField()
    question_html = serializers.CharField()
    answer_html = serializers.CharField()
    state = serializers.CharField()
    due = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back with the grade (0 for new).")
    previews = PreviewsSerializer(help_text="When the card is due again after each grade.")


class CountsSerializer(serializers.Serializer):
    learning = serializers.IntegerField()
    review = serializers.IntegerField()
    new = serializers.IntegerField()
    exam = serializers.IntegerField(help_text="Cards your exam plans add today.")
    total = serializers.IntegerField()


class QueueSerializer(serializers.Serializer):
    counts = CountsSerializer()
    cards = QueueCardSerializer(many=True)


class GradeInputSerializer(serializers.Serializer):
    card = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    grade = serializers.ChoiceField(choices=Grade.choices, help_text="1 Again … 4 Easy")
    duration_ms = serializers.IntegerField(min_value=0, max_value=24 * 3600 * 1000, default=0)
    version = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text="The version the queue showed; a stale one gets 409 instead of a second grade.",
    )


class GradeOutputSerializer(serializers.Serializer):
    review = serializers.IntegerField(source="review_id")
    card = serializers.IntegerField(source="card_id")
    grade = serializers.IntegerField()
    state = serializers.SerializerMethodField()
    due = serializers.DateTimeField()
    stability = serializers.FloatField(allow_null=True)
    difficulty = serializers.FloatField(allow_null=True)
    reps = serializers.IntegerField()
    lapses = serializers.IntegerField()
    version = serializers.IntegerField()

    def get_state(self, obj: services.GradeResult) -> str:
        return State(obj.state).label.lower()


class UndoInputSerializer(serializers.Serializer):
    review = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="If given, must be your latest review.",
    )


class UndoOutputSerializer(serializers.Serializer):
    review = serializers.IntegerField(help_text="The review taken back.")
    card = serializers.IntegerField(allow_null=True)
    state = serializers.CharField(help_text="The card's state again, 'new' if it was new.")
    due = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class ParametersSerializer(serializers.Serializer):
    parameters = serializers.ListField(child=serializers.FloatField())
    is_default = serializers.BooleanField()
    updated_at = serializers.DateTimeField(allow_null=True)
    desired_retention = serializers.FloatField()
    reviews = serializers.IntegerField()
    min_reviews = serializers.IntegerField()
    can_optimize = serializers.BooleanField()


class OptimizeAcceptedSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status_url = serializers.CharField()


# Examples -------------------------------------------------------------------------------

_PREVIEWS = {
    "again": "2026-03-01T09:01:00Z",
    "hard": "2026-03-01T09:06:00Z",
    "good": "2026-03-01T09:10:00Z",
    "easy": "2026-03-09T09:00:00Z",
}
QUEUE_EXAMPLE = {
    "counts": {"learning": 0, "review": 12, "new": 20, "exam": 0, "total": 32},
    "cards": [
        {
            "id": 1201,
            "note": 1201,
            "ordinal": 1,
            "deck": 7,
            "deck_title": "Python & Django interview notes",
            "queue": "new",
            "question": "What does select_related do?",
            "answer": "Follows foreign keys with a SQL JOIN.",
            "question_html": "<p>What does select_related do?</p>",
            "answer_html": "<p>Follows foreign keys with a SQL JOIN.</p>",
            "state": "new",
            "due": None,
            "version": 0,
            "previews": _PREVIEWS,
        }
    ],
}
GRADE_EXAMPLE = {
    "review": 5012,
    "card": 1201,
    "grade": 3,
    "state": "learning",
    "due": "2026-03-01T09:10:00Z",
    "stability": 2.3065,
    "difficulty": 2.1181,
    "reps": 1,
    "lapses": 0,
    "version": 1,
}
CONFLICT_EXAMPLE = {
    "error": {"code": "conflict", "message": services.ALREADY_GRADED},
}


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


# Views ----------------------------------------------------------------------------------


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
        examples=[OpenApiExample("A new card", value=QUEUE_EXAMPLE, response_only=True)],
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
            OpenApiExample("Graded", value=GRADE_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Already graded", value=CONFLICT_EXAMPLE, response_only=True, status_codes=["409"]
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
                value={
                    "day": "2026-03-01",
                    "decks": [
                        {
                            "deck_id": 7,
                            "title": "Python & Django interview notes",
                            "slug": "python-django",
                            "own": True,
                            "new_cards_per_day": 20,
                            "reviews_per_day": 200,
                            "total": 148,
                            "new": 100,
                            "learning": 3,
                            "review": 45,
                            "due_today": 12,
                            "archived": 2,
                        }
                    ],
                    "today": {
                        "day": "2026-03-01",
                        "reviews": 8,
                        "new": 3,
                        "again": 1,
                        "time_ms": 61000,
                    },
                    "reviews_per_day": [{"day": "2026-02-28", "count": 31, "time_ms": 240000}],
                    "true_retention": {
                        "days": 30,
                        "reviews": 120,
                        "passed": 107,
                        "retention": 0.8917,
                    },
                    "due_forecast": [{"day": "2026-03-01", "count": 12}],
                    "streaks": {"current": 4, "longest": 19},
                    "average_time": {
                        "reviews": 900,
                        "cards": 148,
                        "average_ms": 7200,
                        "total_ms": 6480000,
                        "per_card_ms": 43784,
                    },
                },
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
        from django.conf import settings

        from . import scheduling

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
                value={
                    "parameters": [0.212, 1.2931, 2.3065, 8.2956, "…21 numbers in all"],
                    "is_default": True,
                    "updated_at": None,
                    "desired_retention": 0.9,
                    "reviews": 57,
                    "min_reviews": 400,
                    "can_optimize": False,
                },
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
