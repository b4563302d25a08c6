"""Reads of the accounts app: a user as stored, a user's time zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import User


def user_zone(user: Any) -> ZoneInfo:
    """The user's time zone (their setting; UTC when unset or unknown).

    Study days, statistics and every date shown to the user derive from this one function.
    """
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def user_fresh(user_id: int) -> User:
    """The user as stored now (a model form writes the posted values onto its instance)."""
    return User.objects.get(pk=user_id)
