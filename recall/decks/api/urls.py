"""Routes of the decks API: its viewsets, registered under /api/v1/ by config/api_router.py."""

from __future__ import annotations

from django.urls import URLPattern

from recall.core.routers import ViewSetRoute

from .views import CardViewSet, DeckViewSet, NoteViewSet, TagViewSet

routes = [
    ViewSetRoute("decks", DeckViewSet, "deck"),
    ViewSetRoute("notes", NoteViewSet, "note"),
    ViewSetRoute("cards", CardViewSet, "card"),
    ViewSetRoute("tags", TagViewSet, "tag"),
]
urlpatterns: list[URLPattern] = []
