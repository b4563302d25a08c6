"""The account e-mails: who gets which message and what it says (sent from Celery tasks,
``tasks.py``, since mail leaves the process)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User


def welcome_email_send(user_id: int) -> bool:
    """Send the welcome note; False when the user is gone or has no address.

    Sign-up does not say whether an address already has an account (that would tell anyone
    who owns one); the address learns it here instead: when an earlier account holds it, its
    owner gets a notice naming both accounts rather than a welcome.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    earlier = User.objects.filter(email__iexact=user.email, pk__lt=user.pk).order_by("pk").first()
    context = {"user": user, "earlier": earlier, "site_name": settings.SITE_NAME}
    if earlier is None:
        subject = f"Welcome to {settings.SITE_NAME}"
        template = "accounts/welcome_email.txt"
    else:
        subject = f"{settings.SITE_NAME}: a new account was opened with your e-mail address"
        template = "accounts/signup_again_email.txt"
    send_mail(
        subject=subject,
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


def email_changed_notice_send(user_id: int, old_email: str, new_email: str) -> bool:
    """Tell the previous address that the account's e-mail changed (it may not be its owner)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not old_email:
        return False
    context = {"user": user, "new_email": new_email, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"{settings.SITE_NAME}: your e-mail address was changed",
        message=render_to_string("accounts/email_changed_email.txt", context),
        from_email=None,
        recipient_list=[old_email],
    )
    return True
