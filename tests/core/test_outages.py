"""A backing service outage answers 503 (JSON for the API, a page for the site), never a 500;
the cache degrades instead of failing the request."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError

from recall.core.outages import server_error
from recall.study import selectors as study_selectors
from recall.study.models import ReviewLog
from tests.api_support import error_of, token_client
from tests.factories import CardFactory, DeckFactory, UserFactory

OUTAGES = [
    OperationalError("connection to server failed: Connection refused"),
    InterfaceError("connection already closed"),
    RedisConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused."),
    BrokerError("[Errno 111] Connection refused"),
]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db
@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__)
def test_api_answers_503_json_when_a_service_is_down(monkeypatch, error, caplog):
    client = token_client(UserFactory())

    def down(*args, **kwargs):
        raise error

    monkeypatch.setattr(study_selectors, "study_stats", down)
    response = client.get(reverse("api:study:stats"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert error_of(response)["code"] == "service_unavailable"
    # Logged as one line naming the cause, without a traceback.
    warnings = [r for r in caplog.records if r.getMessage().startswith("503 for GET")]
    assert warnings and warnings[0].exc_info is None
    assert type(error).__name__ in warnings[0].getMessage()


@pytest.mark.django_db
def test_a_page_answers_a_503_page_when_the_database_is_down(client, monkeypatch):
    user = UserFactory()
    client.force_login(user)
    from recall.study import views as study_views

    def down(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(study_views.selectors, "study_stats", down)
    response = client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"briefly unavailable" in response.content
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_other_errors_still_reach_djangos_500(client, monkeypatch):
    client.force_login(UserFactory())
    from recall.study import views as study_views

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(study_views.selectors, "study_stats", broken)
    client.raise_request_exception = False
    assert client.get(reverse("home")).status_code == 500


def test_the_500_handler_turns_an_outage_outside_a_view_into_a_503():
    request = RequestFactory().get("/api/v1/study/stats/")
    try:
        raise RedisConnectionError("Connection refused")
    except RedisConnectionError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    try:
        raise KeyError("a bug")
    except KeyError:
        assert server_error(RequestFactory().get("/")).status_code == 500


@pytest.mark.django_db
def test_a_grade_succeeds_while_the_cache_redis_is_down(settings):
    """Throttling, the stats version and its invalidation all use the default cache: with
    Redis unreachable they miss or skip, and the grade is written and answered 200."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        },
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    try:
        user = UserFactory()
        card = CardFactory(deck=DeckFactory(owner=user))
        client = token_client(user)
        assert caches["default"].get("anything", "missed") == "missed"
        response = client.post(
            reverse("api:study:grade"), {"card": card.pk, "grade": 3, "version": 0}, format="json"
        )
        assert response.status_code == 200, response.content
        assert ReviewLog.objects.filter(user_id=user.pk, card_id=card.pk).count() == 1
        assert client.get(reverse("api:study:stats")).status_code == 200
    finally:
        caches["default"].close()
