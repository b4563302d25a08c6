"""The nightly digest e-mail: who gets one, and the cards due today it tells them about.

It lives in study, not accounts: it reads study counts, and accounts sits below study.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from recall.accounts.models import User

from .selectors import deck_counts

DIGEST_SENT_TTL = 60 * 60 * 36


def _digest_key(user_id: int, day: str) -> str:
    return f"digest-sent:{user_id}:{day}"


def digest_recipient_ids() -> list[int]:
    """Active users with an address who turned the digest on."""
    return list(
        User.objects.filter(daily_digest=True, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def daily_digest_send(*, user_id: int, day: str) -> bool:
    """Mail a user the cards due today: at most once per user and day, none if nothing is due."""
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
