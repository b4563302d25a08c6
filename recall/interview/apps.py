"""Interview app: typed answers graded against the note's answer, and mock interviews."""

from django.apps import AppConfig


class InterviewConfig(AppConfig):
    name = "recall.interview"
    label = "interview"
