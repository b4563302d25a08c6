"""django-filter FilterSets of the decks API (query parameters of the list endpoints)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from recall.decks.models import Card, Deck, Visibility


class DeckFilter(django_filters.FilterSet):
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    mine = django_filters.BooleanFilter(
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


class CardFilter(django_filters.FilterSet):
    deck = django_filters.NumberFilter(
        field_name="deck_id", label="Cards of this deck (yours, public or unlisted)."
    )
    tag = django_filters.CharFilter(
        field_name="tags__name", max_length=100, distinct=True, label="Cards with this tag."
    )
    archived = django_filters.BooleanFilter(
        field_name="is_archived", label="Archived cards (removed from the source notes)."
    )
    mine = django_filters.BooleanFilter(method="filter_mine", label="true: only your cards.")
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        label="Text in the question or answer (simple match; /api/v1/search/ ranks).",
    )

    class Meta:
        model = Card
        fields = ["deck", "tag", "archived", "mine", "q"]

    def filter_mine(self, queryset: QuerySet[Card], name: str, value: bool) -> QuerySet[Card]:
        user = self.request.user if self.request else None
        if user is None or not user.is_authenticated:
            return queryset if not value else queryset.none()
        owned = Q(deck__owner=user)
        return queryset.filter(owned) if value else queryset.exclude(owned)

    def filter_q(self, queryset: QuerySet[Card], name: str, value: str) -> QuerySet[Card]:
        return queryset.filter(Q(question__icontains=value) | Q(answer__icontains=value))
