"""API tokens: create, list and revoke a user's named keys (services and selectors)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from recall.core.exceptions import ApplicationError, NotFoundError

from .models import ApiToken

# Keys are random and long, so a fast digest is enough (no password stretching needed).
KEY_BYTES = 30
MAX_TOKENS_PER_USER = 50
# last_used_at is a hint for the user, not an audit log: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a token; its key is returned here once and never stored."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise ApplicationError(
            f"You already have {MAX_TOKENS_PER_USER} tokens: revoke one before creating another."
        )
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=key[:8], key_digest=key_digest(key)
    )
    return token, key


def api_token_revoke(*, user: Any, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFoundError("No such token.")


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token for a key, or None; refreshes last_used_at now and then."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_digest=key_digest(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
