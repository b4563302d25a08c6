"""Encrypt a source's credential at rest (Fernet) with a key from the environment."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from recall.core.exceptions import ApplicationError


class CredentialUnreadable(ApplicationError):
    code = "credential_unreadable"


def _fernet() -> Fernet:
    key = settings.RECALL_SOURCE_KEY
    if not key:
        # Derived, so an install without a dedicated key still never stores plain secrets;
        # setting RECALL_SOURCE_KEY lets SECRET_KEY rotate without losing credentials.
        digest = hashlib.sha256(f"recall-sources:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode() if secret else ""


def decrypt_secret(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialUnreadable(
            "the stored credential cannot be decrypted (was RECALL_SOURCE_KEY changed?); "
            "enter it again"
        ) from None
