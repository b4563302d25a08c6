"""Import options: those given for an import, checked, and those a file is read with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ..importers.base import ImportOptions
from ..uploads import ImportRejected
from .import_steps import existing_deck


def import_options_clean(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The import options given (only those keys), validated; a bad one is an ImportRejected."""
    given = dict(data or {})
    try:
        checked = ImportOptions.from_dict(given)
    except ValueError as exc:
        raise ImportRejected(f"import options: {exc}") from None
    return {name: getattr(checked, name) for name in given}


def import_options_complete(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every import option, those not in ``data`` at their defaults: options given this way
    replace all of a deck's remembered ones (a source's settings are the whole truth)."""
    return asdict(ImportOptions.from_dict(import_options_clean(data)))


def import_options_for(
    *, owner: Any, name: str, deck_slug: str | None, given: Mapping[str, Any] | None
) -> ImportOptions:
    """The options a file is read with: its deck's remembered ones, then those given."""
    given = import_options_clean(given)
    deck = existing_deck(owner=owner, name=name, deck_slug=deck_slug)
    remembered = deck.import_options if deck is not None else {}
    try:
        return ImportOptions.from_dict({**(remembered or {}), **given})
    except ValueError:
        # Remembered by an older version that knew other settings: what was given still holds.
        return ImportOptions.from_dict(given)
