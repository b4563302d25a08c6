"""Helpers shared by the decks commands (a leading underscore keeps this from being a command)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

DEMO_USERNAME = "demo"


def resolve_owner(username: str | None) -> Any:
    """--owner if given; otherwise the only superuser, else the user "demo"."""
    users = get_user_model().objects
    if username:
        owner = users.filter(username=username).first()
        if owner is None:
            raise CommandError(f"no user named '{username}'")
        return owner
    superusers = list(users.filter(is_superuser=True, is_active=True)[:2])
    if len(superusers) == 1:
        return superusers[0]
    demo = users.filter(username=DEMO_USERNAME).first()
    if demo is not None:
        return demo
    raise CommandError(
        "say whose notes these are with --owner USERNAME (without it the only superuser, "
        f"or else the user '{DEMO_USERNAME}', is used; neither exists)"
    )
