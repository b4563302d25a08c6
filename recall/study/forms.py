"""Forms of the study pages: one grade (a button or a key press), the card browser's
filters and its bulk actions."""

from __future__ import annotations

from typing import Any

from django import forms

from recall.core.ids import MAX_ID
from recall.decks import tags as tag_rules
from recall.decks.models import CardKind

from .browser import SORT_CHOICES, CardQuery

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
    """The card browser's filters and sort (a GET form; bad values answer 400 with errors)."""

    STATES = [
        ("", "Any state"),
        ("new", "New"),
        ("learning", "Learning"),
        ("review", "Review"),
        ("relearning", "Relearning"),
        ("buried", "Buried"),
    ]
    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]
    SORT_LABELS = {
        "due": "Due",
        "interval": "Interval",
        "stability": "Stability",
        "difficulty": "Difficulty",
        "lapses": "Lapses",
        "created": "Created",
        "deck": "Deck",
    }

    q = forms.CharField(
        label="Text", required=False, max_length=200, help_text="Words in the question or answer."
    )
    deck = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tag = forms.CharField(required=False, max_length=100)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *CardKind.choices], required=False)
    state = forms.ChoiceField(choices=STATES, required=False)
    due_from = forms.DateField(
        label="Due from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label="Due until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lapses = forms.IntegerField(
        label="Lapses at least", required=False, min_value=0, max_value=100_000
    )
    suspended = forms.ChoiceField(choices=YES_NO, required=False)
    flagged = forms.ChoiceField(choices=YES_NO, required=False)
    sort = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, decks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deck"].choices = [("", "All decks"), *decks]  # type: ignore[attr-defined]
        sorts = [("", "Deck order")]
        for key in SORT_CHOICES:
            name = key.removeprefix("-")
            arrow = "↓" if key.startswith("-") else "↑"
            sorts.append((key, f"{self.SORT_LABELS[name]} {arrow}"))
        self.fields["sort"].choices = sorts  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "The end of the range comes before its start.")
        return cleaned

    def query(self) -> CardQuery:
        """The valid filters as the ``card_browser`` selector's query."""
        if not self.is_valid():
            return CardQuery()
        data = self.cleaned_data
        flag = {"yes": True, "no": False, "": None}
        return CardQuery(
            deck_id=data["deck"],
            tag=data["tag"].strip(),
            kind=data["kind"],
            state=data["state"],
            due_from=data["due_from"],
            due_to=data["due_to"],
            lapses_min=data["lapses"],
            q=data["q"].strip(),
            suspended=flag[data["suspended"]],
            flagged=flag[data["flagged"]],
            sort=data["sort"],
        )


class CardBulkForm(forms.Form):
    """The card browser's bulk action on the ticked cards (rules: ``cards_bulk``)."""

    action = forms.ChoiceField(
        choices=[
            ("", "Choose an action"),
            ("suspend", "Suspend"),
            ("unsuspend", "Unsuspend"),
            ("bury", "Bury until the next study day"),
            ("unbury", "Unbury"),
            ("flag", "Flag"),
            ("unflag", "Unflag"),
            ("tag", "Add tags"),
            ("untag", "Remove tags"),
            ("move", "Move to deck"),
            ("delete", "Delete"),
        ]
    )
    cards = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    tags = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated, for adding or removing."
    )
    target_deck = forms.TypedChoiceField(
        label="Move to", coerce=int, required=False, empty_value=None
    )
    # Deleting asks first: the confirmation page posts again with confirm=yes.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, decks: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id is accepted here: the service only touches the user's own cards.
        raw = self.data.getlist("cards") if hasattr(self.data, "getlist") else []
        valid = [v for v in raw if v.isascii() and v.isdigit() and len(v) <= 18]
        self.fields["cards"].choices = [(v, v) for v in valid]  # type: ignore[attr-defined]
        self.fields["target_deck"].choices = [("", "Choose a deck"), *decks]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action in ("tag", "untag"):
            try:
                names = tag_rules.tag_names_clean(cleaned.get("tags", "").split(","), strict=True)
            except tag_rules.TagNameTooLong as exc:
                self.add_error("tags", str(exc))
                names = []
            if not names and "tags" not in self.errors:
                self.add_error("tags", "Name at least one tag.")
            cleaned["tag_names"] = names
        if action == "move" and cleaned.get("target_deck") is None:
            self.add_error("target_deck", "Choose the deck to move the cards to.")
        return cleaned
