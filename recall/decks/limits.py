"""How long a card's question or answer may be: one rule for forms, the API and every import.

Rendering Markdown costs a few hundred times the text in memory (markdown-it keeps a token
per table cell, emphasis or link), so the size of one field bounds the memory of one render.
The limit is ``RECALL_MAX_FIELD_KB`` (UTF-8 kilobytes), read when checked, never at import.
"""

from __future__ import annotations

from django.conf import settings

from recall.core.exceptions import ApplicationError

__all__ = ["FieldTooLong", "check_card_text", "max_field_bytes"]

# The widest a character gets in UTF-8: below limit/4 characters no text needs encoding.
_MAX_UTF8_BYTES_PER_CHAR = 4


class FieldTooLong(ApplicationError):
    """A question or answer is longer than a card field may be."""

    code = "field_too_long"


def max_field_bytes() -> int:
    return int(settings.RECALL_MAX_FIELD_KB) * 1024


def check_card_text(text: str, *, field: str) -> None:
    """Raise FieldTooLong when ``text`` (a card's ``field``) is over the configured limit."""
    limit = max_field_bytes()
    if len(text) * _MAX_UTF8_BYTES_PER_CHAR <= limit:
        return
    if text.isascii():
        size = f"{_kb(len(text))} KB"
        if len(text) <= limit:
            return
    elif len(text) > limit:
        # Over in characters, so over in bytes: no need to encode a text of many megabytes.
        size = f"more than {_kb(len(text))} KB"
    else:
        encoded = len(text.encode("utf-8", "surrogatepass"))
        if encoded <= limit:
            return
        size = f"{_kb(encoded)} KB"
    raise FieldTooLong(
        f"the {field} is {size} long; a card's question or answer may be at most "
        f"{_kb(limit)} KB. Shorten it or split it into several cards.",
        extra={"limit_kb": limit // 1024},
    )


def _kb(size: int) -> str:
    return f"{-(-size // 1024):,}"
