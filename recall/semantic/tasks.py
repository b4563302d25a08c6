"""Celery tasks of the semantic app: thin wrappers taking note ids, calling a service."""

from __future__ import annotations

from celery import shared_task

from recall.core.tasks import retry_on_database_errors

from . import services

_RETRY = retry_on_database_errors(5)


@shared_task(soft_time_limit=600, time_limit=660, **_RETRY)
def embed_notes(note_ids: list[int]) -> dict[str, int]:
    """Embed notes whose text changed; idempotent, so a redelivery is harmless."""
    return services.embed_notes(note_ids=note_ids).as_dict()


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def embed_notes_job(job_id: int, note_ids: list[int]) -> dict[str, int]:
    """Embed a big batch (an import), reporting progress on its Job."""
    return services.embed_job_run(job_id=job_id, note_ids=note_ids).as_dict()


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def embed_all() -> dict[str, int]:
    return services.embed_all().as_dict()
