"""DRF authentication by a user's named API tokens (``Authorization: Token <key>``)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

from recall.core.throttling import BadTokenThrottle

from .middleware import activate_user_zone


class ApiTokenAuthentication(TokenAuthentication):
    """Like DRF's TokenAuthentication, but a user may hold many tokens, stored as digests.

    Subclassing keeps the header parsing and the OpenAPI security scheme of DRF's class.
    Guessing keys is throttled: an address that sent too many wrong tokens gets 429 for
    every token, the right one included, until its window has passed.
    """

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        scheme = get_authorization_header(request).split()[:1]
        if not scheme or scheme[0].lower() != self.keyword.lower().encode():
            return None  # no token sent: nothing to count (session or anonymous)
        throttle = BadTokenThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Imported here: DRF loads this class while rest_framework.views is still importing.
        from .tokens import api_token_authenticate

        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        # The middleware saw this request as anonymous; its datetimes are the user's too.
        activate_user_zone(token.user)
        return token.user, token
