"""Throttling: past the rate, a 429 in the single JSON error shape with Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api_support import error_of, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    # DRF copies the rates onto the throttle class at import: override them there.
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/min", "user": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _forget(key: str) -> None:
    # Throttle history lives in the cache (Redis in the PostgreSQL pass): start clean.
    cache.delete(key)


def test_authenticated_user_is_throttled_with_the_json_error_shape(owner, low_rates):
    client = token_client(owner)
    _forget(f"throttle_user_{owner.pk}")
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]

    response = client.get("/api/v1/decks/")
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "throttled"
    assert "throttled" in error["message"].lower()
    assert int(response["Retry-After"]) > 0


def test_anonymous_visitors_are_throttled_by_address(low_rates):
    client = APIClient(REMOTE_ADDR="192.0.2.77")
    _forget("throttle_anon_192.0.2.77")
    statuses = [client.get("/api/v1/decks/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert error_of(client.get("/api/v1/cards/"))["code"] == "throttled"
    # Another address has its own allowance.
    _forget("throttle_anon_192.0.2.78")
    assert APIClient(REMOTE_ADDR="192.0.2.78").get("/api/v1/decks/").status_code == 200
