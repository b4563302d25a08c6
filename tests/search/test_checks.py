"""The system check fails clearly when the search backend does not fit the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from recall.search.backends import get_backend
from recall.search.checks import check_search_backend


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_backend_of_the_database_passes(settings):
    settings.SEARCH_BACKEND = "sqlite" if connection.vendor == "sqlite" else "postgres"
    assert check_search_backend() == []


def test_backend_of_another_database_fails_at_startup(settings):
    settings.SEARCH_BACKEND = "postgres" if connection.vendor == "sqlite" else "sqlite"
    messages = check_search_backend()
    assert ids(messages) == ["search.E002"]
    assert connection.vendor in messages[0].msg
    with pytest.raises(ImproperlyConfigured):
        get_backend()


def test_unknown_backend_fails(settings):
    settings.SEARCH_BACKEND = "whoosh"
    messages = check_search_backend()
    assert ids(messages) == ["search.E001"]
    assert "sqlite" in messages[0].msg


def test_elasticsearch_needs_a_url(settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = ""
    assert ids(check_search_backend()) == ["search.E002"]
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9200"
    assert check_search_backend() == []
