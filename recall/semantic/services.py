"""Writes of the semantic app: compute note embeddings (only for changed text), as a job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from recall.core.progress import JobProgress, publish_job
from recall.decks.models import Note
from recall.jobs.models import Job, JobStatus

from . import embeddings
from .models import NoteEmbedding
from .signals import notify_embeddings_changed
from .vectors import note_text, pack, text_hash

logger = logging.getLogger(__name__)

# Job.kind of an embedding run (the job list shows it like any other background work).
EMBED_JOB_KIND = "embeddings"
# Notes encoded per model call and per database write.
EMBED_BATCH = 64
# A change to fewer notes than this is embedded without a Job (one edit is not "work to wait for").
JOB_THRESHOLD = 50

Progress = Callable[[int, int], None]


@dataclass
class EmbedResult:
    encoded: int = 0
    unchanged: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"encoded": self.encoded, "unchanged": self.unchanged, "removed": self.removed}


def embeddings_enabled() -> bool:
    """True when embeddings can be computed here (the optional extra, not switched off)."""
    return embeddings.is_available()


def embed_notes(*, note_ids: Iterable[int], progress: Progress | None = None) -> EmbedResult:
    """Bring these notes' embeddings up to date: encode the ones whose text changed, drop those
    of archived or deleted notes. Idempotent: a second run encodes nothing.

    A no-op (all counts zero) when embeddings are unavailable.
    """
    result = EmbedResult()
    if not embeddings_enabled():
        return result
    ids = sorted(set(note_ids))
    total = len(ids)
    for start in range(0, total, EMBED_BATCH):
        _embed_batch(ids[start : start + EMBED_BATCH], result)
        if progress:
            progress(min(start + EMBED_BATCH, total), total)
    return result


def _embed_batch(ids: list[int], result: EmbedResult) -> None:
    rows = Note.objects.filter(id__in=ids).values_list("id", "question", "answer", "is_archived")
    live = {pk: note_text(q, a) for pk, q, a, archived in rows if not archived}
    stale = set(ids) - set(live)
    if stale:
        removed = NoteEmbedding.objects.filter(note_id__in=stale).delete()[0]
        result.removed += removed
        if removed:
            notify_embeddings_changed(sorted(stale))
    known = dict(
        NoteEmbedding.objects.filter(note_id__in=list(live)).values_list("note_id", "text_hash")
    )
    hashes = {pk: text_hash(text) for pk, text in live.items()}
    todo = [pk for pk in live if known.get(pk) != hashes[pk]]
    result.unchanged += len(live) - len(todo)
    if not todo:
        return
    vectors = embeddings.encode([live[pk] for pk in todo])
    now = timezone.now()
    objs = [
        NoteEmbedding(note_id=pk, text_hash=hashes[pk], vector=pack(vec), updated_at=now)
        for pk, vec in zip(todo, vectors, strict=True)
    ]
    with transaction.atomic():
        # A note deleted while we encoded must not fail the batch (its row would dangle).
        present = set(Note.objects.filter(id__in=todo).values_list("id", flat=True))
        objs = [o for o in objs if o.note_id in present]
        NoteEmbedding.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["note"],
            update_fields=["text_hash", "vector", "updated_at"],
        )
    result.encoded += len(objs)
    notify_embeddings_changed([o.note_id for o in objs])


def embed_all(*, progress: Progress | None = None) -> EmbedResult:
    """Every live note's embedding up to date, and none left for archived or deleted notes."""
    result = EmbedResult()
    if not embeddings_enabled():
        return result
    result.removed += NoteEmbedding.objects.filter(note__is_archived=True).delete()[0]
    ids = list(Note.objects.filter(is_archived=False).order_by("id").values_list("id", flat=True))
    done = embed_notes(note_ids=ids, progress=progress)
    result.encoded += done.encoded
    result.unchanged += done.unchanged
    return result


def embed_job_create(*, deck_id: int | None, note_count: int, owner_id: int) -> Job:
    """A pending embedding job of a deck's notes, shown in its owner's job list."""
    return Job.objects.create(
        kind=EMBED_JOB_KIND,
        owner_id=owner_id,
        deck_id=deck_id,
        filename=f"embeddings of {note_count} notes"[:255],
        total=note_count,
    )


def embed_job_run(*, job_id: int, note_ids: Iterable[int]) -> EmbedResult:
    """Embed notes, reporting progress on the job. A finished job is left alone (redelivery)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, kind=EMBED_JOB_KIND).first()
        if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            return EmbedResult()
        job.status, job.message = JobStatus.RUNNING, ""
        job.save(update_fields=["status", "message", "updated_at"])
    publish_job(job)
    result = EmbedResult()
    try:
        result = embed_notes(note_ids=note_ids, progress=JobProgress(job))
    except Exception:
        logger.exception("embedding job %s failed", job_id)
        job.status = JobStatus.FAILED
        job.message = "The embeddings could not be computed because of an internal error."
    else:
        job.status = JobStatus.SUCCEEDED
        job.message = f"{result.encoded} notes embedded, {result.unchanged} unchanged."
        job.result = result.as_dict()
        job.progress = job.total
    job.finished_at = timezone.now()
    job.save()
    publish_job(job)
    return result
