"""The one DRF router under /api/v1/: every app registers its viewsets here."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from recall.accounts.api.views import ApiTokenViewSet, MeView
from recall.decks.api.views import CardViewSet, DeckViewSet, JobViewSet, NoteViewSet, TagViewSet
from recall.search.api import SearchAPIView
from recall.sources.api.views import SourceViewSet

router = DefaultRouter()
# One URL per resource: no `.json` suffix variants (`?format=` names export formats).
router.include_format_suffixes = False

router.register("decks", DeckViewSet, basename="deck")
router.register("notes", NoteViewSet, basename="note")
router.register("cards", CardViewSet, basename="card")
router.register("tags", TagViewSet, basename="tag")
router.register("jobs", JobViewSet, basename="job")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("sources", SourceViewSet, basename="source")

app_name = "api"
urlpatterns: list = [
    path("me/", MeView.as_view(), name="me"),
    path("search/", SearchAPIView.as_view(), name="search"),
    path("study/", include("recall.study.api_urls")),
    path("interview/", include("recall.interview.api.urls")),
    *router.urls,
]
