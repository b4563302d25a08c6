"""Shared fixtures and the rule for tests that need real services.

A test marked ``postgres``, ``redis``, ``celery``, ``nginx``, ``browser`` or ``anki`` uses the
real thing. Outside CI it is skipped with the reason when the service is absent;
with ``CI=true`` a missing service fails the test instead, so nothing passes by
being silently skipped.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from services import reachable  # noqa: E402

from tests.browser_support import chromium_browser  # noqa: E402
from tests.notes_fixture import NOTES_FILE  # noqa: E402

# The API clients, users and seeded decks are used by the API tests of every app.
pytest_plugins = ["tests.api_support"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_service(reason: str) -> None:
    """Skip outside CI; fail in CI, where every service must be present."""
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _db_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _anki_importable() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    markers = {m.name for m in item.iter_markers()}
    if "postgres" in markers and _db_vendor() != "postgresql":
        # Not a missing service: the PostgreSQL pass of `make test` runs these.
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgres://...)")
    if "redis" in markers and not reachable("redis"):
        missing_service("Redis is not reachable on 127.0.0.1:6379")
    if "celery" in markers and not reachable("redis"):
        missing_service("a Celery worker needs Redis on 127.0.0.1:6379")
    if "browser" in markers and not Path("/usr/bin/chromium").exists():
        missing_service("Debian's Chromium is not installed at /usr/bin/chromium")
    if "nginx" in markers and not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing_service("nginx is not installed")
    if "anki" in markers and not _anki_importable():
        missing_service("the official anki package is not installed (pip install -e '.[anki]')")
    if "elasticsearch" in markers and not os.environ.get("ELASTICSEARCH_URL"):
        # No Elasticsearch server can run on this machine: reported as skipped, even in CI.
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for the tests marked ``browser``."""
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def flagship_path() -> Path:
    """The repository's own notes file of the flagship shape (see tests/notes_fixture.py)."""
    return NOTES_FILE


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # With REDIS_URL set the cache outlives a test (and a run): start each test empty,
    # as database ids repeat across runs and cached stats would leak between them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The import options ``parse_document`` is called with (it still parses for real)."""
    from recall.decks import importers

    calls: list[Any] = []
    real = importers.parse_document

    def spy(filename: str, text: str, options: Any = None) -> Any:
        calls.append(options)
        return real(filename, text, options)

    monkeypatch.setattr(importers, "parse_document", spy)
    return calls
