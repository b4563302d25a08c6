"""Decks app: decks, cards, tags, references, links, imports and exports."""

from django.apps import AppConfig
from django.db.models.signals import post_delete


class DecksConfig(AppConfig):
    name = "recall.decks"
    label = "decks"

    def ready(self) -> None:
        from . import receivers
        from .models import Deck

        post_delete.connect(
            receivers.deck_deleted_clear_jobs,
            sender=Deck,
            dispatch_uid="decks.deck_deleted_clear_jobs",
        )
