"""Study app: FSRS card states, review log, queue and statistics."""

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "recall.study"
    label = "study"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
