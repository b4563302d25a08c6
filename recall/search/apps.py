"""Search app: one backend contract, SQLite FTS5 / PostgreSQL / Elasticsearch implementations."""

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class SearchConfig(AppConfig):
    name = "recall.search"
    label = "search"

    def ready(self) -> None:
        from recall.decks.models import Deck, Note
        from recall.decks.signals import notes_bulk_changed
        from recall.semantic.events import embeddings_changed

        from . import checks, signals

        del checks  # imported for its @register
        post_save.connect(signals.card_saved, sender=Note, dispatch_uid="search.card_saved")
        post_delete.connect(signals.card_deleted, sender=Note, dispatch_uid="search.card_deleted")
        m2m_changed.connect(
            signals.card_tags_changed, sender=Note.tags.through, dispatch_uid="search.card_tags"
        )
        post_save.connect(signals.deck_saved, sender=Deck, dispatch_uid="search.deck_saved")
        notes_bulk_changed.connect(
            signals.notes_bulk_changed, dispatch_uid="search.notes_bulk_changed"
        )
        embeddings_changed.connect(
            signals.embeddings_changed, dispatch_uid="search.embeddings_changed"
        )
