"""Issue 19, item 2: an import locks its job row only, never its owner's user row.

Deterministic, not timed: while the import holds its lock (inside the run, before its
transaction commits), another connection writes as that user with a lock_timeout, so a
write that would have to wait fails at once instead of passing late.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, connections, transaction

from recall.accounts.models import User
from recall.decks import services
from recall.decks.models import Deck, Tag
from recall.jobs.models import Job, JobStatus

NOTES = "# Python\n\n## What is a list?\n\nA mutable sequence.\n\n## What is a tuple?\n\nFixed.\n"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writes_by_the_owner_do_not_wait_for_a_running_import(monkeypatch):
    owner = User.objects.create_user(username="importer")
    # Created directly: job_create_import would run it at once (eager Celery, real commits).
    job = Job(owner=owner, filename="notes.md")
    job.upload.save("notes.md", ContentFile(NOTES.encode()))
    outcome: dict[str, Any] = {}

    def write_as_the_owner() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '300ms'")
                # The job row itself stays locked: a second run of the job must wait.
                try:
                    with transaction.atomic():
                        list(Job.objects.select_for_update(nowait=True).filter(pk=job.pk))
                    outcome["job_locked"] = False
                except DatabaseError:
                    outcome["job_locked"] = True
                User.objects.filter(pk=owner.pk).update(first_name="Still here")
                services.deck_create(owner=owner, title="Written meanwhile")
                services.tag_create(owner=owner, name="meanwhile")
            outcome["written"] = True
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            outcome["error"] = exc
        finally:
            connections.close_all()

    real_import = services.notes_import

    def import_then_write(**kwargs: Any) -> services.ImportSummary:
        summary = real_import(**kwargs)  # its rows are written, not yet committed
        writer = threading.Thread(target=write_as_the_owner)
        writer.start()
        writer.join(timeout=30)
        return summary

    monkeypatch.setattr(services.jobs, "notes_import", import_then_write)
    services.job_run_import(job_id=job.pk)

    assert outcome.get("error") is None
    assert outcome == {"job_locked": True, "written": True}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert User.objects.get(pk=owner.pk).first_name == "Still here"
    assert sorted(Deck.objects.filter(owner=owner).values_list("title", flat=True)) == [
        "Python",
        "Written meanwhile",
    ]
    assert Tag.objects.filter(owner=owner, name="meanwhile").exists()
