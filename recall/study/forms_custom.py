"""Forms of the custom study pages: review ahead, cram, and an exam date."""

from __future__ import annotations

from typing import Any

from django import forms

from recall.core.ids import MAX_ID

from .custom_study import MAX_AHEAD_DAYS
from .exam_plan import MAX_TARGET, MIN_TARGET


class _DeckChoiceForm(forms.Form):
    """A form with a ``deck`` choice among the decks the user studies."""

    deck_required = False
    # The three forms share a page: each its own element ids.
    id_prefix = "custom"

    def __init__(self, *args: Any, decks: list[tuple[int, str]], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [(pk, title) for pk, title in decks]
        if not self.deck_required:
            choices.insert(0, ("", "All my decks"))
        self.fields["deck"] = forms.TypedChoiceField(
            choices=choices, coerce=int, required=self.deck_required, empty_value=None
        )
        self.order_fields(["deck"])


class ReviewAheadForm(_DeckChoiceForm):
    id_prefix = "ahead"
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_AHEAD_DAYS,
        initial=7,
        label="Cards due in the next … days",
        help_text="Real reviews: FSRS schedules them from today.",
    )


class CramForm(_DeckChoiceForm):
    id_prefix = "cram"
    tag = forms.CharField(max_length=100, required=False)
    q = forms.CharField(max_length=500, required=False, label="Search")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("deck") and not data.get("tag") and not data.get("q"):
            raise forms.ValidationError("Choose a deck, a tag or a search to cram.")
        return data


class ExamForm(_DeckChoiceForm):
    deck_required = True
    id_prefix = "exam"
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Exam date")
    target_retention = forms.FloatField(
        min_value=MIN_TARGET,
        max_value=MAX_TARGET,
        initial=0.9,
        required=False,
        label="Target recall",
        help_text="The predicted chance to recall each card on the exam day, 0.7 to 0.99.",
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )

    def clean_target_retention(self) -> float:
        value = self.cleaned_data.get("target_retention")
        return 0.9 if value is None else float(value)


class CramAnswerForm(forms.Form):
    card_id = forms.IntegerField(min_value=1, max_value=MAX_ID)
    grade = forms.TypedChoiceField(choices=[(g, g) for g in (1, 2, 3, 4)], coerce=int)
