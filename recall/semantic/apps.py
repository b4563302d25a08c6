"""Semantic app: note embeddings, nearest-neighbour ranking per database, related questions."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save


class SemanticConfig(AppConfig):
    name = "recall.semantic"
    label = "semantic"

    def ready(self) -> None:
        from recall.decks.models import Note
        from recall.decks.signals import notes_bulk_changed, notes_moved

        from . import index, signals

        post_save.connect(signals.note_saved, sender=Note, dispatch_uid="semantic.note_saved")
        notes_bulk_changed.connect(
            signals.notes_bulk_changed, dispatch_uid="semantic.notes_bulk_changed"
        )
        notes_moved.connect(signals.notes_moved, dispatch_uid="semantic.notes_moved")
        connection_created.connect(index.load_sqlite_vec, dispatch_uid="semantic.sqlite_vec")
