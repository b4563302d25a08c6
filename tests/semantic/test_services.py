"""Embeddings per note (recall/semantic/services.py, receivers.py, tasks.py): stored after an
edit or an import, recomputed only when the text changes, a no-op without the extra."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recall.decks.signals import notes_changed
from recall.jobs.models import Job, JobStatus
from recall.semantic import services, tasks
from recall.semantic.models import NoteEmbedding
from recall.semantic.vectors import unpack
from tests.factories import DeckFactory, NoteFactory

from .conftest import CountingEncoder, word_vector

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_saved_note_gets_its_embedding_after_commit(
    encoder: CountingEncoder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note: Any = NoteFactory(
            question="What is the GIL?", answer="A lock around the interpreter."
        )
    stored = NoteEmbedding.objects.get(note=note)
    assert unpack(stored.vector) == pytest.approx(
        word_vector("What is the GIL?\nA lock around the interpreter."), abs=1e-6
    )


def test_only_a_changed_text_is_encoded_again(
    encoder: CountingEncoder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note: Any = NoteFactory(question="What is a view?", answer="A callable.")
    first = NoteEmbedding.objects.get(note=note)
    assert encoder.encoded == 1
    with django_capture_on_commit_callbacks(execute=True):
        note.position = 9  # not part of the embedded text
        note.save()
    assert encoder.encoded == 1
    with django_capture_on_commit_callbacks(execute=True):
        note.answer = "A callable taking a request and returning a response."
        note.save()
    assert encoder.encoded == 2
    second = NoteEmbedding.objects.get(note=note)
    assert second.text_hash != first.text_hash
    assert bytes(second.vector) != bytes(first.vector)


def test_the_task_is_idempotent(encoder: CountingEncoder):
    notes = NoteFactory.create_batch(3)
    ids = [n.pk for n in notes]
    assert tasks.embed_notes.delay(ids).get() == {"encoded": 3, "unchanged": 0, "removed": 0}
    assert tasks.embed_notes.delay(ids).get() == {"encoded": 0, "unchanged": 3, "removed": 0}
    assert NoteEmbedding.objects.filter(note_id__in=ids).count() == 3
    assert encoder.encoded == 3


def test_an_archived_note_loses_its_embedding(encoder: CountingEncoder):
    note: Any = NoteFactory()
    services.embed_notes(note_ids=[note.pk])
    note.is_archived = True
    note.save(update_fields=["is_archived"])
    assert services.embed_notes(note_ids=[note.pk]).removed == 1
    assert not NoteEmbedding.objects.filter(note=note).exists()


def test_an_import_sized_batch_runs_as_a_job_with_progress(
    encoder: CountingEncoder, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "JOB_THRESHOLD", 3)
    monkeypatch.setattr(services, "EMBED_BATCH", 2)
    deck: Any = DeckFactory()
    notes = NoteFactory.create_batch(5, deck=deck)
    NoteEmbedding.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        notes_changed(deck_id=deck.pk, note_ids=[n.pk for n in notes])
    job = Job.objects.get(kind=services.EMBED_JOB_KIND)
    assert job.owner_id == deck.owner_id and job.deck_id == deck.pk
    assert job.status == JobStatus.SUCCEEDED
    assert (job.progress, job.total) == (5, 5)
    assert job.result == {"encoded": 5, "unchanged": 0, "removed": 0}
    assert NoteEmbedding.objects.filter(note__deck=deck).count() == 5
    assert len(encoder.calls) == 3  # batches of two


def test_nothing_happens_without_the_extra(
    semantic_off, settings, django_capture_on_commit_callbacks
):
    settings.SEMANTIC_EMBED_ON_CHANGE = True
    with django_capture_on_commit_callbacks(execute=True):
        note: Any = NoteFactory()
    assert services.embed_notes(note_ids=[note.pk]).as_dict() == {
        "encoded": 0,
        "unchanged": 0,
        "removed": 0,
    }
    assert not NoteEmbedding.objects.exists()
    with pytest.raises(CommandError, match="semantic"):
        call_command("semantic_embed", "--no-progress")


def test_the_command_embeds_every_live_note_once(encoder: CountingEncoder):
    NoteFactory.create_batch(4)
    NoteFactory(is_archived=True)
    out = StringIO()
    call_command("semantic_embed", "--no-progress", stdout=out)
    assert "4 notes embedded, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("semantic_embed", "--no-progress", stdout=out)
    assert "0 notes embedded, 4 unchanged" in out.getvalue()
    assert NoteEmbedding.objects.count() == 4
