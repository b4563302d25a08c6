"""Forms of the study pages: one grade, posted by a button or a key press."""

from __future__ import annotations

from typing import Any

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


class CardBrowserFilterForm(forms.Form):
    """The card browser's filters (a GET form: bad values are just not applied)."""

    STATES = [
        ("", "Any state"),
        ("new", "New"),
        ("learning", "Learning"),
        ("review", "Review"),
        ("relearning", "Relearning"),
        ("buried", "Buried"),
    ]
    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]

    deck = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tag = forms.CharField(required=False, max_length=100)
    state = forms.ChoiceField(choices=STATES, required=False)
    suspended = forms.ChoiceField(choices=YES_NO, required=False)
    flagged = forms.ChoiceField(choices=YES_NO, required=False)

    def __init__(self, *args: Any, decks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deck"].choices = [("", "All decks"), *decks]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters as the ``card_browser`` selector's keyword arguments."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        flag = {"yes": True, "no": False, "": None}
        return {
            "deck_id": data["deck"],
            "tag": data["tag"].strip(),
            "state": data["state"],
            "suspended": flag[data["suspended"]],
            "flagged": flag[data["flagged"]],
        }


class CardBulkForm(forms.Form):
    """The card browser's bulk action on the ticked cards."""

    action = forms.ChoiceField(choices=[("suspend", "Suspend"), ("unsuspend", "Unsuspend")])
    cards = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here: the service only touches the user's own cards.
        raw = self.data.getlist("cards") if hasattr(self.data, "getlist") else []
        valid = [v for v in raw if v.isascii() and v.isdigit() and len(v) <= 18]
        self.fields["cards"].choices = [(v, v) for v in valid]  # type: ignore[attr-defined]
