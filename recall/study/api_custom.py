"""Custom study API: review ahead, cram, and exam dates with their plans.

Mounted beside the study API (``api_urls``). Reviewing ahead grades through the study API's
``grade/`` (real reviews); a cram is read-only here (the client goes through the cards and
nothing is written); an exam's plan is computed by ``exam_plan`` on each read.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recall.core.ids import MAX_ID
from recall.core.schema import ErrorSerializer, business_rules
from recall.decks.models import Card

from . import custom_study, exam_plan, exams, selectors
from .models import Exam, Grade

TAGS = ["custom study"]
NO_NUL = "^[^\\x00]*$"  # DRF refuses NUL characters in text
NO_DECK = OpenApiResponse(ErrorSerializer, "No such deck.")

# Serializers ----------------------------------------------------------------------------


class QueryInteger(serializers.IntegerField):
    """An optional number of the query string: ``?deck=`` is an error, not a missing deck."""

    def get_value(self, dictionary: Any) -> Any:
        if dictionary.get(self.field_name, None) == "":
            return ""  # fails as "A valid integer is required."
        return super().get_value(dictionary)


class AheadQuerySerializer(serializers.Serializer):
    days = QueryInteger(min_value=1, max_value=custom_study.MAX_AHEAD_DAYS, default=7)
    deck = QueryInteger(required=False, min_value=1, max_value=MAX_ID)
    limit = QueryInteger(required=False, min_value=1, max_value=50, default=1)


class AheadCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    note = serializers.IntegerField(source="note_id")
    deck = serializers.IntegerField(source="deck_id")
    deck_title = serializers.CharField(source="deck.title")
    question = serializers.CharField()
    answer = serializers.CharField()
    question_html = serializers.CharField()
    answer_html = serializers.CharField()
    due = serializers.DateTimeField(source="study_state.due")
    version = serializers.IntegerField(
        source="study_state.version", help_text="Send it back with the grade."
    )
    previews = serializers.DictField(
        child=serializers.DateTimeField(), help_text="When the card is due again after each grade."
    )


class AheadSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Cards due in those days, not yet due today.")
    cards = AheadCardSerializer(many=True)


class CramQuerySerializer(serializers.Serializer):
    deck = QueryInteger(required=False, min_value=1, max_value=MAX_ID)
    tag = serializers.CharField(required=False, max_length=100, allow_blank=True, default="")
    q = serializers.CharField(required=False, max_length=500, allow_blank=True, default="")
    limit = QueryInteger(
        required=False, min_value=1, max_value=custom_study.MAX_CRAM, default=custom_study.MAX_CRAM
    )


class CramCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    note = serializers.IntegerField(source="note_id")
    deck = serializers.IntegerField(source="deck_id")
    question = serializers.CharField()
    answer = serializers.CharField()
    question_html = serializers.CharField()
    answer_html = serializers.CharField()


class CramSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    cards = CramCardSerializer(many=True)


class ExamInputSerializer(serializers.Serializer):
    deck = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField(help_text="The exam's day (a later study day than today).")
    target_retention = serializers.FloatField(
        min_value=exam_plan.MIN_TARGET, max_value=exam_plan.MAX_TARGET, default=0.9
    )


class ExamSerializer(serializers.ModelSerializer):
    deck_title = serializers.CharField(source="deck.title", read_only=True)

    class Meta:
        model = Exam
        fields = ["id", "deck", "deck_title", "date", "target_retention", "created_at"]


class PlanDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    reviews = serializers.IntegerField()


class PlanCardSerializer(serializers.Serializer):
    card = serializers.IntegerField(source="card_id")
    days = serializers.ListField(child=serializers.DateField())
    recall = serializers.FloatField(help_text="Predicted recall on the exam day (fsrs).")
    reachable = serializers.BooleanField()


class PlanSerializer(serializers.Serializer):
    today = serializers.DateField()
    exam_day = serializers.DateField()
    target = serializers.FloatField()
    total_cards = serializers.IntegerField()
    reviews = serializers.IntegerField()
    ready = serializers.IntegerField(help_text="Cards at the target with no review at all.")
    unreachable = serializers.IntegerField(help_text="Cards that cannot reach it in time.")
    per_day = PlanDaySerializer(many=True)
    cards = PlanCardSerializer(many=True)


class ExamPlanSerializer(serializers.Serializer):
    exam = ExamSerializer()
    plan = PlanSerializer()


# Helpers --------------------------------------------------------------------------------


def _ahead_card(user: Any, card: Card) -> Card:
    due = selectors.grade_previews(user=user, card=card)
    card.previews = {Grade(g).label.lower(): when for g, when in due.items()}  # type: ignore[attr-defined]
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

# Views ----------------------------------------------------------------------------------


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
        tags=TAGS,
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
        tags=TAGS,
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

    @extend_schema(summary="Your exams", responses={200: ExamSerializer(many=True)}, tags=TAGS)
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
        tags=TAGS,
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
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        exam = exams.exam_for(request.user, pk)
        return Response(ExamPlanSerializer(_plan_data(request.user, exam)).data)

    @extend_schema(
        summary="Remove an exam",
        responses={204: None, 404: OpenApiResponse(ErrorSerializer, "No such exam.")},
        tags=TAGS,
    )
    def delete(self, request: Request, pk: int) -> Response:
        exams.exam_delete(user=request.user, exam_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
