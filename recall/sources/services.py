"""Writes of the sources app: adding sources, requesting and running syncs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from recall.core.exceptions import ApplicationError
from recall.core.progress import JobProgress, publish_job
from recall.core.tasks import task_named
from recall.decks.importers.base import ImportOptions
from recall.decks.models import Deck
from recall.decks.selectors import skipped_line_warnings
from recall.decks.services import (
    ImportRejected,
    deck_archive_cards,
    deck_create,
    import_options_clean,
    import_options_complete,
    notes_import,
)
from recall.jobs.models import Job, JobKind, JobStatus

from .crypto import decrypt_secret, encrypt_secret
from .fetching import (
    Snapshot,
    SourceRejected,
    check_folder,
    check_git_url,
    check_glob,
    open_snapshot,
)
from .models import (
    ACTIVE_SYNC_STATUSES,
    Source,
    SourceFile,
    SourceKind,
    SyncRun,
    SyncStatus,
    SyncTrigger,
)

logger = logging.getLogger(__name__)

# Job.kind of a sync (the decks app's job list shows it like any other background work).
SYNC_JOB_KIND = JobKind.SOURCE_SYNC
_EDITABLE = (
    "name",
    "url",
    "branch",
    "subfolder",
    "glob",
    "forge",
    "username",
    "enabled",
    "import_options",
)


def _stored_options(data: dict[str, Any] | None) -> dict[str, Any]:
    """A source's import options as stored: validated, only those that differ from defaults."""
    return ImportOptions.from_dict(import_options_clean(data)).to_dict()


def _validate(source: Source) -> None:
    if not source.name.strip():
        raise SourceRejected("a source needs a name")
    if source.kind == SourceKind.FOLDER:
        check_folder(source.url)
    else:
        check_git_url(source.url)
    check_glob(source.subfolder, source.glob)
    if not 1 <= source.interval_minutes <= 7 * 24 * 60:
        raise SourceRejected("sync every 1 minute to 7 days")
    taken = Source.objects.filter(owner_id=source.owner_id, name=source.name)
    if taken.exclude(pk=source.pk).exists():
        raise SourceRejected(f"you already have a source named '{source.name}'")


def source_create(
    *,
    owner: Any,
    name: str,
    url: str,
    kind: str = SourceKind.GIT,
    branch: str = "main",
    subfolder: str = "",
    glob: str = "**/*.md",
    forge: str = "auto",
    username: str = "",
    secret: str = "",
    interval_minutes: int = 15,
    enabled: bool = True,
    import_options: dict[str, Any] | None = None,
) -> Source:
    """Add a source (checked: URL scheme, host, allowed folder); its secret is encrypted.

    ``import_options``: how its files are read (ImportOptions names); the rest are defaults.
    """
    source = Source(
        owner=owner,
        name=name.strip(),
        url=url.strip(),
        kind=kind,
        branch=branch.strip() or "main",
        subfolder=subfolder.strip().strip("/"),
        glob=glob.strip() or "**/*.md",
        forge=forge,
        username=username.strip(),
        interval_minutes=interval_minutes,
        enabled=enabled,
        import_options=_stored_options(import_options),
    )
    _validate(source)
    source.credential_encrypted = encrypt_secret(secret)
    source.save()
    return source


def source_update(*, source: Source, secret: str | None = None, **fields: Any) -> Source:
    """Change a source's options; a new secret replaces the old, "" removes it, None keeps it."""
    for name, value in fields.items():
        if name not in (*_EDITABLE, "interval_minutes"):
            raise SourceRejected(f"'{name}' cannot be changed")
        if name == "import_options":
            value = _stored_options(value)
        setattr(source, name, value.strip() if isinstance(value, str) else value)
    _validate(source)
    update = [*fields, "updated_at"]
    if secret is not None:
        source.credential_encrypted = encrypt_secret(secret)
        update.append("credential_encrypted")
    # Only what changed: a sync finishing meanwhile writes last_commit, which must survive.
    source.save(update_fields=update)
    return source


def source_delete(*, source: Source) -> None:
    """Forget a source; its decks stay, as ordinary decks."""
    source.delete()


# ---------------------------------------------------------------------------------------------
# Requesting a sync


