"""Study app: FSRS card states, review log, queue and statistics."""

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "recall.study"
    label = "study"

    def ready(self) -> None:
        from recall.decks import extensions

        from . import receivers
        from .extensions import study_extension

        receivers.connect()
        # What study adds to decks' card page and cards API (decks cannot import study).
        extensions.register_study(study_extension())
