"""Web pages of the study app: the session, grading and undo (the dashboard is "home")."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.StudyView.as_view(), name="session"),
    path("decks/<int:deck_pk>/", views.StudyView.as_view(), name="deck"),
    path("grade/", views.GradeView.as_view(), name="grade"),
    path("undo/", views.UndoView.as_view(), name="undo"),
    path("card-action/", views.CardActionView.as_view(), name="card-action"),
]
