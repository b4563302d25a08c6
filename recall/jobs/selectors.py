"""Reads of background jobs: a user's own job and its state as pages and the websocket show it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from recall.core.progress import live_progress

from .models import Job, JobStatus


def jobs_owned_by(user: Any) -> QuerySet[Job]:
    """The user's jobs (none for an anonymous user): nobody sees another user's job."""
    if user is None or not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner_id=user.pk)


def jobs_listed_for(user: Any) -> QuerySet[Job]:
    """The user's jobs as their import page lists them: an unconfirmed preview is not a job
    yet (it shows as the preview itself)."""
    return jobs_owned_by(user).exclude(status=JobStatus.PREVIEW)


def job_previewed(user: Any, job_id: int) -> Job | None:
    """The user's upload ``job_id`` that was previewed and not yet confirmed, if any."""
    return jobs_owned_by(user).filter(pk=job_id, status=JobStatus.PREVIEW).first()


def job_snapshot(job: Job) -> dict[str, Any]:
    """The job's state as the websocket and the JSON status view show it (one shape for both)."""
    # By URL name: the jobs layer knows no decks, only the address of a deck's page.
    deck_url = reverse("decks:deck-detail", kwargs={"pk": job.deck_id}) if job.deck_id else ""
    progress, total = job.progress, job.total
    if job.status == JobStatus.RUNNING:
        live = live_progress(job.pk)
        if live.get("status") == "running" and live.get("progress", 0) >= progress:
            progress, total = live["progress"], live.get("total", total)
    return {
        "job": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_display": job.get_status_display(),
        "progress": progress,
        "total": total,
        "message": job.message,
        "result": job.result,
        "deck": job.deck_id,
        "deck_url": deck_url,
        "finished": job.status in {JobStatus.SUCCEEDED, JobStatus.FAILED},
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "url": job.get_absolute_url(),
    }
