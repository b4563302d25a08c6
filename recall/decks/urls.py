"""URLs of deck and card pages."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "decks"
urlpatterns = [
    path("", views.DeckListView.as_view(), name="deck-list"),
    path("decks/<int:pk>/", views.DeckDetailView.as_view(), name="deck-detail"),
    path("cards/<int:pk>/", views.CardDetailView.as_view(), name="card-detail"),
]
