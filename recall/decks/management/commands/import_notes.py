"""manage.py import_notes PATH... : import notes files, folders of them, or .zip archives."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from recall.decks.selectors import skipped_line_warnings
from recall.decks.services import (
    ImportPreview,
    ImportRejected,
    ImportSummary,
    import_options_clean,
    notes_import,
    notes_preview,
)
from recall.decks.uploads import (
    ARCHIVE_EXTENSIONS,
    PACKAGE_EXTENSIONS,
    TEXT_EXTENSIONS,
    check_upload,
)

from ._common import resolve_owner

IMPORTABLE = TEXT_EXTENSIONS | ARCHIVE_EXTENSIONS | PACKAGE_EXTENSIONS
CLOZE_STYLES = ("highlight", "bold", "curly")
# flag -> ImportOptions field
SEPARATOR_FLAGS = {
    "separator": "inline_separator",
    "reversed_separator": "inline_reversed_separator",
    "multiline_separator": "multiline_separator",
    "multiline_reversed_separator": "multiline_reversed_separator",
}


def options_from_flags(options: dict[str, Any]) -> dict[str, Any]:
    """The import options given as flags (only those given), as ImportOptions names."""
    given = {field: options[flag] for flag, field in SEPARATOR_FLAGS.items() if options.get(flag)}
    if options.get("cloze") is not None:
        styles = {s.strip().lower() for s in options["cloze"].split(",") if s.strip()}
        unknown = sorted(styles - set(CLOZE_STYLES))
        if unknown:
            raise CommandError(
                f"--cloze: unknown style(s) {', '.join(unknown)}; use {', '.join(CLOZE_STYLES)}"
            )
        given.update({f"cloze_{style}": style in styles for style in CLOZE_STYLES})
    if options.get("headings_as_cards") is not None:
        given["headings_as_cards"] = options["headings_as_cards"]
    try:
        return import_options_clean(given)
    except ImportRejected as exc:
        raise CommandError(exc.message) from None


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
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be imported (cards by syntax, skipped lines); write nothing",
        )
        group = parser.add_argument_group(
            "import options (default: what the deck's last import used, else the defaults)"
        )
        group.add_argument("--separator", metavar="SEP", help="inline card separator (::)")
        group.add_argument(
            "--reversed-separator", metavar="SEP", help="inline reversed card separator (:::)"
        )
        group.add_argument(
            "--multiline-separator", metavar="SEP", help="multi-line card separator line (?)"
        )
        group.add_argument(
            "--multiline-reversed-separator",
            metavar="SEP",
            help="multi-line reversed card separator line (??)",
        )
        group.add_argument(
            "--cloze",
            metavar="STYLES",
            help="cloze deletion styles, comma-separated: highlight (==x==), bold (**x**), "
            "curly ({{x}}); Anki's {{c1::x}} is always read",
        )
        group.add_argument(
            "--headings-as-cards",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="whether headings are cards (default: decided from the file)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = resolve_owner(options["owner"])
        files = collect(options["paths"])
        if options["deck"] and len(files) > 1:
            raise CommandError("--deck can only be used with a single file")
        given = options_from_flags(options)
        if options["dry_run"]:
            self._preview(owner, files, options["deck"] or None, given)
            return
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
                        options=given,
                    )
                    total.add(summary)
                    lines.append(f"  {name}: {summary}")
        except ImportRejected as exc:
            raise CommandError(f"{exc.message} (nothing was imported)") from None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        if options["verbosity"] > 1 or len(lines) > 1:
            self.stdout.write("\n".join(lines))
        for warning in [*total.warnings, *skipped_line_warnings(total.as_dict())]:
            self.stderr.write(f"warning: {warning}")
        decks = len(set(total.deck_ids))
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(total.files)} file(s) into {decks} deck(s) for {owner.username}: "
                f"{total.created} created, {total.updated} updated, "
                f"{total.archived} archived, {total.unchanged} unchanged."
            )
        )

    def _preview(
        self, owner: Any, files: list[tuple[Path, str]], deck: str | None, given: dict[str, Any]
    ) -> None:
        """--dry-run: read every file as the import would, print what it finds, write nothing."""
        previews: list[ImportPreview] = []
        try:
            for path, name in files:
                check_upload(name, path.stat().st_size)
                previews.append(
                    notes_preview(
                        owner=owner,
                        filename=name,
                        data=path.read_bytes(),
                        deck_slug=deck,
                        options=given,
                    )
                )
        except ImportRejected as exc:
            raise CommandError(f"{exc.message} (the import would be refused)") from None
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        for preview in previews:
            for file in preview.files:
                target = "updates" if file.deck_id else "new deck"
                syntaxes = ", ".join(f"{n} {s}" for s, n in sorted(file.by_syntax.items()))
                self.stdout.write(
                    f"{file.name}: {file.cards} card(s) ({syntaxes}) -> "
                    f"“{file.deck_title}” ({target})"
                )
                for line in file.skipped:
                    self.stdout.write(
                        f"  line {line['line']}: skipped “{line['text']}”: {line['reason']}"
                    )
        cards = sum(p.cards for p in previews)
        skipped = sum(p.skipped for p in previews)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dry run: {cards} card(s) would be imported for {owner.username}, "
                f"{skipped} line(s) skipped; nothing was written."
            )
        )
