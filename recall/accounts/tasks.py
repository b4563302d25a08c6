"""Background tasks of the accounts app (e-mail leaves the process, so it runs in Celery)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User

# A mail server that is down or slow is retried with backoff; a mail is small, so a minute
# bounds any one attempt. acks_late: a worker lost mid-send hands the mail back.
_MAIL_TASK = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
    "soft_time_limit": 50,
    "time_limit": 60,
}


@shared_task(**_MAIL_TASK)
def send_welcome_email(user_id: int) -> bool:
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


@shared_task(**_MAIL_TASK)
def send_email_changed_notice(user_id: int, old_email: str, new_email: str) -> bool:
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


# Nightly digest -------------------------------------------------------------------------------

DIGEST_SENT_TTL = 60 * 60 * 36


def _digest_key(user_id: int, day: str) -> str:
    return f"digest-sent:{user_id}:{day}"


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def send_daily_digests() -> int:
    """Periodic (beat): queue one digest per user who opted in; returns how many were queued."""
    from django.utils import timezone

    day = timezone.now().date().isoformat()
    user_ids = list(
        User.objects.filter(daily_digest=True, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    for user_id in user_ids:
        send_daily_digest.delay(user_id, day)
    return len(user_ids)


@shared_task(**_MAIL_TASK)
def send_daily_digest(user_id: int, day: str) -> bool:
    """Mail a user the cards due today: at most once per user and day, none if nothing is due."""
    from django.core.cache import cache

    from recall.study.selectors import deck_counts

    if cache.get(_digest_key(user_id, day)):
        return False  # a redelivered or repeated task: already sent today
    user = User.objects.filter(pk=user_id, daily_digest=True, is_active=True).first()
    if user is None or not user.email:
        return False
    decks = [row for row in deck_counts(user) if row["due_today"] or row["new"]]
    due = sum(row["due_today"] for row in decks)
    new = sum(min(row["new"], row["new_cards_per_day"]) for row in decks)
    if not due and not new:
        return False
    lines = [f"Good morning {user.username}, here is your study for {day}:", ""]
    lines += [f"- {row['title']}: {row['due_today']} due, {row['new']} new" for row in decks]
    lines += ["", "You are receiving this because the daily digest is on in your settings."]
    send_mail(
        subject=f"{settings.SITE_NAME}: {due} cards due today, {new} new",
        message="\n".join(lines).rstrip() + "\n",
        from_email=None,
        recipient_list=[user.email],
    )
    cache.set(_digest_key(user_id, day), 1, DIGEST_SENT_TTL)
    return True
