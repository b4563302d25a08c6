"""The search backends, chosen by settings.SEARCH_BACKEND (read at call time, never at import)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..base import SearchBackend

BACKENDS = {
    "sqlite": "recall.search.backends.sqlite_fts.SQLiteFTSBackend",
    "postgres": "recall.search.backends.postgres.PostgresBackend",
    "elasticsearch": "recall.search.backends.elasticsearch.ElasticsearchBackend",
}
_instances: dict[tuple[str, str], SearchBackend] = {}


def backend_class(name: str) -> type[SearchBackend]:
    from django.utils.module_loading import import_string

    try:
        path = BACKENDS[name]
    except KeyError:
        choices = ", ".join(sorted(BACKENDS))
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND={name!r} is not a search backend; choose one of {choices}."
        ) from None
    cls: type[SearchBackend] = import_string(path)
    return cls


def get_backend(name: str | None = None) -> SearchBackend:
    """The configured backend; raises ImproperlyConfigured if it cannot work with this setup."""
    name = name or settings.SEARCH_BACKEND
    # Keyed by the Elasticsearch URL too, so a changed setting (tests) gets a fresh client.
    es = name == "elasticsearch"
    key = (name, f"{settings.ELASTICSEARCH_URL} {settings.ELASTICSEARCH_INDEX}" if es else "")
    backend = _instances.get(key)
    if backend is None:
        backend = backend_class(name)()
        problems = backend.check()
        if problems:
            raise ImproperlyConfigured(" ".join(problems))
        _instances[key] = backend
    return backend
