"""Celery tasks of the study app: fitting FSRS parameters, away from web requests."""

from __future__ import annotations

import logging

from celery import shared_task

from recall.core.exceptions import ApplicationError
from recall.core.tasks import retry_on_database_errors

from . import services

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
