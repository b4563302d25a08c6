"""View tests of the account pages: sign up, log in, profile, password change and reset."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from recall.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_signup_creates_logs_in_and_welcomes_after_commit(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("accounts:signup"),
            {"username": "ada", "email": "ada@example.com", "password1": PASSWORD,
             "password2": PASSWORD},
        )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="ada")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ada@example.com"]
    assert "Welcome" in mail.outbox[0].subject
    assert "ada" in mail.outbox[0].body


def test_welcome_mail_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        UserFactory(username="bob")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_updating_a_user_sends_no_welcome_mail(django_capture_on_commit_callbacks):
    user = UserFactory(username="carol")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user.first_name = "Carol"
        user.save()
    assert callbacks == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "", "email": "a@example.com", "password1": PASSWORD, "password2": PASSWORD},
         "username", "This field is required."),
        ({"username": "x", "email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD},
         "email", "Enter a valid email address."),
        ({"username": "x", "email": "x@example.com", "password1": PASSWORD, "password2": "other"},
         "password2", "The two password fields didn’t match."),
        ({"username": "x", "email": "x@example.com", "password1": "123", "password2": "123"},
         "password2", "This password is too short."),
        # A taken e-mail address is no error: sign-up must not reveal it
        # (tests/accounts/test_security_brute_force.py).
    ],
)  # fmt: skip
def test_signup_form_errors_are_shown_next_to_the_field(client, data, field, message):
    UserFactory(username="taken", email="taken@example.com")
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field])
    # Rendered in the field's own block, with the id the input points to.
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert User.objects.filter(username="x").count() == 0


def test_login_page_errors_and_success(client):
    UserFactory(username="dora")
    bad = client.post(reverse("accounts:login"), {"username": "dora", "password": "nope"})
    assert bad.status_code == 200
    assert bad.context["form"].non_field_errors()
    assert 'role="alert"' in bad.content.decode()
    good = client.post(reverse("accounts:login"), {"username": "dora", "password": PASSWORD})
    assert good.status_code == 302


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_saves_study_settings(client):
    user = UserFactory(username="eve")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"email": "eve@example.org", "current_password": PASSWORD, "time_zone": "Europe/Paris",
         "day_starts_at_hour": 5, "desired_retention": "0.85", "daily_digest": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.time_zone, user.day_starts_at_hour, user.desired_retention, user.daily_digest) == (
        "Europe/Paris",
        5,
        0.85,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"day_starts_at_hour": 24}, "day_starts_at_hour"),
        ({"desired_retention": "0.5"}, "desired_retention"),
        ({"desired_retention": "1.2"}, "desired_retention"),
        ({"email": ""}, "email"),
        ({"email": "other@example.com"}, "email"),
    ],
)
def test_profile_form_errors(client, changes, field):
    UserFactory(username="other", email="other@example.com")
    user = UserFactory(username="fay")
    client.force_login(user)
    data = {"email": "fay@example.com", "time_zone": "UTC", "day_starts_at_hour": 4,
            "desired_retention": "0.9", **changes}  # fmt: skip
    response = client.post(reverse("accounts:profile"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    user.refresh_from_db()
    assert user.time_zone == "UTC"


def test_password_change_errors_and_success(client):
    user = UserFactory(username="gus")
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"old_password", "new_password2"}
    good = client.post(
        url, {"old_password": PASSWORD, "new_password1": "a fresh long phrase 42",
              "new_password2": "a fresh long phrase 42"}
    )  # fmt: skip
    assert good.status_code == 302
    assert good["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password("a fresh long phrase 42")


def test_password_reset_by_email_round_trip(client):
    user = UserFactory(username="hal", email="hal@example.com")
    response = client.post(reverse("accounts:password_reset"), {"email": "hal@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(set_url, {"new_password1": "brand new words 7", "new_password2": "x"})
    assert "new_password2" in mismatch.context["form"].errors
    done = client.post(
        set_url, {"new_password1": "brand new words 7", "new_password2": "brand new words 7"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand new words 7")


def test_password_reset_form_rejects_a_bad_address(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nope"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert mail.outbox == []


def test_token_page_creates_shows_once_lists_and_revokes(client):
    from rest_framework.test import APIClient

    from recall.accounts.models import ApiToken

    user: Any = UserFactory(username="tok")
    client.force_login(user)
    url = reverse("accounts:tokens")
    assert url in client.get(reverse("accounts:profile")).content.decode()

    created = client.post(url, {"name": "laptop script"})
    assert created.status_code == 200 and "no-store" in created["Cache-Control"]
    key = re.search(r'id="new-token" value="([^"]+)"', created.content.decode()).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/decks/").status_code == 200

    listed = client.get(url).content.decode()
    assert "laptop script" in listed and key[:8] in listed and key not in listed

    token = ApiToken.objects.get(user=user)
    revoked = client.post(reverse("accounts:token-revoke", args=[token.pk]), follow=True)
    assert "Token revoked" in revoked.content.decode()
    assert api.get("/api/v1/decks/").status_code == 401


def test_token_page_refuses_a_blank_name_and_others_tokens(client):
    from recall.accounts.models import ApiToken
    from recall.accounts.tokens import api_token_create

    user, other = UserFactory(), UserFactory()
    theirs, _ = api_token_create(user=other, name="theirs")
    client.force_login(user)
    blank = client.post(reverse("accounts:tokens"), {"name": "  "})
    assert blank.status_code == 400 and 'id="new-token"' not in blank.content.decode()
    response = client.post(reverse("accounts:token-revoke", args=[theirs.pk]), follow=True)
    assert "No such token" in response.content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert client.get(reverse("accounts:tokens")).content.decode().count("theirs") == 0


def test_token_page_needs_login(client):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]
