"""Index sync: card signals and bulk imports reach the index after commit, one batch each."""

from __future__ import annotations

import pytest
from django.db import transaction

from recall.decks.models import Note, Visibility
from recall.decks.signals import notes_bulk_changed
from recall.search import receivers, tasks
from recall.search.selectors import search_cards
from tests.factories import NoteFactory


@pytest.fixture
def task_calls(monkeypatch):
    """Records every index/remove task sent, and still runs it (eagerly)."""
    calls: list[tuple[str, list[int]]] = []
    for name in ("index_cards", "remove_cards", "refresh_decks"):
        task = getattr(tasks, name)
        original = task.delay

        def delay(ids, _name=name, _original=original):
            calls.append((_name, list(ids)))
            return _original(ids)

        monkeypatch.setattr(task, "delay", delay)
    return calls


@pytest.fixture(autouse=True)
def _fresh_batch(indexed):
    # The test transaction never commits, so ids the fixtures scheduled are dropped here,
    # as a real commit would have sent them.
    receivers._state.pending = None


def found(user, query: str) -> set[int]:
    return {h.card_id for h in search_cards(user=user, query=query).hits}


def test_saved_card_is_searchable_after_commit(
    indexed, django_capture_on_commit_callbacks, task_calls
):
    with django_capture_on_commit_callbacks(execute=True):
        card = NoteFactory(deck=indexed.django, question="What is a queryset?", answer="Lazy.")
        assert card.pk not in found(indexed.alice, "queryset")  # not before commit
    assert found(indexed.alice, "queryset") == {card.pk}
    assert task_calls == [("index_cards", [card.pk])]


def test_edited_card_is_reindexed(indexed, django_capture_on_commit_callbacks):
    card = indexed.cards["middleware"]
    with django_capture_on_commit_callbacks(execute=True):
        card.answer = "Hooks, also called interceptors."
        card.save()
    assert found(indexed.alice, "interceptors") == {card.pk}


def test_deleted_card_leaves_the_index(indexed, django_capture_on_commit_callbacks, task_calls):
    card = indexed.cards["middleware"]
    card_id = card.pk
    with django_capture_on_commit_callbacks(execute=True):
        card.delete()
    assert found(indexed.alice, "middleware") == set()
    assert task_calls == [("remove_cards", [card_id])]


def test_archiving_a_card_removes_it(indexed, django_capture_on_commit_callbacks):
    card = indexed.cards["asgi"]
    with django_capture_on_commit_callbacks(execute=True):
        card.is_archived = True
        card.save()
    assert found(indexed.alice, "asgi.py") == set()


def test_changes_in_one_transaction_are_sent_as_one_task(
    indexed, django_capture_on_commit_callbacks, task_calls
):
    with django_capture_on_commit_callbacks(execute=True):
        cards = [
            NoteFactory(deck=indexed.django, question=f"Batch {i}", answer="b") for i in range(20)
        ]
    assert task_calls == [("index_cards", sorted(c.pk for c in cards))]
    assert search_cards(user=indexed.alice, query="batch").total == 20


def test_deleting_a_deck_removes_its_cards_in_one_task(
    indexed, django_capture_on_commit_callbacks, task_calls
):
    ids = sorted(indexed.django.notes.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        indexed.django.delete()
    assert task_calls == [("remove_cards", ids)]
    assert found(indexed.alice, "select_related") == set()


def test_bulk_import_signal_indexes_in_one_task(
    indexed, django_capture_on_commit_callbacks, task_calls
):
    archived = indexed.cards["view"]
    with django_capture_on_commit_callbacks(execute=True):
        created = Note.objects.bulk_create(
            [
                Note(deck=indexed.django, position=100 + i, question=f"Imported {i}", answer="bulk")
                for i in range(50)
            ]
        )
        Note.objects.filter(pk=archived.pk).update(is_archived=True)
        notes_bulk_changed.send(
            sender=Note,
            deck_id=indexed.django.pk,
            note_ids=[c.pk for c in created],
            archived_ids=[archived.pk],
        )
    assert len(task_calls) == 1
    name, ids = task_calls[0]
    assert name == "index_cards" and len(ids) == 51
    assert search_cards(user=indexed.alice, query="imported", page_size=100).total == 50
    assert found(indexed.alice, '"class based view"') == set()


def test_rolled_back_changes_are_not_sent(indexed, django_capture_on_commit_callbacks, task_calls):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                NoteFactory(deck=indexed.django, question="Rolled back", answer="x")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        kept = NoteFactory(deck=indexed.django, question="Kept card", answer="x")
    # The rolled-back card's id may ride along; indexing a missing card only removes it.
    assert task_calls[-1][0] == "index_cards" and kept.pk in task_calls[-1][1]
    assert search_cards(user=indexed.alice, query="rolled").total == 0
    assert found(indexed.alice, "kept") == {kept.pk}


def test_visibility_change_reaches_search_after_commit(
    indexed, search_backend, task_calls, django_capture_on_commit_callbacks
):
    init = indexed.cards["init"].pk
    with django_capture_on_commit_callbacks(execute=True):
        indexed.python.visibility = Visibility.PUBLIC
        indexed.python.save()
    if search_backend.denormalises_decks:
        # PostgreSQL (access lexemes) and Elasticsearch keep copies: one refresh task.
        assert task_calls == [("refresh_decks", [indexed.python.pk])]
    else:
        assert task_calls == []  # SQLite joins the decks when searching
    assert found(indexed.bob, "__init__") == {init}
    with django_capture_on_commit_callbacks(execute=True):
        indexed.python.visibility = Visibility.PRIVATE
        indexed.python.save()
    assert found(indexed.bob, "__init__") == set()
    assert found(indexed.alice, "__init__") == {init}
