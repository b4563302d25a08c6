"""Decks app: decks, cards, tags, references, links, imports and exports."""

from django.apps import AppConfig


class DecksConfig(AppConfig):
    name = "recall.decks"
    label = "decks"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
