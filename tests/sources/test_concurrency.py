"""Two "sync now" at the same moment, in two database sessions: one sync is queued."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from recall.sources import services, tasks
from recall.sources.models import SyncRun
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_sync_requests_queue_one_run(repo, monkeypatch):
    source = services.source_create(owner=UserFactory(), name="n", url=repo.url)
    queued: list[int] = []
    monkeypatch.setattr(tasks.sync_source, "delay", queued.append)
    start = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def click() -> None:
        try:
            start.wait()
            results.append(services.sync_request(source=source).pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results) == 4 and len(set(results)) == 1
    assert SyncRun.objects.count() == 1
    assert queued == results[:1]
