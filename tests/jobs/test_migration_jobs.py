"""jobs 0001: Job moves from decks to jobs with its rows, ids and links, and no data copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from recall.decks.models import Deck
from recall.jobs.models import Job
from recall.sources.models import SyncRun

# Just before the move: decks.Job as its last decks migration (0008) left it.
DECKS_BEFORE = ("decks", "0009_note_context")
SOURCES_BEFORE = ("sources", "0003_source_import_options")
BEFORE = [("jobs", None), DECKS_BEFORE, SOURCES_BEFORE]


def _apps_before(executor: MigrationExecutor) -> Any:
    return executor.loader.project_state([DECKS_BEFORE, SOURCES_BEFORE]).apps


@pytest.mark.django_db(transaction=True)
def test_job_rows_move_to_jobs_with_their_deck_and_sync_run() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = _apps_before(executor)
        user = apps.get_model("accounts", "User").objects.create(username="alice")
        deck = apps.get_model("decks", "Deck").objects.create(owner=user, title="D", slug="d")
        old_job = apps.get_model("decks", "Job").objects.create(
            owner=user,
            deck=deck,
            filename="d.md",
            status="succeeded",
            result={"created": 3},
            import_options={"inline_separator": ":="},
        )
        source = apps.get_model("sources", "Source").objects.create(
            owner=user, name="notes", kind="folder", url="notes"
        )
        run = apps.get_model("sources", "SyncRun").objects.create(source=source, job=old_job)
        tables_before = connection.introspection.table_names()
        assert "decks_job" in tables_before and "jobs_job" not in tables_before
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    tables = connection.introspection.table_names()
    assert "jobs_job" in tables and "decks_job" not in tables
    job = Job.objects.get(pk=old_job.pk)
    assert (job.owner_id, job.deck_id, job.filename) == (user.pk, deck.pk, "d.md")
    assert (job.status, job.result) == ("succeeded", {"created": 3})
    assert job.import_options == {"inline_separator": ":="}
    assert SyncRun.objects.get(pk=run.pk).job_id == job.pk
    # The sync run's foreign key follows the renamed table (checked by the database).
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "sources_syncrun")
    targets = {c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}
    assert "jobs_job" in targets and "decks_job" not in targets

    # The deck id is a plain column now; deleting the deck clears it, as SET_NULL did.
    Deck.objects.get(pk=deck.pk).delete()
    job.refresh_from_db()
    assert job.deck_id is None
