"""Jobs below decks: a job's deck is a plain id, cleared with the deck; each job is its owner's."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from recall.jobs.models import Job, JobStatus
from recall.jobs.selectors import job_snapshot, jobs_owned_by
from tests.factories import DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_snapshot_links_the_deck_by_its_id_and_deleting_the_deck_clears_it():
    deck: Any = DeckFactory()
    job = Job.objects.create(owner=deck.owner, deck_id=deck.pk, status=JobStatus.SUCCEEDED)
    state = job_snapshot(job)
    assert state["deck"] == deck.pk
    assert state["deck_url"] == reverse("decks:deck-detail", kwargs={"pk": deck.pk})
    assert state["finished"] is True

    deck.delete()
    job.refresh_from_db()
    assert job.deck_id is None
    assert job_snapshot(job)["deck_url"] == ""


def test_a_user_sees_only_their_own_jobs():
    alice: Any = UserFactory()
    bob: Any = UserFactory()
    mine = Job.objects.create(owner=alice, filename="a.md")
    Job.objects.create(owner=bob, filename="b.md")
    assert list(jobs_owned_by(alice)) == [mine]
    assert not jobs_owned_by(None).exists()
