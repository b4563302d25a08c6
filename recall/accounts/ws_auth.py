"""Websocket authentication by API token, for clients that are not browsers.

Browsers authenticate websockets with their session cookie (Channels' AuthMiddlewareStack);
scripts and the API's users send ``Authorization: Token <key>`` like they do for HTTP.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from .tokens import api_token_authenticate


@database_sync_to_async
def _user_for_token(key: str) -> Any:
    # The same check as the API's ApiTokenAuthentication: one rule for both doors.
    token = api_token_authenticate(key)
    return None if token is None else token.user


class TokenAuthMiddleware(BaseMiddleware):
    """Put the token's user in the scope; leave the scope alone when no token is sent."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        value = headers.get(b"authorization", b"").decode("latin1")
        keyword, _, key = value.partition(" ")
        if keyword.lower() == "token" and key.strip():
            user = await _user_for_token(key.strip())
            if user is not None:
                scope = {**scope, "user": user}
        return await super().__call__(scope, receive, send)
