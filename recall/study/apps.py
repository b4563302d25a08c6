"""Study app: FSRS card states, review log, queue and statistics."""

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "recall.study"
    label = "study"
