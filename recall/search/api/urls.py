"""Routes of the search API under /api/v1/ (config/api_router.py); names in the router's
``api`` namespace."""

from __future__ import annotations

from django.urls import path

from .views import SearchAPIView

urlpatterns = [
    path("search/", SearchAPIView.as_view(), name="search"),
]
