"""Web pages for decks and cards (class-based views; thin, selectors do the reading)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from . import selectors
from .models import Card, Deck


class DeckListView(ListView):
    template_name = "decks/deck_list.html"
    context_object_name = "decks"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Deck]:
        if self.request.user.is_authenticated:
            return selectors.deck_list_for(self.request.user)
        return selectors.public_decks()


class DeckDetailView(DetailView):
    template_name = "decks/deck_detail.html"
    context_object_name = "deck"

    def get_queryset(self) -> QuerySet[Deck]:
        # Another user's private deck is a 404, never a 403: its existence is private too.
        return selectors.deck_readable(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deck = self.object
        context["cards"] = deck.cards.filter(is_archived=False).prefetch_related("tags")
        context["references"] = deck.references.all()
        context["links"] = deck.links.all()
        return context


class CardDetailView(DetailView):
    template_name = "decks/card_detail.html"
    context_object_name = "card"

    def get_queryset(self) -> QuerySet[Card]:
        return selectors.card_readable(self.request.user)
