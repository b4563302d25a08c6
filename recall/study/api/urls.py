"""URLs of the study API, mounted at /api/v1/study/ by config/api_router.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("grade/", views.GradeView.as_view(), name="grade"),
    path("undo/", views.UndoView.as_view(), name="undo"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("parameters/", views.ParametersView.as_view(), name="parameters"),
    # Custom study: review ahead, cram, exam dates and their plans.
    path("ahead/", views.AheadView.as_view(), name="ahead"),
    path("cram/", views.CramView.as_view(), name="cram"),
    path("exams/", views.ExamListView.as_view(), name="exams"),
    path("exams/<int:pk>/", views.ExamDetailView.as_view(), name="exam-detail"),
]
