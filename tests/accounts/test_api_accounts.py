"""The /me and /tokens endpoints: preferences, and named tokens that authenticate and revoke."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from recall.accounts.models import ApiToken
from tests.api_support import error_of, token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_reads_and_updates_preferences(owner, owner_client):
    response = owner_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "owner"

    response = owner_client.patch(
        "/api/v1/me/",
        {
            "time_zone": "Europe/Paris",
            "day_starts_at_hour": 5,
            "desired_retention": 0.85,
            "daily_digest": True,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    owner.refresh_from_db()
    assert (owner.time_zone, owner.day_starts_at_hour, owner.desired_retention) == (
        "Europe/Paris",
        5,
        0.85,
    )
    assert owner.daily_digest is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"day_starts_at_hour": 24}, "day_starts_at_hour"),
        ({"desired_retention": 0.5}, "desired_retention"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_me_rejects_bad_preferences_with_field_messages(owner, owner_client, payload, field):
    response = owner_client.patch("/api/v1/me/", payload, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    owner.refresh_from_db()
    assert owner.time_zone == "UTC" and owner.day_starts_at_hour == 4


def test_me_refuses_an_email_of_another_account(owner_client):
    UserFactory(username="taken", email="taken@example.com")
    response = owner_client.patch("/api/v1/me/", {"email": "TAKEN@example.com"}, format="json")
    assert response.status_code == 400
    assert "email" in error_of(response)["fields"]


def test_me_username_is_read_only(owner, owner_client):
    owner_client.patch("/api/v1/me/", {"username": "mallory"}, format="json")
    owner.refresh_from_db()
    assert owner.username == "owner"


def test_me_needs_authentication(anon_client):
    response = anon_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


def test_token_is_created_listed_used_and_revoked(owner):
    session = APIClient()
    session.force_login(owner)
    created = session.post("/api/v1/tokens/", {"name": "laptop"}, format="json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert created.json()["prefix"] == key[:8]
    # Only a digest is stored: the key cannot be read back from the database.
    assert not ApiToken.objects.filter(key_digest=key).exists()

    listed = session.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["laptop"]
    assert "key" not in listed[0]

    scripted = APIClient()
    scripted.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert scripted.get("/api/v1/me/").json()["username"] == "owner"
    assert ApiToken.objects.get(pk=listed[0]["id"]).last_used_at is not None

    assert session.delete(f"/api/v1/tokens/{listed[0]['id']}/").status_code == 204
    response = scripted.get("/api/v1/me/")
    assert response.status_code == 401
    assert error_of(response)["message"] == "Invalid token."


def test_a_user_holds_several_tokens_and_revoking_one_keeps_the_others(owner):
    first, second = token_client(owner), token_client(owner)
    tokens = first.get("/api/v1/tokens/").json()["results"]
    assert len(tokens) == 2
    # Newest first: the second client's token.
    assert first.delete(f"/api/v1/tokens/{tokens[0]['id']}/").status_code == 204
    assert second.get("/api/v1/me/").status_code == 401
    assert first.get("/api/v1/me/").status_code == 200


def test_tokens_of_another_user_are_invisible(owner_client, other_client):
    theirs = other_client.get("/api/v1/tokens/").json()["results"][0]["id"]
    assert all(t["id"] != theirs for t in owner_client.get("/api/v1/tokens/").json()["results"])
    assert owner_client.delete(f"/api/v1/tokens/{theirs}/").status_code == 404
    assert other_client.get("/api/v1/me/").status_code == 200


def test_token_needs_a_name(owner_client):
    response = owner_client.post("/api/v1/tokens/", {}, format="json")
    assert response.status_code == 400
    assert "name" in error_of(response)["fields"]


def test_inactive_users_token_stops_working(owner, owner_client):
    owner.is_active = False
    owner.save()
    assert owner_client.get("/api/v1/me/").status_code == 401


def test_create_api_token_command_prints_a_working_key(owner):
    out = StringIO()
    call_command("create_api_token", "owner", "--name", "ci", stdout=out)
    key = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").json()["username"] == "owner"
    assert ApiToken.objects.get(user=owner).name == "ci"


def test_create_api_token_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody")
