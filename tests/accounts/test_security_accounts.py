"""Issue 19 item 6: a token or a session alone cannot take the account over."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from recall.accounts.models import ApiToken
from tests.api_support import error_of, token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "an entirely new passphrase 9"


@pytest.fixture
def ada():
    return UserFactory(username="ada", email="ada@example.com")


# Changing the e-mail address -------------------------------------------------------------------


@pytest.mark.parametrize("password", [None, "", "not my password"])
def test_api_email_change_needs_the_current_password(ada, password):
    payload = {"email": "thief@example.net"}
    if password is not None:
        payload["current_password"] = password
    response = token_client(ada).patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    assert "current_password" in error_of(response)["fields"]
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"
    assert mail.outbox == []


def test_api_email_change_with_the_password_notifies_the_old_address(
    ada, django_capture_on_commit_callbacks
):
    client = token_client(ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            "/api/v1/me/",
            {"email": "ada@example.org", "current_password": PASSWORD},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "ada@example.org"
    assert "current_password" not in response.json()
    ada.refresh_from_db()
    assert ada.email == "ada@example.org"
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "ada@example.org" in mail.outbox[0].body
    assert "changed" in mail.outbox[0].subject


def test_api_preferences_other_than_email_need_no_password(ada):
    response = token_client(ada).patch(
        "/api/v1/me/", {"time_zone": "Europe/Paris", "email": "ada@example.com"}, format="json"
    )
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.time_zone == "Europe/Paris"
    assert mail.outbox == []


def _profile_data(**changes: str) -> dict[str, str]:
    return {"email": "ada@example.com", "time_zone": "UTC", "day_starts_at_hour": "4",
            "desired_retention": "0.9", **changes}  # fmt: skip


def test_settings_page_email_change_needs_the_current_password(ada):
    client = Client()
    client.force_login(ada)
    response = client.post(reverse("accounts:profile"), _profile_data(email="thief@example.net"))
    assert response.status_code == 200
    assert "current_password" in response.context["form"].errors
    assert 'id="id_current_password_error"' in response.content.decode()
    wrong = client.post(
        reverse("accounts:profile"),
        _profile_data(email="thief@example.net", current_password="guess"),
    )
    assert "current_password" in wrong.context["form"].errors
    ada.refresh_from_db()
    assert ada.email == "ada@example.com"
    assert mail.outbox == []


def test_settings_page_email_change_with_the_password_notifies_the_old_address(
    ada, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:profile"),
            _profile_data(
                email="ada@example.org", current_password=PASSWORD, time_zone="Asia/Tokyo"
            ),
        )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert (ada.email, ada.time_zone) == ("ada@example.org", "Asia/Tokyo")
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "ada@example.org" in mail.outbox[0].body


def test_settings_page_saves_preferences_without_a_password(ada):
    client = Client()
    client.force_login(ada)
    response = client.post(reverse("accounts:profile"), _profile_data(time_zone="Asia/Tokyo"))
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.time_zone == "Asia/Tokyo"


# A new password ends the other sessions and every token ------------------------------------


def _logged_in(address: str, password: str = PASSWORD) -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": password})
    assert response.status_code == 302
    return client


def _is_logged_in(client: Client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


def test_password_reset_ends_every_session_and_api_token(ada):
    laptop, phone = _logged_in("192.0.2.1"), _logged_in("192.0.2.2")
    script, other_script = token_client(ada), token_client(ada)
    assert script.get("/api/v1/me/").status_code == 200

    # The reset, as the owner of the mailbox does it.
    resetter = Client()
    resetter.post(reverse("accounts:password_reset"), {"email": "ada@example.com"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", str(mail.outbox[-1].body))
    assert link
    form_page = resetter.get(link.group(1), follow=True)
    done = resetter.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302

    assert not _is_logged_in(laptop)
    assert not _is_logged_in(phone)
    for client in (script, other_script):
        response = client.get("/api/v1/me/")
        assert response.status_code == 401
        assert error_of(response)["message"] == "Invalid token."
    assert not ApiToken.objects.filter(user=ada).exists()
    # The new password works.
    assert _is_logged_in(_logged_in("192.0.2.3", NEW_PASSWORD))


def test_password_change_keeps_this_session_and_ends_the_others_and_tokens(ada):
    here, elsewhere = _logged_in("192.0.2.1"), _logged_in("192.0.2.2")
    script = token_client(ada)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _is_logged_in(here)
    assert not _is_logged_in(elsewhere)
    assert script.get("/api/v1/me/").status_code == 401


def test_a_rehash_at_login_or_a_profile_save_keeps_the_tokens(ada, settings):
    script = token_client(ada)
    # Logging in with a password stored by an older hasher re-hashes it: not a new password.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert ada.password.startswith("md5$")
    _logged_in("192.0.2.1")
    ada.refresh_from_db()
    assert ada.password.startswith("pbkdf2_sha256$")
    ada.first_name = "Ada"
    ada.save()
    assert script.get("/api/v1/me/").status_code == 200


def test_a_token_cannot_mint_a_session_or_change_the_password(ada):
    # The API exposes no password field: the token holder's only route is the e-mail,
    # which needs the password (above).
    client = token_client(ada)
    response = client.patch("/api/v1/me/", {"password": "owned 12345 xyz"}, format="json")
    assert response.status_code == 200
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)
    assert APIClient().get("/api/v1/me/").status_code == 401
