"""The one DRF router under /api/v1/: every app registers its viewsets here."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

app_name = "api"
urlpatterns: list = [
    *router.urls,
]
