"""django-filter FilterSets of the decks API (query parameters of the list endpoints)."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field

from recall.core.ids import MAX_ID
from recall.decks import extensions
from recall.decks.models import Card, Deck, Note, Visibility


class _StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than silently "no filter"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError("Use true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        return None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = _StrictBooleanField


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object id: a whole number within the database's 64-bit range, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class LeanFilterSet(django_filters.FilterSet):
    """A FilterSet whose per-request set-up is cheap (measured by bench/api.py).

    django-filter deep-copies every filter and builds a new form class for each
    request; on the card list that was a tenth of the request's CPU time. Here
    the filters are shallow copies (their method rebound to the copy) and the form
    class, which depends on nothing per request, is built once per FilterSet class.
    """

    def __init__(
        self,
        data: Any = None,
        queryset: Any = None,
        *,
        request: Any = None,
        prefix: str | None = None,
    ) -> None:
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            if base.method is not None:
                # The setter binds a FilterMethod to this copy (it calls parent.<method>).
                filter_.method = base.method
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class  # type: ignore[attr-defined]
        return form_class


class DeckFilter(LeanFilterSet):
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    mine = StrictBooleanFilter(
        method="filter_mine", label="true: only your decks; false: only other people's."
    )
    q = django_filters.CharFilter(
        method="filter_q", max_length=200, label="Text in the title or description."
    )

    class Meta:
        model = Deck
        fields = ["visibility", "mine", "q"]

    def filter_mine(self, queryset: QuerySet[Deck], name: str, value: bool) -> QuerySet[Deck]:
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            return queryset if not value else queryset.none()
        return queryset.filter(owner=user) if value else queryset.exclude(owner=user)

    def filter_q(self, queryset: QuerySet[Deck], name: str, value: str) -> QuerySet[Deck]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


STUDY_STATES = ["new", "learning", "review", "relearning"]


class NoteFilter(LeanFilterSet):
    deck = IdFilter(field_name="deck_id", label="Notes of this deck (yours, public or unlisted).")
    tag = django_filters.CharFilter(
        field_name="tags__name", max_length=100, distinct=True, label="Notes with this tag."
    )
    archived = StrictBooleanFilter(
        field_name="is_archived", label="Archived notes (removed from the source file)."
    )
    mine = StrictBooleanFilter(method="filter_mine", label="true: only your notes.")
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="Text in the question or answer (simple match; /api/v1/search/ ranks).",
    )

    class Meta:
        model = Note
        fields = ["deck", "tag", "archived", "mine", "q"]

    def filter_mine(self, queryset: QuerySet[Note], name: str, value: bool) -> QuerySet[Note]:
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            return queryset if not value else queryset.none()
        owned = Q(deck__owner=user)
        return queryset.filter(owned) if value else queryset.exclude(owned)

    def filter_q(self, queryset: QuerySet[Note], name: str, value: str) -> QuerySet[Note]:
        return queryset.filter(Q(question__icontains=value) | Q(answer__icontains=value))


class CardFilter(LeanFilterSet):
    deck = IdFilter(field_name="deck_id", label="Cards of this deck (yours, public or unlisted).")
    note = IdFilter(field_name="note_id", label="Cards of this note.")
    archived = StrictBooleanFilter(
        field_name="is_archived",
        label="Archived cards (their note archived, or a prompt it no longer has).",
    )
    mine = StrictBooleanFilter(method="filter_mine", label="true: only your cards.")
    state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in STUDY_STATES],
        method="filter_state",
        label="Your study state of the card: new (never graded), learning, review, relearning.",
    )

    class Meta:
        model = Card
        fields = ["deck", "note", "archived", "mine", "state"]

    def filter_mine(self, queryset: QuerySet[Card], name: str, value: bool) -> QuerySet[Card]:
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            return queryset if not value else queryset.none()
        owned = Q(deck__owner=user)
        return queryset.filter(owned) if value else queryset.exclude(owned)

    def filter_state(self, queryset: QuerySet[Card], name: str, value: str) -> QuerySet[Card]:
        # The study app owns the states (recall.decks.extensions); a card without a row of
        # this user's is new.
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            return queryset if value == "new" else queryset.none()
        return extensions.cards_in_state(queryset, user, value)
