"""Elasticsearch: the dense_vector field, the documents that carry it and the knn request,
checked as the pure builders they are (no server here, like tests/search's builder tests)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from recall.search.backends.elasticsearch import (
    build_knn_body,
    bulk_actions,
    index_definition,
    parse_knn_response,
    visibility_filter,
)
from recall.search.base import SearchFilters
from recall.semantic.services import embed_notes
from tests.factories import NoteFactory, UserFactory

from .conftest import CountingEncoder, word_vector


def test_the_mapping_has_a_dense_vector_of_the_models_size():
    field = index_definition()["mappings"]["properties"]["embedding"]
    assert field == {
        "type": "dense_vector",
        "dims": 384,
        "index": True,
        "similarity": "dot_product",
    }


@pytest.mark.django_db
def test_a_knn_request_keeps_to_what_the_user_may_find():
    user = UserFactory()
    filters = SearchFilters(user=user, deck_slugs=("django",), tags=("ORM",))
    body = build_knn_body([0.5] * 384, filters, k=30)
    knn = body["knn"]
    assert knn["field"] == "embedding" and knn["k"] == 30 and knn["num_candidates"] >= 30
    assert visibility_filter(user) in knn["filter"]
    assert {"terms": {"deck_slug": ["django"]}} in knn["filter"]
    assert {"term": {"tags": "orm"}} in knn["filter"]
    anonymous = build_knn_body([0.5] * 384, SearchFilters(user=AnonymousUser()), k=5)
    assert anonymous["knn"]["filter"] == [visibility_filter(AnonymousUser())]


def test_knn_scores_become_cosine_similarities():
    response = {"hits": {"hits": [{"_id": "7", "_score": 0.9}, {"_id": "3", "_score": 0.5}]}}
    assert parse_knn_response(response) == [(7, pytest.approx(0.8)), (3, pytest.approx(0.0))]


@pytest.mark.django_db
def test_documents_carry_the_embedding_when_the_note_has_one(encoder: CountingEncoder):
    with_vector = NoteFactory(question="Celery beat", answer="periodic tasks")
    without = NoteFactory()
    embed_notes(note_ids=[with_vector.pk])
    docs = {a["_id"]: a["_source"] for a in bulk_actions("idx", [with_vector.pk, without.pk])}
    assert docs[with_vector.pk]["embedding"] == pytest.approx(
        word_vector("Celery beat\nperiodic tasks"), abs=1e-6
    )
    assert "embedding" not in docs[without.pk]


@pytest.mark.django_db
def test_changed_embeddings_reindex_an_elasticsearch_index(
    encoder: CountingEncoder, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from recall.search import tasks as search_tasks

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEMANTIC_EMBED_ON_CHANGE = False  # only the embedding run below
    sent: list[list[int]] = []
    monkeypatch.setattr(search_tasks.index_cards, "delay", lambda ids: sent.append(ids))
    monkeypatch.setattr(search_tasks.refresh_decks, "delay", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True):
        note = NoteFactory()
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        embed_notes(note_ids=[note.pk])
    assert any(note.pk in ids for ids in sent)
