"""Input and output serializers of the interview API (operations, not CRUD)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from recall.core.ids import MAX_ID
from recall.study.models import Grade

from ..scoring import GRADE_LABELS, AnswerScore
from ..services import MAX_ANSWER_CHARS, MAX_QUESTIONS, MAX_TIME_LIMIT_SECONDS

# JSON types as the schema states them: DRF would take "3" for 3 and 3 for "3", which
# the schema (and a client reading it) calls invalid.


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictGradeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Grade.choices, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class AnswerField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("max_length", MAX_ANSWER_CHARS)
        kwargs.setdefault("help_text", "The answer as typed (may be empty: 'I don't know').")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScoreInputSerializer(serializers.Serializer):
    card = StrictIntegerField(min_value=1, max_value=MAX_ID)
    answer = AnswerField()


class RecordInputSerializer(ScoreInputSerializer):
    grade = StrictGradeField(
        required=False, help_text="1 Again … 4 Easy; omitted: the suggested grade."
    )
    duration_ms = StrictIntegerField(min_value=0, max_value=24 * 3600 * 1000, default=0)


class PointSerializer(serializers.Serializer):
    text = serializers.CharField()
    kind = serializers.ChoiceField(choices=["sentence", "item", "code"])
    covered = serializers.BooleanField()
    similarity = serializers.FloatField(help_text="How close the answer came (0-1).")
    matched = serializers.CharField(help_text="The part of the answer that covered it.")
    scored = serializers.BooleanField(
        help_text="False for names from the notes' code blocks: shown, not scored."
    )


class ScoreSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["semantic", "lexical"],
        help_text="semantic: matched by meaning; lexical: by word stems (the extra is missing).",
    )
    score = serializers.IntegerField(min_value=0, max_value=100)
    suggested_grade = serializers.IntegerField(min_value=1, max_value=4)
    suggested_label = serializers.CharField()
    covered = PointSerializer(many=True)
    missed = PointSerializer(many=True)


def score_data(result: AnswerScore) -> dict[str, Any]:
    return {
        "method": result.method,
        "score": result.score,
        "suggested_grade": result.suggested_grade,
        "suggested_label": result.suggested_label,
        "covered": [p.__dict__ for p in result.covered],
        "missed": [p.__dict__ for p in result.missed],
    }


class RecordOutputSerializer(ScoreSerializer):
    review = serializers.IntegerField(help_text="The review log row written.")
    grade = serializers.IntegerField(help_text="The grade recorded.")
    state = serializers.CharField()
    due = serializers.DateTimeField()
    version = serializers.IntegerField()


class SessionInputSerializer(serializers.Serializer):
    decks = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=100,
        help_text="Readable deck ids; omitted: your decks and the ones you study.",
    )
    questions = StrictIntegerField(min_value=1, max_value=MAX_QUESTIONS, default=5)
    time_limit_seconds = StrictIntegerField(
        min_value=10,
        max_value=MAX_TIME_LIMIT_SECONDS,
        required=False,
        allow_null=True,
        help_text="Per question; omitted or null: untimed.",
    )


class SessionQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    question = serializers.CharField()
    answered = serializers.BooleanField()
    grade = serializers.IntegerField(allow_null=True)


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    time_limit_seconds = serializers.IntegerField(allow_null=True)
    questions = SessionQuestionSerializer(many=True)


class QuestionSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text="True when every grade is recorded.")
    position = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField()
    card = serializers.IntegerField(allow_null=True)
    question = serializers.CharField(allow_null=True)
    question_html = serializers.CharField(allow_null=True)
    shown_at = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(
        allow_null=True, help_text="Time left to answer; null: untimed."
    )
    answered = serializers.BooleanField()


class AnswerInputSerializer(serializers.Serializer):
    position = StrictIntegerField(min_value=1, max_value=MAX_QUESTIONS)
    answer = AnswerField()
    duration_ms = StrictIntegerField(
        min_value=0,
        max_value=24 * 3600 * 1000,
        required=False,
        help_text="Omitted: the time since the question was shown.",
    )


class AnswerOutputSerializer(ScoreSerializer):
    position = serializers.IntegerField()
    overtime = serializers.BooleanField(help_text="Answered after the time limit.")


class ConfirmInputSerializer(serializers.Serializer):
    position = StrictIntegerField(min_value=1, max_value=MAX_QUESTIONS)
    grade = StrictGradeField(
        required=False, help_text="Override: 1 Again … 4 Easy; omitted: the suggested grade."
    )


class ConfirmOutputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    grade = serializers.IntegerField()
    grade_label = serializers.CharField()
    review = serializers.IntegerField()
    finished = serializers.BooleanField()


def grade_label(grade: int) -> str:
    return GRADE_LABELS[grade]


class ReportRowSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    question = serializers.CharField()
    card = serializers.IntegerField(allow_null=True)
    note = serializers.IntegerField(allow_null=True)
    note_url = serializers.CharField(allow_null=True)
    answered = serializers.BooleanField()
    typed_answer = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    method = serializers.CharField()
    overtime = serializers.BooleanField()
    suggested_grade = serializers.IntegerField(allow_null=True)
    grade = serializers.IntegerField(allow_null=True)
    missed = serializers.ListField(child=serializers.CharField())
    covered = serializers.ListField(child=serializers.CharField())


class RereadSerializer(serializers.Serializer):
    note = serializers.IntegerField()
    question = serializers.CharField()
    url = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)


class ReportSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    finished = serializers.BooleanField()
    finished_at = serializers.DateTimeField(allow_null=True)
    time_limit_seconds = serializers.IntegerField(allow_null=True)
    average_score = serializers.IntegerField(allow_null=True)
    questions = ReportRowSerializer(many=True)
    reread = RereadSerializer(many=True, help_text="Notes to reread, weakest first.")
