"""Celery tasks of the study app: fitting FSRS parameters and the nightly digest e-mail."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from recall.core.exceptions import ApplicationError
from recall.core.tasks import MAIL_TASK_OPTIONS, retry_on_database_errors

from . import digest, services

logger = logging.getLogger(__name__)


@shared_task(soft_time_limit=540, time_limit=600, **retry_on_database_errors(3))
def optimize_parameters(user_id: int) -> list[float]:
    """Fit a user's FSRS parameters from their review log (idempotent: a rerun refits)."""
    try:
        return services.parameters_optimize(user_id=user_id)
    except ApplicationError as exc:
        # Not retried: more of the same data would fail the same way.
        logger.warning("FSRS optimisation of user %s skipped: %s", user_id, exc.message)
        return []


# The digest tasks keep the names they had in accounts: the beat schedule (core 0001) and
# messages already queued call them by these names.
@shared_task(
    name="recall.accounts.tasks.send_daily_digests",
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
)
def send_daily_digests() -> int:
    """Periodic (beat): queue one digest per user who opted in; returns how many were queued."""
    day = timezone.now().date().isoformat()
    user_ids = digest.digest_recipient_ids()
    for user_id in user_ids:
        send_daily_digest.delay(user_id, day)
    return len(user_ids)


@shared_task(name="recall.accounts.tasks.send_daily_digest", **MAIL_TASK_OPTIONS)
def send_daily_digest(user_id: int, day: str) -> bool:
    """Mail a user the cards due today (see recall.study.digest)."""
    return digest.daily_digest_send(user_id=user_id, day=day)
