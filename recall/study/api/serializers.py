"""Serializers of the study API: the queue, grading, undo, parameters, and custom study
(review ahead, cram, exams and their plans). Small input and output serializers: the
operations are not CRUD."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recall.core.ids import MAX_ID

from .. import custom_study, exam_plan, services
from ..models import Exam, Grade, State

# The study queue, grading, undo, parameters ---------------------------------------------


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


# Custom study: review ahead, cram, exams ------------------------------------------------


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
