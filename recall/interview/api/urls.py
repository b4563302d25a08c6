"""URLs of the interview API, mounted at /api/v1/interview/ by config/api_router.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "interview"
urlpatterns = [
    path("score/", views.ScoreView.as_view(), name="score"),
    path("record/", views.RecordView.as_view(), name="record"),
    path("sessions/", views.SessionCreateView.as_view(), name="session-create"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session-detail"),
    path("sessions/<int:pk>/question/", views.QuestionView.as_view(), name="question"),
    path("sessions/<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("sessions/<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("sessions/<int:pk>/report/", views.ReportView.as_view(), name="report"),
]
