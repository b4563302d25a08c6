"""Celery tasks of the sources app: run one sync, and the beat task that queues due syncs."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from recall.core.tasks import retry_on_database_errors

from . import services


@shared_task(bind=True, soft_time_limit=540, time_limit=600, **retry_on_database_errors(3))
def sync_source(self: Any, run_id: int) -> None:
    """Run a queued sync; a redelivered task finds it claimed and does nothing."""
    try:
        services.sync_run(run_id=run_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.sync_mark_failed(
                run_id=run_id, message="the database was unavailable; it will be retried"
            )
        raise


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sync_due_sources() -> int:
    """Periodic (beat, every minute): queue a sync of each source whose interval has passed."""
    return len(services.sources_sync_due())
