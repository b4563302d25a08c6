"""Web pages of the study app: the session, grading and undo (the dashboard is "home")."""

from __future__ import annotations

from django.urls import path

from . import views, views_custom

app_name = "study"
urlpatterns = [
    path("", views.StudyView.as_view(), name="session"),
    path("decks/<int:deck_pk>/", views.StudyView.as_view(), name="deck"),
    path("grade/", views.GradeView.as_view(), name="grade"),
    path("undo/", views.UndoView.as_view(), name="undo"),
    path("card-action/", views.CardActionView.as_view(), name="card-action"),
    # Custom study: review ahead, cram, exam dates (views_custom).
    path("custom/", views_custom.CustomStudyView.as_view(), name="custom"),
    path("ahead/", views_custom.ReviewAheadView.as_view(), name="ahead"),
    path("ahead/grade/", views_custom.CustomGradeView.as_view(), name="custom-grade"),
    path("cram/", views_custom.CramView.as_view(), name="cram"),
    path("cram/answer/", views_custom.CramAnswerView.as_view(), name="cram-answer"),
    path("exams/", views_custom.ExamCreateView.as_view(), name="exam-create"),
    path("exams/<int:pk>/", views_custom.ExamPlanView.as_view(), name="exam"),
    path("exams/<int:pk>/delete/", views_custom.ExamDeleteView.as_view(), name="exam-delete"),
]
