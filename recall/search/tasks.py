"""Celery tasks of the search app: thin wrappers taking card ids, calling a service."""

from __future__ import annotations

from celery import shared_task

from recall.core.tasks import retry_on_database_errors

from . import services

_RETRY = retry_on_database_errors(5)


@shared_task(soft_time_limit=300, time_limit=360, **_RETRY)
def index_cards(card_ids: list[int]) -> int:
    """(Re)index these cards; idempotent, so a redelivery is harmless."""
    return services.search_index_cards(card_ids=card_ids)


@shared_task(soft_time_limit=120, time_limit=180, **_RETRY)
def remove_cards(card_ids: list[int]) -> None:
    services.search_remove_cards(card_ids=card_ids)


@shared_task(soft_time_limit=300, time_limit=360, **_RETRY)
def refresh_decks(deck_ids: list[int]) -> None:
    """Bring the index's copies of these decks' fields (visibility, owner) up to date."""
    services.search_refresh_decks(deck_ids=deck_ids)


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def reindex_all(job_id: int | None = None) -> int:
    """Rebuild the whole index, reporting progress on a reindex Job when given one."""
    return services.reindex_job_run(job_id=job_id)
