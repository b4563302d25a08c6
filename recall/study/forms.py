"""Forms of the study pages: one grade, posted by a button or a key press."""

from __future__ import annotations

from django import forms

from recall.core.ids import MAX_ID

GRADE_CHOICES = [(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")]


class GradeForm(forms.Form):
    card_id = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(choices=GRADE_CHOICES, coerce=int)
    # Time from showing the question to grading, measured in the browser; capped so a
    # card left open over lunch does not skew the averages.
    duration_ms = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    # The card's state version when it was shown: a second submit of the same page is refused.
    version = forms.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, widget=forms.HiddenInput
    )

    def clean_duration_ms(self) -> int:
        value = self.cleaned_data.get("duration_ms") or 0
        return min(value, 10 * 60 * 1000)

    def clean_version(self) -> int | None:
        return self.cleaned_data.get("version")
