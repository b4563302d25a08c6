"""Helpers for tests that check our files with the official anki package (AGPL, tests only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def anki_collection(directory: Path) -> Iterator[Any]:
    """A fresh, empty Anki collection in directory, closed afterwards."""
    from anki.collection import Collection

    directory.mkdir(parents=True, exist_ok=True)
    col = Collection(str(directory / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_package(col: Any, path: Path) -> Any:
    """Import an .apkg the way Anki's File > Import does (new notes added, newer ones updated)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(
        package_path=str(path),
        options=ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False),
    )
    return col.import_anki_package(request)


def notes_by_first_field(col: Any) -> dict[str, Any]:
    return {col.get_note(nid).fields[0]: col.get_note(nid) for nid in col.find_notes("")}
