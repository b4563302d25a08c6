"""Web pages of interview mode, mounted at /interview/."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "interview"
urlpatterns = [
    path("", views.StartView.as_view(), name="start"),
    path("<int:pk>/", views.SessionView.as_view(), name="session"),
    path("<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("<int:pk>/report/", views.ReportView.as_view(), name="report"),
]
