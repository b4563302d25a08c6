"""manage.py search_reindex: rebuild the search index of the configured backend."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from recall.core.cli import progress_bar
from recall.search.backends import get_backend
from recall.search.base import IndexFailure
from recall.search.services import search_rebuild


class Command(BaseCommand):
    help = "Empty the search index and index every live card again, with a progress bar."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        desc = f"Indexing ({backend.name})"
        failures: list[IndexFailure] = []
        with progress_bar(self, desc=desc, disable=options["no_progress"]) as progress:
            # A card the index refuses is reported below; every other card is indexed.
            indexed = search_rebuild(progress=progress, failures=failures)
        for failure in failures:
            self.stderr.write(
                self.style.WARNING(f"Note {failure.card_id} could not be indexed: {failure.reason}")
            )
        self.stdout.write(self.style.SUCCESS(f"{indexed} cards indexed ({backend.name})."))
        if failures:
            self.stdout.write(self.style.WARNING(f"{len(failures)} notes could not be indexed."))
