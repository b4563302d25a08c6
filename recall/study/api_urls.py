"""URLs of the study API, mounted at /api/v1/study/ by config/api_router.py."""

from __future__ import annotations

from django.urls import path

from . import api, api_custom

app_name = "study"
urlpatterns = [
    path("queue/", api.QueueView.as_view(), name="queue"),
    path("grade/", api.GradeView.as_view(), name="grade"),
    path("undo/", api.UndoView.as_view(), name="undo"),
    path("stats/", api.StatsView.as_view(), name="stats"),
    path("parameters/", api.ParametersView.as_view(), name="parameters"),
    # Custom study (api_custom): review ahead, cram, exam dates and their plans.
    path("ahead/", api_custom.AheadView.as_view(), name="ahead"),
    path("cram/", api_custom.CramView.as_view(), name="cram"),
    path("exams/", api_custom.ExamListView.as_view(), name="exams"),
    path("exams/<int:pk>/", api_custom.ExamDetailView.as_view(), name="exam-detail"),
]
