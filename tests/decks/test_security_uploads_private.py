"""An import's upload is served to nobody while its job runs, in the local profile too.

The local profile (DEBUG) serves MEDIA_ROOT under /media/; uploads used to be stored
there (``imports/...``) and could be read anonymously by path until the job finished.
They are stored outside MEDIA_ROOT now.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import clear_url_caches

import config.urls
from recall.core.storage import PrivateUploadStorage
from recall.decks.models import Deck
from recall.decks.services import job_create_import, job_run_import
from recall.jobs.models import Job, JobStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTES = b"# Secrets\n\n## What is the launch code?\n\n0000, as always.\n"


@pytest.fixture
def local_profile_urls(settings) -> Iterator[None]:
    """config.urls as the local profile builds it: DEBUG on, so MEDIA_ROOT is served."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def pending_job() -> Job:
    """An import stored but not run yet (its task is queued after the test's commit)."""
    upload = SimpleUploadedFile("secrets.md", NOTES, content_type="text/markdown")
    job = job_create_import(owner=UserFactory(), uploaded_file=upload)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    return job


def test_the_local_profile_still_serves_media_files(local_profile_urls, settings):
    # The control: without it, a 404 below could mean media are not served at all.
    public = Path(settings.MEDIA_ROOT) / "anki" / "picture.txt"
    public.parent.mkdir(parents=True)
    public.write_bytes(b"a card's picture")
    response = Client().get("/media/anki/picture.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a card's picture"


def test_a_pending_upload_is_not_under_media_root_and_not_served(
    local_profile_urls, settings, pending_job
):
    client = Client()
    for path in (pending_job.upload.url, f"/media/{pending_job.upload.name}"):
        assert path.startswith("/media/imports/")
        response = client.get(path)
        assert response.status_code == 404, path
    assert Job.objects.filter(pk=pending_job.pk).exists()
    stored = Path(pending_job.upload.path)
    assert stored.read_bytes() == NOTES
    assert Path(settings.MEDIA_ROOT).resolve() not in stored.resolve().parents


def test_the_job_still_reads_its_private_upload_and_then_deletes_it(
    pending_job, django_capture_on_commit_callbacks
):
    stored = Path(pending_job.upload.path)
    with django_capture_on_commit_callbacks(execute=True):
        job_run_import(job_id=pending_job.pk)
    job: Any = Job.objects.get(pk=pending_job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Deck.objects.get(pk=job.deck_id).cards.get().question == "What is the launch code?"
    assert not stored.exists()
    assert job.upload.name == ""


def test_an_upload_root_inside_media_root_is_refused(settings, tmp_path):
    settings.RECALL_UPLOAD_ROOT = str(Path(settings.MEDIA_ROOT) / "private")
    with pytest.raises(ImproperlyConfigured):
        _ = PrivateUploadStorage().location
    settings.RECALL_UPLOAD_ROOT = str(tmp_path / "elsewhere")
    assert PrivateUploadStorage().location == str(tmp_path / "elsewhere")
