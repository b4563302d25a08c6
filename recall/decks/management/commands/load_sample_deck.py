"""manage.py load_sample_deck : the demo user and the sample decks, for `make demo` (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from recall.decks.services import ImportRejected, ImportSummary, notes_import

from ._common import DEMO_USERNAME

DEMO_PASSWORD = "demo"  # noqa: S105 - a public demo account on a local server


def sample_files() -> list[Path]:
    """sample/*.md of the repository, then the team's shared corpus beside it if present."""
    base = Path(settings.BASE_DIR)
    folders = [base / "sample", base.parent / "shared" / "corpus"]
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.glob("*.md"))]


class Command(BaseCommand):
    help = "Create the user 'demo' (password 'demo') and import the sample decks for it."

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        demo = users.filter(username=DEMO_USERNAME).first()
        if demo is None:
            demo = users.create_user(
                username=DEMO_USERNAME, email="demo@example.com", password=DEMO_PASSWORD
            )
            self.stdout.write(f"Created user '{DEMO_USERNAME}' with password '{DEMO_PASSWORD}'.")
        else:
            self.stdout.write(f"User '{DEMO_USERNAME}' exists (password '{DEMO_PASSWORD}').")
        files = sample_files()
        if not files:
            raise CommandError("no sample decks found (sample/*.md)")
        total = ImportSummary()
        try:
            with transaction.atomic():
                for path in files:
                    summary = notes_import(owner=demo, filename=path.name, data=path.read_bytes())
                    total.add(summary)
                    self.stdout.write(f"  {path.name}: {summary}")
        except ImportRejected as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Sample decks ready for '{DEMO_USERNAME}': {len(set(total.deck_ids))} deck(s), "
                f"{total}."
            )
        )
