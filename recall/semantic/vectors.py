"""How a note becomes text to embed, and how a vector is stored: pure functions, no database."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

from recall.core.text import markdown_plain_text

from .embeddings import DIMENSIONS, MODEL_NAME

# The model reads at most 256 word pieces; the start of an answer carries its meaning.
MAX_TEXT_CHARS = 1200
_PACK = struct.Struct(f"<{DIMENSIONS}f")


def note_text(question: str, answer: str) -> str:
    """What is embedded for a note: its question, then the start of its answer, as plain text."""
    text = f"{markdown_plain_text(question)}\n{markdown_plain_text(answer)}".strip()
    return text[:MAX_TEXT_CHARS]


def text_hash(text: str) -> str:
    """Changes when the text or the model changes: the test for "encode again"."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()


def pack(vector: Sequence[float]) -> bytes:
    return _PACK.pack(*vector)


def unpack(blob: bytes | memoryview) -> list[float]:
    return list(_PACK.unpack(bytes(blob)))
