"""Routes of the sources API: its viewset, registered under /api/v1/ by config/api_router.py."""

from __future__ import annotations

from django.urls import URLPattern

from recall.core.routers import ViewSetRoute

from .views import SourceViewSet

routes = [ViewSetRoute("sources", SourceViewSet, "source")]
urlpatterns: list[URLPattern] = []
