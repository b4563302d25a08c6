"""Semantic app: note embeddings, nearest-neighbour ranking per database, related questions."""

from django.apps import AppConfig


class SemanticConfig(AppConfig):
    name = "recall.semantic"
    label = "semantic"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
