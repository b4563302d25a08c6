"""Background import jobs: create from an upload, run in a worker, finish or fail."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone

from recall.core.progress import JobProgress, publish_job
from recall.core.tasks import task_named
from recall.jobs.models import Job, JobKind, JobStatus

from ..models import Deck
from ..uploads import ImportRejected, check_upload
from .imports import notes_import

logger = logging.getLogger(__name__)


def job_create_import(*, owner: Any, uploaded_file: UploadedFile, deck_slug: str = "") -> Job:
    """Store an upload and queue its import; the cheap checks refuse bad uploads at once."""
    name = PurePosixPath((uploaded_file.name or "upload").replace("\\", "/")).name
    check_upload(name, uploaded_file.size or 0)
    if deck_slug and not Deck.objects.filter(owner=owner, slug=deck_slug).exists():
        raise ImportRejected(f"you have no deck '{deck_slug}' to import {name} into")
    with transaction.atomic():
        job = Job(kind=JobKind.IMPORT, owner=owner, filename=name, target_deck_slug=deck_slug)
        job.upload.save(name, uploaded_file, save=False)
        job.save()
        job_id = job.pk

        transaction.on_commit(lambda: task_named("recall.decks.tasks.run_import_job").delay(job_id))
    return job


@contextlib.contextmanager
def _open_upload(job: Job) -> Iterator[IO[bytes]]:
    try:
        handle = job.upload.open("rb")
    except (OSError, ValueError):
        raise ImportRejected(f"the uploaded file {job.filename} is no longer available") from None
    with handle:
        yield handle


def job_run_import(*, job_id: int) -> None:
    """Run an import job once: a job that finished (either way) is left alone.

    The job row stays locked for the whole run, so a redelivered task waits for a live run
    and then finds it finished; a run that died rolled back with its connection. Only the
    job row: locking its owner too (a join without ``of``) made every write of that user
    wait for the import, since a new deck or tag references the user row.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return
        job.status = JobStatus.RUNNING
        job.message = ""
        job.save(update_fields=["status", "message", "updated_at"])
    publish_job(job)

    with transaction.atomic():
        job = Job.objects.select_for_update(of=("self",)).select_related("owner").get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return
        try:
            with _open_upload(job) as upload:
                summary = notes_import(
                    owner=job.owner,
                    filename=job.filename,
                    data=upload,
                    deck_slug=job.target_deck_slug or None,
                    progress=JobProgress(job),
                )
        except ImportRejected as exc:
            job.status, job.message = JobStatus.FAILED, exc.message
        except OperationalError:
            # Transient database trouble: the task retries with back-off.
            raise
        except SoftTimeLimitExceeded:
            job.status = JobStatus.FAILED
            job.message = f"{job.filename} took too long to import; try splitting it."
        except Exception:
            logger.exception("import job %s failed", job_id)
            job.status = JobStatus.FAILED
            job.message = f"{job.filename} could not be imported because of an internal error."
        else:
            job.status = JobStatus.SUCCEEDED
            job.message = f"{job.filename}: {summary}"
            job.result = summary.as_dict()
            job.progress = job.total
            if summary.deck_ids:
                job.deck_id = summary.deck_ids[0]
        job.finished_at = timezone.now()
        job.save()
        transaction.on_commit(lambda: _job_finished(job))


def job_mark_failed(*, job_id: int, message: str) -> None:
    """Give up on a job that cannot run (its retries are spent), telling the user why."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return
        job.status, job.message, job.finished_at = JobStatus.FAILED, message, timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        transaction.on_commit(lambda: _job_finished(job))


def _job_finished(job: Job) -> None:
    """Tell the watchers, then drop the upload: a finished job never reads it again."""
    publish_job(job)
    if job.upload:
        try:
            job.upload.delete(save=False)
        except OSError:
            logger.warning("could not delete the upload of job %s", job.pk, exc_info=True)
        Job.objects.filter(pk=job.pk).update(upload="")
