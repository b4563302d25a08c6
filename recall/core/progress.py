"""Publish a background job's progress to the websocket group that watches it.

The channel layer is Redis in production and in-memory in the embedded profile;
a page that cannot open the websocket polls the job's JSON instead.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

logger = logging.getLogger(__name__)


def job_group(job_id: int) -> str:
    return f"job-{job_id}"


def _live_key(job_id: int) -> str:
    return f"job-live-{job_id}"


def publish_job_progress(job_id: int, payload: dict[str, Any]) -> None:
    """Best effort: progress is a courtesy, a missing layer must never fail the job.

    The counters also go to the cache: the job's row is only written when its import
    commits, so a page that polls (no websocket) reads the live figures from there.
    """
    if "progress" in payload:
        try:
            cache.set(_live_key(job_id), payload, timeout=3600)
        except Exception:
            logger.warning("could not cache progress of job %s", job_id, exc_info=True)
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            job_group(job_id), {"type": "job.progress", "payload": {"job": job_id, **payload}}
        )
    except Exception:
        logger.warning("could not publish progress of job %s", job_id, exc_info=True)


def live_progress(job_id: int) -> dict[str, Any]:
    """The counters a running job last published (empty when none are cached)."""
    return cache.get(_live_key(job_id)) or {}


def publish_job(job: Any) -> None:
    """Publish a job's status and counters as they are now."""
    publish_job_progress(
        job.pk,
        {
            "status": job.status,
            "progress": job.progress,
            "total": job.total,
            "message": job.message,
        },
    )


class JobProgress:
    """A progress callback for a Job: saves and publishes at most once per ~2% of the work."""

    def __init__(self, job: Any) -> None:
        self.job = job
        self.last = -1.0

    def __call__(self, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if fraction - self.last < 0.02 and done < total:
            return
        self.last = fraction
        self.job.progress, self.job.total = done, total
        self.job.save(update_fields=["progress", "total", "updated_at"])
        publish_job(self.job)
