"""manage.py rerender_cards: render every card's stored HTML again, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from recall.core.cli import progress_bar
from recall.decks.models import Deck
from recall.decks.services import notes_rerender


class Command(BaseCommand):
    help = (
        "Render the HTML of every card (or one deck's) again from its Markdown, e.g. after "
        "an upgrade changed the renderer. Only cards whose HTML changes are written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--deck", type=int, help="Only the deck with this id.")
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deck = None
        if options["deck"] is not None:
            deck = Deck.objects.filter(pk=options["deck"]).first()
            if deck is None:
                raise CommandError(f"no deck with id {options['deck']}")
        with progress_bar(self, desc="Rendering", disable=options["no_progress"]) as progress:
            changed = notes_rerender(deck=deck, progress=progress)
        noun = "card" if changed == 1 else "cards"
        self.stdout.write(self.style.SUCCESS(f"{changed} {noun} rendered anew."))
