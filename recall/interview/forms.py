"""Forms of the interview pages: start a mock interview, answer, confirm a grade."""

from __future__ import annotations

from typing import Any

from django import forms

from recall.decks.models import Deck

from .services import MAX_ANSWER_CHARS, MAX_QUESTIONS

TIME_LIMITS = [
    ("", "No time limit"),
    ("60", "1 minute"),
    ("120", "2 minutes"),
    ("300", "5 minutes"),
]


class StartForm(forms.Form):
    decks = forms.ModelMultipleChoiceField(
        queryset=Deck.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: all of them.",
    )
    questions = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS, initial=5)
    time_limit = forms.TypedChoiceField(
        choices=TIME_LIMITS,
        required=False,
        coerce=int,
        empty_value=None,
        label="Time per question",
    )

    def __init__(self, *args: Any, decks: list[Deck], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decks"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Deck.objects.filter(pk__in=[d.pk for d in decks]).order_by("title")


class AnswerForm(forms.Form):
    position = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS, widget=forms.HiddenInput)
    answer = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_ANSWER_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "autofocus": True}),
        label="Your answer",
    )
    duration_ms = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    position = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS, widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(
        choices=[(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")], coerce=int
    )
