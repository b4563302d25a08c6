"""Issue 19, item 7: one large card cannot break PostgreSQL indexing.

A 2.2 MB answer of distinct words made PostgreSQL refuse the tsvector ("string is too long
for tsvector"), the index task dropped its whole batch, and search_reindex crashed. Now a
card is indexed on its first MAX_INDEXED_BYTES, a refused batch is retried card by card,
and a rebuild names the refused card and goes on.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from recall.decks.models import Visibility
from recall.jobs.models import Job, JobStatus
from recall.search import receivers, services, tasks
from recall.search.backends import get_backend, pg_words, postgres
from recall.search.base import IndexFailure, IndexWriteError
from recall.search.selectors import search_cards
from tests.factories import DeckFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.postgres

FIRST, LAST = "zygomorphic", "xylophonist"


def distinct_words(size: int) -> str:
    """About ``size`` bytes of distinct six-letter words (the worst case for a tsvector)."""
    words = []
    length = 0
    i = 0
    while length < size:
        n, letters = i, []
        for _ in range(6):
            n, r = divmod(n, 26)
            letters.append(chr(97 + r))
        word = "".join(letters)
        words.append(word)
        length += len(word) + 1
        i += 1
    return " ".join(words)


@pytest.fixture
def owner(settings, db):
    settings.SEARCH_BACKEND = "postgres"
    receivers._state.pending = None  # ids a previous test left uncommitted
    return UserFactory(username="alice")


@pytest.fixture
def big_answer() -> str:
    text = f"{FIRST} {distinct_words(2_200_000)} {LAST}"
    assert len(text.encode()) > 2_200_000
    return text


def found(user, query: str) -> set[int]:
    return {h.card_id for h in search_cards(user=user, query=query).hits}


def test_a_2_mb_answer_is_indexed_on_its_first_part(
    owner, big_answer, django_capture_on_commit_callbacks
):
    deck = DeckFactory(owner=owner, visibility=Visibility.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        big = NoteFactory(deck=deck, question="The long one", answer=big_answer)
        small = NoteFactory(deck=deck, question="The short one", answer=f"{FIRST} too.")
    # Both cards of the batch are searchable; the big one by the words of its first part.
    assert found(owner, FIRST) == {big.pk, small.pk}
    assert found(owner, LAST) == set()  # beyond MAX_INDEXED_BYTES: documented, not an error
    # The search page headlines only the indexed part, and answers.
    hit = next(h for h in search_cards(user=owner, query=FIRST).hits if h.card_id == big.pk)
    assert FIRST in hit.answer_snippet


@pytest.fixture
def refusing_index(monkeypatch):
    """Lift the size limit, so PostgreSQL refuses the big card as it did before the fix."""
    monkeypatch.setattr(pg_words, "MAX_INDEXED_BYTES", 10**9)
    monkeypatch.setattr(postgres, "HEADLINE_CHARS", 10**9)


def test_a_refused_card_costs_only_itself(owner, big_answer, refusing_index):
    deck = DeckFactory(owner=owner)
    big = NoteFactory(deck=deck, question="The long one", answer=big_answer)
    smalls = [NoteFactory(deck=deck, question=f"Short {i}", answer=FIRST) for i in range(3)]
    ids = [big.pk, *(c.pk for c in smalls)]
    failures: list[IndexFailure] = []
    assert get_backend().index(ids, failures) == 3
    assert [f.card_id for f in failures] == [big.pk]
    assert "tsvector" in failures[0].reason
    assert found(owner, FIRST) == {c.pk for c in smalls}
    # The index task is not told "done": it fails, naming the card, after indexing the rest.
    get_backend().remove(ids)
    with pytest.raises(IndexWriteError, match=str(big.pk)):
        tasks.index_cards(ids)
    assert found(owner, FIRST) == {c.pk for c in smalls}


def test_search_reindex_reports_the_refused_card_and_goes_on(owner, big_answer, refusing_index):
    deck = DeckFactory(owner=owner)
    big = NoteFactory(deck=deck, question="The long one", answer=big_answer)
    smalls = [NoteFactory(deck=deck, question=f"Short {i}", answer=FIRST) for i in range(3)]
    out, err = StringIO(), StringIO()
    call_command("search_reindex", "--no-progress", stdout=out, stderr=err)
    assert "3 cards indexed (postgres)" in out.getvalue()
    assert "1 notes could not be indexed" in out.getvalue()
    assert f"Note {big.pk} could not be indexed" in err.getvalue()
    assert found(owner, FIRST) == {c.pk for c in smalls}
    # The reindex job says so too, and still succeeds for everyone else's cards.
    job = services.reindex_job_create(owner=owner)
    assert tasks.reindex_all(job.pk) == 3
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"indexed": 3, "failed": [big.pk]}
    assert str(big.pk) in job.message


def test_search_reindex_indexes_a_big_card_within_the_limit(owner, big_answer):
    big = NoteFactory(deck=DeckFactory(owner=owner), question="The long one", answer=big_answer)
    out, err = StringIO(), StringIO()
    call_command("search_reindex", "--no-progress", stdout=out, stderr=err)
    assert "1 cards indexed (postgres)" in out.getvalue()
    assert "could not be indexed" not in out.getvalue() + err.getvalue()
    assert found(owner, FIRST) == {big.pk}
