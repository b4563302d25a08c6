"""Elasticsearch request builders, tested as the pure functions they are (no server here).

These check the dicts Recall would send; whether Elasticsearch answers them as intended is
checked by the contract suite's ``elasticsearch`` variants, which run only when
ELASTICSEARCH_URL is set.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser

from recall.search.backends.elasticsearch import (
    CODE_PATTERN,
    build_search_body,
    bulk_actions,
    bulk_failures,
    index_definition,
    parse_response,
    visibility_filter,
)
from recall.search.base import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    IndexFailure,
    SearchFilters,
    snippet_html,
)
from recall.search.query import TOKEN_RE, parse_query
from tests.factories import UserFactory


def test_mapping_has_english_text_and_a_code_subfield():
    definition = index_definition()
    props = definition["mappings"]["properties"]
    for field in ("question", "answer"):
        assert props[field]["analyzer"] == "english"
        assert props[field]["fields"]["code"]["analyzer"] == "code"
    analysis = definition["settings"]["analysis"]
    assert analysis["analyzer"]["code"]["tokenizer"] == "code"
    assert analysis["tokenizer"]["code"]["type"] == "pattern"
    assert analysis["tokenizer"]["code"]["group"] == 0
    for keyword in ("visibility", "deck_slug", "tags"):
        assert props[keyword]["type"] == "keyword"


def test_code_tokenizer_pattern_is_the_parser_pattern():
    assert TOKEN_RE.pattern == CODE_PATTERN
    tokens = re.findall(CODE_PATTERN, "obj.select_related() in asgi.py with @classmethod, __init__")
    assert tokens == ["obj.select_related", "in", "asgi.py", "with", "@classmethod", "__init__"]


def test_search_body_maps_the_query_language():
    query = parse_query('signals select_related "class based view" -celery -"task queue" migrat*')
    body = build_search_body(query, SearchFilters(user=AnonymousUser()), offset=40, limit=20)
    must = body["query"]["bool"]["must"]
    words = must[0]["multi_match"]
    assert words["query"] == "signals" and words["fuzziness"] == "AUTO"
    assert "question^3" in words["fields"] and "answer" in words["fields"]
    code = must[1]["multi_match"]
    assert code["query"] == "select_related"
    assert code["fields"] == ["question.code^3", "answer.code"]
    assert "fuzziness" not in code
    prefix = must[2]["multi_match"]
    assert prefix["query"] == "migrat" and prefix["type"] == "phrase_prefix"
    phrase = must[3]["multi_match"]
    assert phrase["type"] == "phrase" and phrase["query"] == "class based view"
    must_not = body["query"]["bool"]["must_not"]
    assert must_not[0]["multi_match"]["query"] == "celery"
    assert must_not[0]["multi_match"]["fuzziness"] == "0"
    assert must_not[1]["multi_match"] == {
        "query": "task queue",
        "type": "phrase",
        "fields": ["question^3", "answer"],
    }
    assert body["from_"] == 40 and body["size"] == 20 and body["track_total_hits"] is True
    assert body["highlight"]["pre_tags"] == [HIGHLIGHT_START]
    assert body["highlight"]["post_tags"] == [HIGHLIGHT_END]


def test_filters_apply_visibility_deck_and_tags(db):
    user = UserFactory()
    # search_cards merges deck:/tag: of the query into the filters.
    filters = SearchFilters(user=user, deck_slugs=("django",), tags=("ORM", "Fast"))
    body = build_search_body(parse_query("orm"), filters, offset=0, limit=5)
    filters = body["query"]["bool"]["filter"]
    assert filters[0] == visibility_filter(user)
    assert {"terms": {"deck_slug": ["django"]}} in filters
    assert {"term": {"tags": "orm"}} in filters and {"term": {"tags": "fast"}} in filters


def test_visibility_filter_follows_decks_listed_for(db):
    # Unlisted decks are readable by link only: never found in others' searches.
    anonymous = visibility_filter(AnonymousUser())
    assert anonymous == {"terms": {"visibility": ["public"]}}
    user = UserFactory()
    signed_in = visibility_filter(user)
    assert signed_in["bool"]["minimum_should_match"] == 1
    assert anonymous in signed_in["bool"]["should"]
    assert {"term": {"owner_id": user.pk}} in signed_in["bool"]["should"]


def test_response_parsing_and_snippet_escaping():
    response = {
        "hits": {
            "total": {"value": 7, "relation": "eq"},
            "hits": [
                {
                    "_id": "12",
                    "_score": 3.5,
                    "highlight": {
                        "question": [f"Use {HIGHLIGHT_START}select_related{HIGHLIGHT_END} <now>"]
                    },
                }
            ],
        }
    }
    page = parse_response(response)
    assert page.total == 7
    hit = page.hits[0]
    assert (hit.card_id, hit.score, hit.answer_snippet) == (12, 3.5, "")
    assert snippet_html(hit.question_snippet) == "Use <mark>select_related</mark> &lt;now&gt;"


def test_bulk_actions_index_live_cards_and_delete_the_rest(corpus):
    archived = corpus.cards["view"]
    archived.is_archived = True
    archived.save()
    live = corpus.cards["select_related"]
    actions = list(bulk_actions("cards", [live.pk, archived.pk, 999_999]))
    by_id = {a["_id"]: a for a in actions}
    assert by_id[live.pk]["_op_type"] == "index"
    source = by_id[live.pk]["_source"]
    assert source["visibility"] == "public" and source["deck_slug"] == "django"
    assert source["owner_id"] == corpus.alice.pk and source["tags"] == ["orm"]
    assert by_id[archived.pk]["_op_type"] == "delete"
    assert by_id[999_999]["_op_type"] == "delete"


def test_request_bodies_are_arguments_the_installed_client_accepts():
    import inspect

    from elasticsearch import Elasticsearch

    body = build_search_body(parse_query("orm"), SearchFilters(user=None), offset=0, limit=5)
    assert set(body) <= set(inspect.signature(Elasticsearch.search).parameters)
    create = Elasticsearch("http://127.0.0.1:9200").indices.create
    assert set(index_definition()) <= set(inspect.signature(create).parameters)


def test_bulk_errors_name_the_refused_cards():
    """A refused document is reported by card id, not raised for the whole request."""
    errors = [
        {"index": {"_id": "7", "status": 400, "error": {"type": "x", "reason": "too long"}}},
        {"delete": {"_id": "9", "status": 500, "error": "shard failure"}},
    ]
    assert bulk_failures(errors) == [IndexFailure(7, "too long"), IndexFailure(9, "shard failure")]
    assert bulk_failures([]) == []
