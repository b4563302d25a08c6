"""The one rule that turns typed or imported tag names into stored ones."""

from __future__ import annotations

import re
from collections.abc import Iterable

TAG_MAX_LENGTH = 100

_WS_RE = re.compile(r"\s+")


class TagNameTooLong(ValueError):
    """A tag name is longer than ``TAG_MAX_LENGTH`` once cleaned (only raised when strict)."""


def tag_name_clean(name: str, *, strict: bool = False) -> str:
    """One name: trimmed, a leading ``#`` dropped (Markdown's #tag), inner whitespace as ``-``.

    Too long: cut at ``TAG_MAX_LENGTH`` (imports must not fail on one long tag), or, with
    ``strict`` (forms and the API, where the user can fix it), ``TagNameTooLong``.
    """
    cleaned = _WS_RE.sub("-", name.strip().lstrip("#").strip())
    if len(cleaned) > TAG_MAX_LENGTH:
        if strict:
            raise TagNameTooLong(f"A tag is at most {TAG_MAX_LENGTH} characters long.")
        cleaned = cleaned[:TAG_MAX_LENGTH]
    return cleaned


def tag_names_clean(names: Iterable[str], *, strict: bool = False) -> list[str]:
    """Every web form, API field, service and import cleans tags through this function:
    each name by ``tag_name_clean``, empty names dropped, duplicates dropped (first kept)."""
    out: list[str] = []
    for name in names:
        cleaned = tag_name_clean(name, strict=strict)
        if cleaned and cleaned not in out:
            out.append(cleaned)
    return out
