"""Writes of the search app: keep the index in step with the cards, rebuild it as a job."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from recall.core.progress import JobProgress, publish_job
from recall.jobs.models import Job, JobKind, JobStatus

from .backends import get_backend
from .base import IndexFailure, ProgressCallback

logger = logging.getLogger(__name__)


def search_index_cards(*, card_ids: Iterable[int]) -> int:
    """(Re)index cards by id; archived and deleted ones leave the index. Returns cards indexed.

    A card the index refuses costs only itself; IndexWriteError then names it, after the
    others are indexed, so the task fails visibly instead of dropping its batch.
    """
    return get_backend().index(list(card_ids))


def search_remove_cards(*, card_ids: Iterable[int]) -> None:
    get_backend().remove(list(card_ids))


def search_refresh_decks(*, deck_ids: Iterable[int]) -> None:
    """Refresh what the index copies of these decks (a no-op for a backend that copies none)."""
    backend = get_backend()
    if backend.denormalises_decks:
        backend.refresh_decks(list(deck_ids))


def search_rebuild(
    *, progress: ProgressCallback | None = None, failures: list[IndexFailure] | None = None
) -> int:
    """Empty the index and index every live card again.

    Cards the index refuses are appended to ``failures`` and the rebuild goes on; without
    the list, IndexWriteError names them once every other card is indexed.
    """
    return get_backend().rebuild(progress, failures)


def reindex_job_create(*, owner: Any) -> Job:
    """A pending reindex job; the caller schedules recall.search.tasks.reindex_all with its id."""
    return Job.objects.create(kind=JobKind.REINDEX, owner=owner, filename="search index")


def reindex_job_run(*, job_id: int | None = None) -> int:
    """Rebuild the index, reporting progress on the reindex Job if one is given.

    A job that already finished is left alone (a redelivered task has no further effect).
    """
    if job_id is None:
        return search_rebuild()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, kind=JobKind.REINDEX).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return 0
        job.status, job.message = JobStatus.RUNNING, ""
        job.save(update_fields=["status", "message", "updated_at"])
    publish_job(job)
    failures: list[IndexFailure] = []
    try:
        indexed = search_rebuild(progress=JobProgress(job), failures=failures)
    except Exception:
        logger.exception("reindex job %s failed", job_id)
        job.status = JobStatus.FAILED
        job.message = "The search index could not be rebuilt because of an internal error."
        indexed = 0
    else:
        job.status = JobStatus.SUCCEEDED
        job.message = f"{indexed} cards indexed."
        job.result = {"indexed": indexed}
        if failures:
            refused = ", ".join(str(f.card_id) for f in failures[:20])
            job.message += f" {len(failures)} could not be indexed (notes {refused})."
            job.result["failed"] = [f.card_id for f in failures]
        job.progress = job.total = indexed
    job.finished_at = timezone.now()
    job.save()
    publish_job(job)
    return indexed
