"""The search form of the web page (a GET form: results are bookmarkable)."""

from __future__ import annotations

from django import forms

from .query import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        # Queries over the parser's limit still reach it, so the user reads "query too long";
        # this bound only keeps absurd input out.
        max_length=MAX_QUERY_LENGTH * 40,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": 'select_related "class based" -celery',
                "autofocus": True,
            }
        ),
    )
    deck = forms.CharField(label="Deck", required=False, max_length=200)
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    # Free text, checked by the selector (check_mode), so the page and the API say the same.
    mode = forms.CharField(label="Match", required=False, max_length=20)
