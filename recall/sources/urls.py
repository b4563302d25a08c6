"""URLs of the sources pages."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "sources"
urlpatterns = [
    path("", views.SourceListView.as_view(), name="source-list"),
    path("new/", views.SourceCreateView.as_view(), name="source-create"),
    path("<int:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("<int:pk>/edit/", views.SourceUpdateView.as_view(), name="source-edit"),
    path("<int:pk>/sync/", views.SourceSyncView.as_view(), name="source-sync"),
    path("<int:pk>/delete/", views.SourceDeleteView.as_view(), name="source-delete"),
    path("cards/<int:pk>.patch", views.CardPatchView.as_view(), name="card-patch"),
]
