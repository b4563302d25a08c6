"""The beat schedule: the periodic task exists and queues only the sources that are due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from recall.sources import services
from recall.sources.models import SyncRun, SyncStatus, SyncTrigger
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_migration_schedules_the_sync_task_every_minute():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="recall.sources.tasks.sync_due_sources")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"


def test_only_due_enabled_sources_are_queued(repo, django_capture_on_commit_callbacks):
    owner = UserFactory()
    due = services.source_create(owner=owner, name="due", url=repo.url, interval_minutes=15)
    fresh = services.source_create(owner=owner, name="fresh", url=repo.url, interval_minutes=15)
    services.source_create(owner=owner, name="off", url=repo.url, enabled=False)
    now = timezone.now()
    old = SyncRun.objects.create(source=due, status=SyncStatus.SUCCEEDED)
    SyncRun.objects.filter(pk=old.pk).update(created_at=now - timedelta(minutes=16))
    recent = SyncRun.objects.create(source=fresh, status=SyncStatus.SUCCEEDED)
    SyncRun.objects.filter(pk=recent.pk).update(created_at=now - timedelta(minutes=5))

    with django_capture_on_commit_callbacks(execute=False):
        queued = services.sources_sync_due(now=now)

    runs = SyncRun.objects.filter(pk__in=queued)
    assert {r.source.name for r in runs} == {"due"}
    assert all(r.trigger == SyncTrigger.SCHEDULE for r in runs)


def test_a_stuck_run_is_failed_so_the_source_syncs_again(repo, django_capture_on_commit_callbacks):
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    stuck = SyncRun.objects.create(source=source, status=SyncStatus.RUNNING)
    SyncRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=False):
        queued = services.sources_sync_due()
    stuck.refresh_from_db()
    assert stuck.status == SyncStatus.FAILED
    assert len(queued) == 1 and queued[0] != stuck.pk
