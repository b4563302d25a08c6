"""Routes of the jobs API: its viewset, registered under /api/v1/ by config/api_router.py."""

from __future__ import annotations

from django.urls import URLPattern

from recall.core.routers import ViewSetRoute

from .views import JobViewSet

routes = [ViewSetRoute("jobs", JobViewSet, "job")]
urlpatterns: list[URLPattern] = []
