"""django-filter FilterSets of the decks API (query parameters of the list endpoints)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from recall.core.ids import MAX_ID
from recall.decks import extensions
from recall.decks.models import Card, CardKind, Deck, Note, Visibility


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


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 100_000})
class CountFilter(django_filters.NumberFilter):
    """A count: a whole number from 0 to 100,000, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100_000)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "format": "date"})
class DayFilter(django_filters.DateFilter):
    """A calendar day, YYYY-MM-DD (documented as such: a method filter has no model field)."""


class DeckFilter(django_filters.FilterSet):
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


class NoteFilter(django_filters.FilterSet):
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


# The card browser's sort keys (recall.study.browser.SORTS), listed here for the schema:
# decks sits below study and never imports it; the rule is reached through
# recall.decks.extensions.
CARD_SORTS = ["due", "interval", "stability", "difficulty", "lapses", "created", "deck"]


class CardFilter(django_filters.FilterSet):
    deck = IdFilter(field_name="deck_id", label="Cards of this deck (yours, public or unlisted).")
    note = IdFilter(field_name="note_id", label="Cards of this note.")
    tag = django_filters.CharFilter(
        field_name="note__tags__name", max_length=100, label="Cards whose note has this tag."
    )
    kind = django_filters.ChoiceFilter(
        field_name="note__kind", choices=CardKind.choices, label="The kind of the card's note."
    )
    archived = StrictBooleanFilter(
        field_name="is_archived",
        label="Archived cards (their note archived, or a prompt it no longer has).",
    )
    suspended = StrictBooleanFilter(field_name="suspended", label="Suspended cards.")
    flagged = StrictBooleanFilter(field_name="flagged", label="Flagged cards.")
    mine = StrictBooleanFilter(method="filter_mine", label="true: only your cards.")
    state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in STUDY_STATES],
        method="filter_state",
        label="Your study state of the card: new (never graded), learning, review, relearning.",
    )
    due_from = DayFilter(
        method="filter_study",
        label="Due on or after this study day of yours (YYYY-MM-DD; new cards have no due date).",
    )
    due_to = DayFilter(
        method="filter_study", label="Due on or before this study day of yours (YYYY-MM-DD)."
    )
    lapses = CountFilter(method="filter_study", label="Cards you forgot at least this many times.")
    q = django_filters.CharFilter(
        method="filter_study",
        max_length=200,
        label="Words in the note's question or answer (each must appear; case ignored).",
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, k) for name in CARD_SORTS for k in (name, f"-{name}")],
        method="filter_sort",
        label="Sort by your study data (due, interval, stability, difficulty, lapses), "
        "created or deck title; '-' first for descending. New cards come last. "
        "Takes precedence over ordering.",
    )

    class Meta:
        model = Card
        fields = [
            "deck",
            "note",
            "tag",
            "kind",
            "archived",
            "suspended",
            "flagged",
            "mine",
            "state",
            "due_from",
            "due_to",
            "lapses",
            "q",
            "sort",
        ]

    def _user(self) -> Any:
        user = self.request.user if self.request else None
        return user if user is not None and user.is_authenticated else None

    def filter_mine(self, queryset: QuerySet[Card], name: str, value: bool) -> QuerySet[Card]:
        user = self._user()
        if user is None:
            return queryset if not value else queryset.none()
        owned = Q(deck__owner=user)
        return queryset.filter(owned) if value else queryset.exclude(owned)

    def filter_state(self, queryset: QuerySet[Card], name: str, value: str) -> QuerySet[Card]:
        # The study app owns the states (recall.decks.extensions); a card without a row of
        # this user's is new.
        user = self._user()
        if user is None:
            return queryset if value == "new" else queryset.none()
        return extensions.cards_filter(queryset, user, {"state": value})

    def filter_study(self, queryset: QuerySet[Card], name: str, value: Any) -> QuerySet[Card]:
        if name == "q":
            return extensions.cards_filter(queryset, None, {"q": value.strip()})
        user = self._user()
        if user is None:
            # An anonymous reader has no study data: no card is due or lapsed for them.
            return queryset.none() if value not in (None, 0) else queryset
        fields = {"due_from": "due_from", "due_to": "due_to", "lapses": "lapses_min"}
        value = int(value) if name == "lapses" else value
        return extensions.cards_filter(queryset, user, {fields[name]: value})

    def filter_sort(self, queryset: QuerySet[Card], name: str, value: str) -> QuerySet[Card]:
        # Applied by the viewset after DRF's OrderingFilter, which would replace the order.
        return queryset
