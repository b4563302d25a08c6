"""Issue 19 item 12: password and token guessing is stopped; sign-up reveals no address."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.settings import base
from recall.accounts.models import User
from tests.api_support import error_of, token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _login(client: Client, url: str, password: str, username: str = "ada"):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url_name", ["accounts:login", "admin:login"])
def test_the_right_password_is_refused_after_the_failure_limit(url_name):
    UserFactory(username="ada", is_staff=True)
    url = reverse(url_name)
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _login(attacker, url, "wrong guess").status_code == 200
    # The limit-th wrong password is the one that locks.
    assert _login(attacker, url, "wrong guess").status_code == 429

    locked = _login(attacker, url, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert "Too many wrong passwords" in locked.content.decode()

    # The lock is for that username from that address: the owner elsewhere still logs in.
    owner = Client(REMOTE_ADDR="203.0.113.9")
    assert _login(owner, url, PASSWORD).status_code == 302
    assert "_auth_user_id" in owner.session


def test_sixty_wrong_passwords_then_the_right_one_does_not_log_in():
    # The red team's input: 60 guesses, then the real password, from one address.
    UserFactory(username="ada")
    url = reverse("accounts:login")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [_login(attacker, url, f"guess {n}").status_code for n in range(60)]
    assert statuses.count(429) >= 60 - settings.AXES_FAILURE_LIMIT
    assert _login(attacker, url, PASSWORD).status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_the_lock_lifts_after_the_configured_cool_off(settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)
    UserFactory(username="ada")
    url = reverse("accounts:login")
    client = Client(REMOTE_ADDR="198.51.100.7")
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, url, "wrong guess")
        assert _login(client, url, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=1))
        assert _login(client, url, PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=2, seconds=1))
        assert _login(client, url, PASSWORD).status_code == 302


def test_a_successful_login_forgets_the_earlier_failures():
    UserFactory(username="ada")
    url = reverse("accounts:login")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, url, "typo")
    assert _login(client, url, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    # A fresh allowance: one more typo does not lock the owner out.
    assert _login(client, url, "typo").status_code == 200
    assert _login(client, url, PASSWORD).status_code == 302


# API tokens ------------------------------------------------------------------------------------


@pytest.fixture
def production_token_rate(monkeypatch):
    # DRF copies the rates onto the throttle class at import; the test profile lifts them.
    rates = {
        **api_settings.DEFAULT_THROTTLE_RATES,
        "bad_token": base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["bad_token"],
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return int(rates["bad_token"].split("/")[0])


def _bad_token_client(address: str, n: int) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token not-a-real-key-{n}")
    return client


def test_130_wrong_tokens_get_429_after_the_allowance(production_token_rate):
    allowance = production_token_rate
    statuses = [
        _bad_token_client("198.51.100.7", n).get("/api/v1/me/").status_code for n in range(130)
    ]
    assert statuses[:allowance] == [401] * allowance
    assert statuses[allowance:] == [429] * (130 - allowance)

    response = _bad_token_client("198.51.100.7", 999).get("/api/v1/decks/")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_a_blocked_address_cannot_use_even_a_valid_token(production_token_rate):
    owner = UserFactory(username="owner")
    for n in range(production_token_rate):
        _bad_token_client("198.51.100.7", n).get("/api/v1/me/")
    # Otherwise a guesser who finally hits the right key would be let in.
    guessed = token_client(owner)
    assert guessed.get("/api/v1/me/", REMOTE_ADDR="198.51.100.7").status_code == 429
    # Elsewhere the token works, and the blocked address may still browse without a token.
    assert guessed.get("/api/v1/me/", REMOTE_ADDR="203.0.113.9").status_code == 200
    assert APIClient(REMOTE_ADDR="198.51.100.7").get("/api/v1/decks/").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(production_token_rate):
    # Without a trusted proxy (NUM_PROXIES=0) the socket address counts, not the header.
    statuses = [
        _bad_token_client("198.51.100.7", n)
        .get("/api/v1/me/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        .status_code
        for n in range(production_token_rate + 1)
    ]
    assert statuses[-1] == 429


def test_password_guesses_through_the_api_hit_the_login_lockout():
    owner = UserFactory(username="owner")
    client = token_client(owner)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.patch(
            "/api/v1/me/", {"email": "thief@example.net", "current_password": "guess"}
        )
        assert response.status_code == 400
        assert "current_password" in error_of(response)["fields"]
    last = client.patch("/api/v1/me/", {"email": "thief@example.net", "current_password": "g"})
    assert last.status_code == 429
    assert error_of(last)["code"] == "throttled"
    right = client.patch(
        "/api/v1/me/", {"email": "thief@example.net", "current_password": PASSWORD}
    )
    assert right.status_code == 429
    owner.refresh_from_db()
    assert owner.email == "owner@example.com"


# Sign-up -------------------------------------------------------------------------------------


def _sign_up(client: Client, username: str, email: str):
    return client.post(
        reverse("accounts:signup"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_sign_up_with_a_taken_address_looks_like_any_sign_up(
    django_capture_on_commit_callbacks,
):
    UserFactory(username="ada", email="ada@example.com")
    fresh_client, taken_client = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        fresh = _sign_up(fresh_client, "newcomer", "newcomer@example.com")
        taken = _sign_up(taken_client, "mallory", "ADA@example.com")

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert [m.message for m in get_messages(taken.wsgi_request)] == [
        m.message for m in get_messages(fresh.wsgi_request)
    ]
    assert "_auth_user_id" in taken_client.session
    assert User.objects.filter(username="mallory").exists()

    # The address's owner is told, instead of being welcomed to an account that is not theirs.
    by_address = {message.to[0].lower(): message for message in mail.outbox}
    assert by_address["newcomer@example.com"].subject.startswith("Welcome")
    notice = by_address["ada@example.com"]
    assert not notice.subject.startswith("Welcome")
    assert '"mallory"' in notice.body and '"ada"' in notice.body


def test_sign_up_page_says_nothing_about_a_taken_address():
    UserFactory(username="ada", email="ada@example.com")
    # An otherwise invalid form: the only errors shown are about the password.
    response = Client().post(
        reverse("accounts:signup"),
        {"username": "mallory", "email": "ada@example.com", "password1": "1", "password2": "2"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"password2"}
    assert "already" not in response.content.decode()
