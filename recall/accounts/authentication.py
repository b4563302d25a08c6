"""DRF authentication by a user's named API tokens (``Authorization: Token <key>``)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ApiTokenAuthentication(TokenAuthentication):
    """Like DRF's TokenAuthentication, but a user may hold many tokens, stored as digests.

    Subclassing keeps the header parsing and the OpenAPI security scheme of DRF's class.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # Imported here: DRF loads this class while rest_framework.views is still importing.
        from .tokens import api_token_authenticate

        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token
