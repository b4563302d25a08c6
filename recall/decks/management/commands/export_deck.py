"""manage.py export_deck SLUG -o FILE : write a deck out in one of the registered formats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recall.core.exceptions import ApplicationError
from recall.decks.exporters import EXPORTERS
from recall.decks.models import Deck
from recall.decks.services import deck_export

from ._common import resolve_owner


class Command(BaseCommand):
    help = "Export a deck (Markdown by default; '-o -' writes to standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", metavar="SLUG")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="whose deck (default: the only superuser, else the user 'demo')",
        )
        parser.add_argument("--format", default="md", help="one of the registered formats")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = options["format"]
        if fmt not in EXPORTERS:
            raise CommandError(
                f"unknown format '{fmt}'; choose one of {', '.join(sorted(EXPORTERS))}"
            )
        owner = resolve_owner(options["owner"])
        deck = Deck.objects.filter(owner=owner, slug=options["slug"]).first()
        if deck is None:
            raise CommandError(f"{owner.username} has no deck '{options['slug']}'")
        try:
            exported = deck_export(deck=deck, fmt=fmt)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        output = options["output"]
        if output == "-":
            sys.stdout.buffer.write(exported.content)
            sys.stdout.flush()
            return
        try:
            Path(output).write_bytes(exported.content)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {deck.slug} ({len(exported.content)} bytes) to {output}")
        )
