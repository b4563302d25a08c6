"""Celery tasks of the decks app: thin wrappers that fetch by id and call a service."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import OperationalError

from recall.core.tasks import retry_on_database_errors

from . import services
from .linkcheck import deck_links_check, decks_with_stale_links


@shared_task(bind=True, soft_time_limit=540, time_limit=600, **retry_on_database_errors(3))
def run_import_job(self: Any, job_id: int) -> None:
    """Import an uploaded file; a second run (a redelivery) has no further effect."""
    try:
        services.job_run_import(job_id=job_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            services.job_mark_failed(
                job_id=job_id, message="the database was unavailable; please try again later"
            )
        raise


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def forget_stale_import_previews() -> int:
    """Periodic (beat): drop previews nobody confirmed, and their stored uploads."""
    return services.import_previews_forget_stale(limit=10_000)


# Link checker ---------------------------------------------------------------------------------


@shared_task(soft_time_limit=300, time_limit=360, **retry_on_database_errors(3))
def check_deck_links(deck_id: int) -> dict[str, int]:
    """Check every link of a deck and store the answers; a rerun simply checks again."""

    return deck_links_check(deck_id=deck_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def check_stale_deck_links() -> int:
    """Periodic (beat): queue a check of every deck with links unchecked for a while."""

    deck_ids = decks_with_stale_links()
    for deck_id in deck_ids:
        check_deck_links.delay(deck_id)
    return len(deck_ids)
