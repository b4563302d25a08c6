"""Background tasks of the accounts app (e-mail leaves the process, so it runs in Celery)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
)
def send_welcome_email(user_id: int) -> bool:
    """Send the welcome note; False when the user is gone or has no address."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    context = {"user": user, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"Welcome to {settings.SITE_NAME}",
        message=render_to_string("accounts/welcome_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
