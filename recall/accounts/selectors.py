"""Reads of the accounts app: a user's time zone."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def user_zone(user: Any) -> ZoneInfo:
    """The user's time zone (their setting; UTC when unset or unknown).

    Study days, statistics and every date shown to the user derive from this one function.
    """
    try:
        return ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
