"""GET /api/v1/search/: pagination, filters, anonymous access, documented schema, query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import NoteFactory

URL = "/api/v1/search/"


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_search_returns_paginated_hits_with_snippets(indexed):
    response = client_for(indexed.alice).get(URL, {"q": "select_related"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["count_exact"] is True
    assert body["query"] == "select_related"
    hit = body["results"][0]
    assert hit["card_id"] == indexed.cards["select_related"].pk
    assert "<mark>" in hit["question_snippet"]
    assert hit["deck"] == {"id": indexed.django.pk, "slug": "django", "title": "Django"}
    assert hit["url"] == indexed.cards["select_related"].get_absolute_url()


def test_pages_follow_the_project_pagination(indexed, search_backend):
    extra = [NoteFactory(deck=indexed.django, question=f"Paged {i}", answer="x") for i in range(5)]
    search_backend.index([c.pk for c in extra])
    client = client_for(indexed.alice)
    first = client.get(URL, {"q": "paged", "page_size": "2"}).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert "page=2" in first["next"]
    last = client.get(URL, {"q": "paged", "page_size": "2", "page": "3"}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = {
        h["card_id"]
        for p in (1, 2, 3)
        for h in client.get(URL, {"q": "paged", "page_size": "2", "page": str(p)}).json()["results"]
    }
    assert seen == {c.pk for c in extra}
    assert client.get(URL, {"q": "paged", "page_size": "2", "page": "9"}).status_code == 404


def test_deck_and_tag_parameters_filter(indexed):
    client = client_for(indexed.alice)
    ids = {
        h["card_id"] for h in client.get(URL, {"q": "query", "deck": "django"}).json()["results"]
    }
    assert ids == {indexed.cards["select_related"].pk, indexed.cards["prefetch"].pk}
    assert client.get(URL, {"q": "query", "deck": "python"}).json()["count"] == 0
    assert client.get(URL, {"q": "receivers", "tag": "celery"}).json()["count"] == 0
    assert client.get(URL, {"q": "receivers", "tag": "signals"}).json()["count"] == 2


def test_anonymous_users_search_public_decks(indexed):
    body = client_for().get(URL, {"q": "select_related"}).json()
    assert [h["card_id"] for h in body["results"]] == [indexed.cards["select_related"].pk]
    assert client_for().get(URL, {"q": "__init__"}).json()["count"] == 0


def test_missing_query_is_a_400(indexed):
    response = client_for().get(URL)
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_a_tag_alone_lists_its_cards(indexed):
    body = client_for(indexed.alice).get(URL, {"q": "tag:orm"}).json()
    expected = {indexed.cards["select_related"].pk, indexed.cards["prefetch"].pk}
    assert body["count"] == 2 and {h["card_id"] for h in body["results"]} == expected


def test_query_count_does_not_grow_with_hits(indexed, search_backend):
    # The lexical path is pinned here; hybrid adds the nearest-notes statements
    # (tests/semantic/test_search_modes.py).
    client = client_for(indexed.alice)
    NoteFactory.create_batch(3, deck=indexed.django, question="Counted card", answer="count")
    search_backend.rebuild()
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, {"q": "counted", "mode": "lexical"}).json()["count"] == 3
    NoteFactory.create_batch(12, deck=indexed.django, question="Counted card", answer="count")
    search_backend.rebuild()
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL, {"q": "counted", "mode": "lexical"}).json()["count"] == 15
    assert len(many) == len(few)
    statements = [q["sql"] for q in few.captured_queries if "SAVEPOINT" not in q["sql"]]
    if search_backend.name == "sqlite":
        # ranked page with its total, snippets of the page, the cards with their decks
        assert len(statements) == 3, statements
    elif search_backend.name == "postgres":
        # all of it in one statement
        assert len(statements) == 1, statements


def test_schema_documents_the_search_endpoint(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/search/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["q"]["required"] is True
    assert params["q"]["examples"]
    assert {"deck", "tag", "page", "page_size"} <= set(params)
    assert "400" in operation["responses"]
    assert "corrected_query" in str(response.json()["components"]["schemas"])


@pytest.mark.postgres
def test_misspelt_word_is_corrected_on_postgres(corpus, settings):
    from tests.search.conftest import use_backend

    use_backend("postgres", settings).rebuild()
    body = client_for(corpus.alice).get(URL, {"q": "middelware"}).json()
    assert body["corrected_query"] == "middleware"
    assert [h["card_id"] for h in body["results"]] == [corpus.cards["middleware"].pk]