def sync_request(*, source: Source, trigger: str = SyncTrigger.MANUAL) -> SyncRun:
    """Queue a sync of the source, or return the one already waiting or running."""
    with transaction.atomic():
        # The row lock serialises requests on PostgreSQL; the unique constraint on active
        # runs makes "once" hold on any database.
        Source.objects.select_for_update().filter(pk=source.pk).first()
        active = source.runs.filter(status__in=ACTIVE_SYNC_STATUSES).first()
        if active is not None:
            return active
        job = Job.objects.create(
            kind=SYNC_JOB_KIND, owner_id=source.owner_id, filename=source.name[:255]
        )
        try:
            with transaction.atomic():
                run = SyncRun.objects.create(
                    source=source,
                    job=job,
                    trigger=trigger,
                    previous_commit=source.last_commit,
                )
        except IntegrityError:
            job.delete()
            return source.runs.filter(status__in=ACTIVE_SYNC_STATUSES).get()
        run_id = run.pk

        transaction.on_commit(lambda: task_named("recall.sources.tasks.sync_source").delay(run_id))
    return run


def sources_sync_due(*, now: Any = None) -> list[int]:
    """Periodic: queue a sync of every enabled source whose interval has passed."""
    now = now or timezone.now()
    _fail_stuck_runs(now)
    queued = []
    for source in Source.objects.filter(enabled=True).annotate(last_run=Max("runs__created_at")):
        last = source.last_run  # type: ignore[attr-defined]
        if last is None or (now - last).total_seconds() >= source.interval_minutes * 60:
            run = sync_request(source=source, trigger=SyncTrigger.SCHEDULE)
            queued.append(run.pk)
    return queued


def _fail_stuck_runs(now: Any) -> None:
    # A worker killed mid-sync leaves a run "running" for ever, which would block the source.
    limit = now - timedelta(seconds=int(settings.RECALL_SOURCE_TIMEOUT) * 3 + 600)
    for run_id in SyncRun.objects.filter(
        status__in=ACTIVE_SYNC_STATUSES, created_at__lt=limit
    ).values_list("pk", flat=True):
        sync_mark_failed(run_id=run_id, message="the sync did not finish; it will be retried")


# ---------------------------------------------------------------------------------------------
# Running a sync


