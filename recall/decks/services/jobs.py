"""Background import jobs: create from an upload, run in a worker, finish or fail."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import PurePosixPath
from typing import IO, Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, transaction
from django.utils import timezone

from recall.core.progress import JobProgress, publish_job
from recall.core.tasks import task_named
from recall.jobs.models import Job, JobKind, JobStatus

from ..models import Deck
from ..uploads import ImportRejected, check_upload
from .imports import import_options_clean, notes_import
from .previews import ImportPreview, notes_preview

logger = logging.getLogger(__name__)

# A preview nobody confirmed is forgotten (with its stored upload) after this long.
PREVIEW_KEPT = timedelta(hours=24)


def job_create_import(
    *,
    owner: Any,
    uploaded_file: UploadedFile,
    deck_slug: str = "",
    options: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> Job:
    """Store an upload and queue its import; the cheap checks refuse bad uploads at once.

    ``preview``: read it now and keep it, unimported, for the user to confirm
    (``job_confirm_import``); its result holds the preview. A file the import would refuse
    is refused here, and nothing is kept.
    """
    name = _upload_name(uploaded_file)
    check_upload(name, uploaded_file.size or 0)
    given = import_options_clean(options)
    if deck_slug and not Deck.objects.filter(owner=owner, slug=deck_slug).exists():
        raise ImportRejected(f"you have no deck '{deck_slug}' to import {name} into")
    if preview:
        import_previews_forget_stale()
    with transaction.atomic():
        job = Job(
            kind=JobKind.IMPORT,
            owner=owner,
            filename=name,
            target_deck_slug=deck_slug,
            import_options=given,
            status=JobStatus.PREVIEW if preview else JobStatus.PENDING,
        )
        job.upload.save(name, uploaded_file, save=False)
        job.save()
        if preview:
            try:
                with _open_upload(job) as upload:
                    shown = notes_preview(
                        owner=owner,
                        filename=name,
                        data=upload,
                        deck_slug=deck_slug or None,
                        options=given,
                    )
            except BaseException:
                # Nothing is kept of a refused preview: the row rolls back, the file goes too.
                _delete_upload(job)
                raise
            job.result = {"preview": shown.as_dict()}
            job.total = shown.cards
            job.save(update_fields=["result", "total", "updated_at"])
        else:
            _schedule(job.pk)
    return job


def upload_preview(
    *,
    owner: Any,
    uploaded_file: UploadedFile,
    deck_slug: str = "",
    options: Mapping[str, Any] | None = None,
) -> ImportPreview:
    """What importing this upload would do, read from the upload itself; nothing is kept."""
    name = _upload_name(uploaded_file)
    check_upload(name, uploaded_file.size or 0)
    uploaded_file.seek(0)
    return notes_preview(
        owner=owner,
        filename=name,
        data=cast(IO[bytes], uploaded_file),
        deck_slug=deck_slug or None,
        options=import_options_clean(options),
    )


def _upload_name(uploaded_file: UploadedFile) -> str:
    return PurePosixPath((uploaded_file.name or "upload").replace("\\", "/")).name


def _schedule(job_id: int) -> None:
    # By name: the tasks module imports these services (recall.core.tasks.task_named).
    transaction.on_commit(lambda: task_named("recall.decks.tasks.run_import_job").delay(job_id))


def job_confirm_import(*, job: Job) -> Job:
    """Import a previewed upload: the stored file, as it was read for the preview."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status != JobStatus.PREVIEW:
            # Confirmed twice (a double click, a second tab): the first one imports.
            return locked or job
        locked.status, locked.result = JobStatus.PENDING, {}
        locked.save(update_fields=["status", "result", "updated_at"])
        _schedule(locked.pk)
    return locked


def job_discard_preview(*, job: Job) -> None:
    """Forget a preview the user does not want imported, and its stored upload."""
    if job.status != JobStatus.PREVIEW:
        raise ImportRejected("only an import that was previewed and not started can be discarded")
    _delete_upload(job)
    job.delete()


def import_previews_forget_stale(*, limit: int = 100) -> int:
    """Forget previews left unconfirmed for a day, with their uploads; how many were."""
    stale = Job.objects.filter(
        status=JobStatus.PREVIEW, updated_at__lt=timezone.now() - PREVIEW_KEPT
    ).order_by("pk")
    forgotten = 0
    for job in stale[:limit]:
        _delete_upload(job)
        job.delete()
        forgotten += 1
    return forgotten


def _delete_upload(job: Job) -> None:
    if job.upload:
        try:
            job.upload.delete(save=False)
        except OSError:
            logger.warning("could not delete the upload of job %s", job.pk, exc_info=True)


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
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.PREVIEW):
            # A preview waits for its confirmation; a finished job never runs again.
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
                    options=job.import_options or None,
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
        _delete_upload(job)
        Job.objects.filter(pk=job.pk).update(upload="")
