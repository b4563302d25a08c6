"""manage.py import_notes PATH... : import notes files, folders of them, or .zip archives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from recall.decks.services import ImportRejected, ImportSummary, notes_import
from recall.decks.uploads import (
    ARCHIVE_EXTENSIONS,
    PACKAGE_EXTENSIONS,
    TEXT_EXTENSIONS,
    check_upload,
)

from ._common import resolve_owner

IMPORTABLE = TEXT_EXTENSIONS | ARCHIVE_EXTENSIONS | PACKAGE_EXTENSIONS


def collect(paths: list[str]) -> list[tuple[Path, str]]:
    """(file, name it is imported under): a file by its own name, a folder's files by their
    path inside that folder (as if the folder had been zipped)."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts):
                    continue
                if child.is_file() and child.suffix.lower() in IMPORTABLE:
                    found.append((child, rel.as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise CommandError(f"{raw}: no such file or folder")
    if not found:
        raise CommandError(f"no notes files found in {', '.join(paths)}")
    return found


class Command(BaseCommand):
    help = (
        "Import notes (.md, .markdown, .txt, .csv, .tsv, .zip, Anki .apkg; folders are walked). "
        "Each file becomes one deck; importing it again updates that deck in place. All files "
        "are imported together or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--deck",
            metavar="SLUG",
            help="import a single file into this existing deck (e.g. after renaming the file)",
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="whose decks (default: the only superuser, else the user 'demo')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = resolve_owner(options["owner"])
        files = collect(options["paths"])
        if options["deck"] and len(files) > 1:
            raise CommandError("--deck can only be used with a single file")
        total = ImportSummary()
        lines: list[str] = []
        show_bar = len(files) > 1 and options["verbosity"] > 0
        try:
            with transaction.atomic():
                for path, name in tqdm(files, unit="file", disable=not show_bar, file=self.stderr):
                    check_upload(name, path.stat().st_size)  # before reading it into memory
                    summary = notes_import(
                        owner=owner,
                        filename=name,
                        data=path.read_bytes(),
                        deck_slug=options["deck"] or None,
                    )
                    total.add(summary)
                    lines.append(f"  {name}: {summary}")
        except ImportRejected as exc:
            raise CommandError(f"{exc.message} (nothing was imported)") from None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        if options["verbosity"] > 1 or len(lines) > 1:
            self.stdout.write("\n".join(lines))
        for warning in total.warnings:
            self.stderr.write(f"warning: {warning}")
        decks = len(set(total.deck_ids))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(total.files)} file(s) into {decks} deck(s) for {owner.username}: "
                f"{total.created} created, {total.updated} updated, "
                f"{total.archived} archived, {total.unchanged} unchanged."
            )
        )
