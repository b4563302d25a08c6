"""Writes of the accounts app: a user's profile, study preferences and e-mail address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest

from recall.core.exceptions import ApplicationError

from .models import User
from .tasks import send_email_changed_notice

PREFERENCE_FIELDS = frozenset(
    {"email", "time_zone", "day_starts_at_hour", "desired_retention", "daily_digest"}
)
PASSWORD_NEEDED = "Enter your current password to change your e-mail address."  # noqa: S105
PASSWORD_WRONG = "That is not your current password."  # noqa: S105


def user_password_confirmed(
    *, user: User, password: str | None, request: HttpRequest | None = None
) -> bool:
    """True if ``password`` is the user's own.

    With a request the check goes through Django's authenticate(), so django-axes counts a
    wrong guess like a failed log-in and stops the guessing at the same limit.
    """
    if not password:
        return False
    if request is None:
        return user.check_password(password)
    checked = authenticate(request, username=user.get_username(), password=password)
    return checked is not None and checked.pk == user.pk


def user_update_preferences(
    *,
    user: User,
    current_password: str | None = None,
    request: HttpRequest | None = None,
    **fields: Any,
) -> User:
    """Change a user's e-mail and study preferences; other fields are not editable here.

    A new e-mail address needs the current password (a stolen session or API token must
    not be able to redirect password resets), and the old address is told of the change.
    """
    unknown = set(fields) - PREFERENCE_FIELDS
    if unknown:
        raise ApplicationError(f"cannot change {', '.join(sorted(unknown))} here")
    email = fields.get("email")
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        message = "An account with this e-mail address already exists."
        raise ApplicationError(message, extra={"fields": {"email": [message]}})
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    old_email = user.email
    if "email" in changed and not user_password_confirmed(
        user=user, password=current_password, request=request
    ):
        message = PASSWORD_WRONG if current_password else PASSWORD_NEEDED
        raise ApplicationError(message, extra={"fields": {"current_password": [message]}})
    for name in changed:
        setattr(user, name, fields[name])
    if changed:
        user.full_clean(validate_unique=False, validate_constraints=False)
        user.save(update_fields=changed)
    if "email" in changed and old_email:
        user_id, new_email = user.pk, user.email
        transaction.on_commit(
            lambda: send_email_changed_notice.delay(user_id, old_email, new_email)
        )
    return user
