"""Background tasks of the accounts app (e-mail leaves the process, so it runs in Celery)."""

from __future__ import annotations

from celery import shared_task

from recall.core.tasks import MAIL_TASK_OPTIONS

from . import emails


@shared_task(**MAIL_TASK_OPTIONS)
def send_welcome_email(user_id: int) -> bool:
    """The welcome note (or, to an address that already has an account, a notice)."""
    return emails.welcome_email_send(user_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_email_changed_notice(user_id: int, old_email: str, new_email: str) -> bool:
    """Tell the previous address that the account's e-mail changed."""
    return emails.email_changed_notice_send(user_id, old_email, new_email)
