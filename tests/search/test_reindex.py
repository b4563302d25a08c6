"""Rebuilding the index: the management command and the reindex task with its Job."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recall.core import progress
from recall.jobs.models import Job, JobKind, JobStatus
from recall.search import services, tasks
from recall.search.selectors import search_cards
from tests.search.conftest import use_backend


def wipe(backend, corpus):
    backend.remove([c.pk for c in corpus.cards.values()])
    assert search_cards(user=corpus.alice, query="select_related").total == 0


def test_command_rebuilds_the_index(corpus, search_backend):
    wipe(search_backend, corpus)
    out, err = StringIO(), StringIO()
    call_command("search_reindex", stdout=out, stderr=err)
    assert f"{len(corpus.cards)} cards indexed ({search_backend.name})" in out.getvalue()
    assert "Indexing" in err.getvalue()  # the tqdm bar
    assert search_cards(user=corpus.alice, query="select_related").total == 1


def test_reindex_task_reports_progress_on_its_job(corpus, search_backend, monkeypatch):
    published: list[dict] = []
    monkeypatch.setattr(
        progress, "publish_job_progress", lambda job_id, payload: published.append(payload)
    )
    wipe(search_backend, corpus)
    job = services.reindex_job_create(owner=corpus.alice)
    assert tasks.reindex_all.delay(job.pk).get() == len(corpus.cards)
    job.refresh_from_db()
    assert job.kind == JobKind.REINDEX
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == job.total == len(corpus.cards)
    assert job.result == {"indexed": len(corpus.cards)}
    assert job.finished_at is not None
    assert published[0]["status"] == JobStatus.RUNNING
    assert published[-1]["status"] == JobStatus.SUCCEEDED
    assert search_cards(user=corpus.alice, query="select_related").total == 1


def test_a_finished_reindex_job_is_not_run_again(corpus, search_backend):
    job = services.reindex_job_create(owner=corpus.alice)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    wipe(search_backend, corpus)
    assert tasks.reindex_all(job.pk) == 0
    assert search_cards(user=corpus.alice, query="select_related").total == 0


def test_reindex_without_a_job(corpus, search_backend):
    wipe(search_backend, corpus)
    assert tasks.reindex_all() == len(corpus.cards)


@pytest.mark.parametrize(
    "backend_name", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_failing_rebuild_marks_the_job_failed(corpus, settings, monkeypatch, backend_name):
    backend = use_backend(backend_name, settings)

    def broken(progress=None, failures=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(backend, "rebuild", broken)
    job = services.reindex_job_create(owner=corpus.alice)
    tasks.reindex_all(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "could not be rebuilt" in job.message