@dataclass
class _Outcome:
    files: list[dict[str, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    archived: int = 0
    unchanged: int = 0
    decks_archived: int = 0
    deck_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sync_run(*, run_id: int) -> SyncRun | None:
    """Run a queued sync once (a second delivery finds it claimed and does nothing)."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncStatus.PENDING).update(
        status=SyncStatus.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    run = SyncRun.objects.select_related("source__owner", "job").get(pk=run_id)
    source = run.source
    if run.job is not None:
        run.job.status = JobStatus.RUNNING
        run.job.save(update_fields=["status", "updated_at"])
        publish_job(run.job)
    try:
        secret = decrypt_secret(source.credential_encrypted)
        with open_snapshot(source, secret=secret) as snapshot, transaction.atomic():
            outcome = _apply(source, snapshot, run.job)
    except ApplicationError as exc:
        return _finish_failed(run, exc.message)
    except SoftTimeLimitExceeded:
        return _finish_failed(run, "the sync took too long and was stopped")
    except Exception:
        logger.exception("sync %s of source %s failed", run_id, source.pk)
        return _finish_failed(run, "the sync failed because of an internal error")
    return _finish_succeeded(run, snapshot.commit, outcome)


def _apply(source: Source, snapshot: Snapshot, job: Job | None) -> _Outcome:
    """Import what changed since the files were last imported; one transaction, by the caller."""
    stored = {f.path: f for f in source.files.select_related("deck")}
    current = snapshot.files
    live = {p: f for p, f in stored.items() if not f.removed}
    gone = sorted(p for p in live if p not in current)
    new = sorted(p for p in current if p not in live)
    changed = sorted(
        p
        for p in current
        if p in live and (live[p].blob_sha != current[p] or live[p].deck_id is None)
    )
    renames = _pair_renames(gone, new, live, current)
    outcome = _Outcome()
    todo = [*new, *changed]
    progress = JobProgress(job) if job is not None else None
    for done, path in enumerate(todo, start=1):
        old_path = renames.get(path)
        record = live.get(old_path) if old_path else stored.get(path)
        if old_path and path in stored:
            stored[path].delete()  # an older, removed record of this path gives way
        _import_file(source, snapshot, path, record, outcome)
        if old_path:
            change = {"path": path, "change": "renamed", "old_path": old_path}
        else:
            change = {"path": path, "change": "modified" if path in live else "added"}
        outcome.files.append(change)
        if progress is not None:
            progress(done, len(todo) + 1)
    for path in gone:
        if path in renames.values():
            continue
        record = live[path]
        record.removed = True
        record.save(update_fields=["removed"])
        if record.deck is not None:
            outcome.archived += deck_archive_cards(deck=record.deck)
            outcome.decks_archived += 1
        outcome.files.append({"path": path, "change": "removed"})
    return outcome


def _pair_renames(
    gone: list[str], new: list[str], live: dict[str, SourceFile], current: dict[str, str]
) -> dict[str, str]:
    """new path -> old path: same content first, then the same file name in another folder."""
    renames: dict[str, str] = {}
    left = list(gone)
    for path in new:
        match = next((old for old in left if live[old].blob_sha == current[path]), None)
        if match is None:
            name = PurePosixPath(path).name
            same = [old for old in left if PurePosixPath(old).name == name]
            match = same[0] if len(same) == 1 else None
        if match is not None:
            renames[path] = match
            left.remove(match)
    return renames


def _import_file(
    source: Source,
    snapshot: Snapshot,
    path: str,
    record: SourceFile | None,
    outcome: _Outcome,
) -> None:
    data = snapshot.read(path)
    deck = record.deck if record is not None else None
    if deck is None:
        deck = _deck_for_new_file(source, path)
    try:
        summary = notes_import(
            owner=source.owner,
            filename=path,
            data=data,
            deck_slug=deck.slug if deck else None,
            # All of them: a setting the source dropped must not live on in its decks' memory.
            options=import_options_complete(source.import_options),
        )
    except ImportRejected as exc:
        # One unreadable file must not hold the others back: it is reported and left as it was.
        outcome.warnings.append(exc.message)
        return
    outcome.created += summary.created
    outcome.updated += summary.updated
    outcome.archived += summary.archived
    outcome.unchanged += summary.unchanged
    outcome.deck_ids.extend(summary.deck_ids)
    outcome.warnings.extend(summary.warnings)
    # Lines that looked like cards but were not taken: in the sync's history, never silent.
    outcome.warnings.extend(skipped_line_warnings(summary.as_dict()))
    if record is None:
        record = SourceFile(source=source)
    record.path = path
    record.deck_id = summary.deck_ids[0] if summary.deck_ids else None
    record.blob_sha = snapshot.files[path]
    record.commit = snapshot.commit
    record.content = data.decode("utf-8", "replace")
    record.removed = False
    record.save()


def _deck_for_new_file(source: Source, path: str) -> Deck | None:
    """None lets the import find or create the deck by file name, as a .zip import does;
    a deck of that name already fed by another source gets a sibling of its own."""
    taken = Deck.objects.filter(owner_id=source.owner_id, source_name=path[:255]).filter(
        source_files__isnull=False
    )
    if not taken.exists():
        return None
    return deck_create(owner=source.owner, title=f"{source.name}: {path}"[:200], source_name=path)


def _finish_succeeded(run: SyncRun, commit: str, outcome: _Outcome) -> SyncRun:
    now = timezone.now()
    run.status, run.commit, run.finished_at = SyncStatus.SUCCEEDED, commit, now
    run.files_changed = outcome.files
    run.created, run.updated, run.archived = outcome.created, outcome.updated, outcome.archived
    run.unchanged, run.decks_archived = outcome.unchanged, outcome.decks_archived
    run.warnings = outcome.warnings
    run.save()
    Source.objects.filter(pk=run.source_id).update(
        last_commit=commit, last_synced_at=now, last_error="", updated_at=now
    )
    if run.job is not None:
        job = run.job
        job.status, job.finished_at = JobStatus.SUCCEEDED, now
        job.progress = job.total = max(job.total, 1)
        job.message = (
            f"{run.source.name} @ {commit[:10]}: {len(outcome.files)} files changed, "
            f"{outcome.created} created, {outcome.updated} updated, {outcome.archived} archived"
        )
        job.result = {
            "commit": commit,
            "files": outcome.files,
            "created": outcome.created,
            "updated": outcome.updated,
            "archived": outcome.archived,
            "unchanged": outcome.unchanged,
            "deck_ids": outcome.deck_ids,
            "warnings": outcome.warnings,
        }
        job.save()
        publish_job(job)
    return run


def _finish_failed(run: SyncRun, message: str) -> SyncRun:
    now = timezone.now()
    run.status, run.error, run.finished_at = SyncStatus.FAILED, message, now
    run.save(update_fields=["status", "error", "finished_at", "updated_at"])
    # The decks keep the last good state; the source shows why this sync failed.
    Source.objects.filter(pk=run.source_id).update(last_error=message, updated_at=now)
    if run.job is not None:
        Job.objects.filter(pk=run.job.pk).update(
            status=JobStatus.FAILED, message=message, finished_at=now, updated_at=now
        )
        run.job.refresh_from_db()
        publish_job(run.job)
    return run


def sync_mark_failed(*, run_id: int, message: str) -> None:
    """Give up on a sync that cannot run (worker lost, retries spent)."""
    run = SyncRun.objects.select_related("source", "job").filter(pk=run_id).first()
    if run is not None and run.is_active:
        _finish_failed(run, message)
