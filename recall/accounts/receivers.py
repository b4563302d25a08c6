"""Receivers of the accounts app: the welcome e-mail for each new user (connected in ready())."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from .models import User
from .tasks import send_welcome_email


def send_welcome_on_signup(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    # Fixtures (raw saves) and users without an address get no mail; a rolled-back
    # sign-up must not send one either, hence on_commit.
    if not created or kwargs.get("raw") or not instance.email:
        return
    user_id = instance.pk
    transaction.on_commit(lambda: send_welcome_email.delay(user_id))


def connect() -> None:
    """Connect every receiver of this module once (AccountsConfig.ready())."""
    post_save.connect(send_welcome_on_signup, sender=User, dispatch_uid="accounts_welcome_email")
