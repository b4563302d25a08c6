"""Writes of the accounts app: a user's profile and study preferences."""

from __future__ import annotations

from typing import Any

from recall.core.exceptions import ApplicationError

from .models import User

PREFERENCE_FIELDS = frozenset(
    {"email", "time_zone", "day_starts_at_hour", "desired_retention", "daily_digest"}
)


def user_update_preferences(*, user: User, **fields: Any) -> User:
    """Change a user's e-mail and study preferences; other fields are not editable here."""
    unknown = set(fields) - PREFERENCE_FIELDS
    if unknown:
        raise ApplicationError(f"cannot change {', '.join(sorted(unknown))} here")
    email = fields.get("email")
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        message = "An account with this e-mail address already exists."
        raise ApplicationError(message, extra={"fields": {"email": [message]}})
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.full_clean(validate_unique=False, validate_constraints=False)
        user.save(update_fields=changed)
    return user
