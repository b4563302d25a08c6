"""Routes of the accounts API under /api/v1/ (config/api_router.py): ``me/`` and the tokens
viewset; names in the router's ``api`` namespace."""

from __future__ import annotations

from django.urls import path

from recall.core.routers import ViewSetRoute

from .views import ApiTokenViewSet, MeViewSet

routes = [ViewSetRoute("tokens", ApiTokenViewSet, "token")]
urlpatterns = [
    # One object, no id in its URL: the router makes no such route.
    path("me/", MeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}), name="me"),
]
