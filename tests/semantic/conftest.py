"""Fixtures of the semantic tests: a stand-in encoder for the storage and ranking rules, the
real model for the few tests about meaning, and the search tests' corpus (three decks, two
of them private)."""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Sequence

import pytest

from recall.semantic import embeddings, selectors
from recall.semantic.embeddings import DIMENSIONS
from tests.search.conftest import CARDS, Corpus, corpus

__all__ = ["CARDS", "Corpus", "corpus"]


def word_vector(text: str) -> list[float]:
    """A unit bag-of-words vector: texts sharing words are near, others are not."""
    vector = [0.0] * DIMENSIONS
    for word in re.findall(r"[a-z_]{3,}", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


class CountingEncoder:
    """Stands in for the model: deterministic vectors, and a record of what was encoded."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str], *, batch_size: int = 64) -> list[list[float]]:
        self.calls.append(list(texts))
        return [word_vector(t) for t in texts]

    @property
    def encoded(self) -> int:
        return sum(len(c) for c in self.calls)


@pytest.fixture
def encoder(monkeypatch, settings) -> CountingEncoder:
    """Embeddings on, computed by the stand-in (no model load): for rules, not for meaning."""
    fake = CountingEncoder()
    monkeypatch.delenv("RECALL_SEMANTIC", raising=False)  # on, even in a run that sets it
    selectors._encode_cached.cache_clear()  # no query vector of another encoder
    monkeypatch.setattr(embeddings, "encode", fake)
    # Still switched off by RECALL_SEMANTIC=0 (the semantic_off fixture), like the real one.
    monkeypatch.setattr(
        embeddings, "is_available", lambda: os.environ.get("RECALL_SEMANTIC") != "0"
    )
    settings.SEMANTIC_EMBED_ON_CHANGE = True
    return fake


@pytest.fixture(scope="module")
def real_model() -> None:
    """The real all-MiniLM-L6-v2, loaded once per process (about 5 s)."""
    if not embeddings.is_available():
        pytest.skip("the semantic extra is not installed (pip install -e '.[semantic]')")
    selectors._encode_cached.cache_clear()
    embeddings.encode(["warm up"])


@pytest.fixture
def semantic_off(monkeypatch) -> None:
    """As without the extra: RECALL_SEMANTIC=0 makes is_available() false."""
    monkeypatch.setenv("RECALL_SEMANTIC", "0")
