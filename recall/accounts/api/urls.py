"""Routes of the accounts API under /api/v1/ (config/api_router.py): ``me/`` and the tokens
viewset; names in the router's ``api`` namespace."""

from __future__ import annotations

from django.urls import path

from recall.core.routers import ViewSetRoute

from .views import ApiTokenViewSet, MeView

routes = [ViewSetRoute("tokens", ApiTokenViewSet, "token")]
urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
]
