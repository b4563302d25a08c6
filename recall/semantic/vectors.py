"""How a note becomes text to embed, and how a vector is stored: pure functions, no database."""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence

from recall.core.text import markdown_plain_text

from .embeddings import DIMENSIONS, MODEL_NAME

# The model reads at most 256 word pieces; the start of an answer carries its meaning.
MAX_TEXT_CHARS = 1200
_PACK = struct.Struct(f"<{DIMENSIONS}f")
_FENCE_RE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")


def _fenced_code(markdown: str) -> str:
    """The lines of a text's fenced code blocks (their comments and names carry meaning)."""
    lines: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE_RE.match(line):
            fenced = not fenced
        elif fenced and line.strip():
            lines.append(line.strip())
    return " ".join(lines)


def note_text(question: str, answer: str) -> str:
    """What is embedded for a note: its question, its answer as plain text, then the code of
    the answer (which plain text leaves out), cut where the model would stop reading."""
    parts = (markdown_plain_text(question), markdown_plain_text(answer), _fenced_code(answer))
    return "\n".join(p for p in parts if p)[:MAX_TEXT_CHARS]


def text_hash(text: str) -> str:
    """Changes when the text or the model changes: the test for "encode again"."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def pack(vector: Sequence[float]) -> bytes:
    return _PACK.pack(*vector)


def unpack(blob: bytes | memoryview) -> list[float]:
    return list(_PACK.unpack(bytes(blob)))
