"""Hybrid search's lexical leg (``any_word_query``): any content word of a question in plain
language matches, stop words do not, exclusions still exclude; on every backend."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from recall.search.backends.elasticsearch import build_search_body
from recall.search.backends.sqlite_fts import compile_match
from recall.search.base import SearchBackend, SearchFilters
from recall.search.query import any_word_query, parse_query

from .conftest import Corpus

QUESTION = "how does an object get initialises by the constructor"


def test_stop_words_are_dropped_and_code_tokens_kept():
    parsed = any_word_query(parse_query('what is the __init__ of "new instance" -celery'))
    assert parsed.match_any
    assert [t.text for t in parsed.positive_terms] == ["__init__"]
    assert [t.text for t in parsed.negative_terms] == ["celery"]
    assert [p.words for p in parsed.phrases] == [("new", "instance")]


def test_a_query_of_stop_words_only_keeps_them():
    parsed = any_word_query(parse_query("what is it"))
    assert [t.text for t in parsed.positive_terms] == ["what", "is", "it"]


def test_sqlite_compilation_ors_the_words_and_keeps_exclusions():
    match = compile_match(any_word_query(parse_query("why threads -celery")))
    assert match == '("threads") NOT ("celery")'
    match = compile_match(any_word_query(parse_query("threads processes")))
    assert match == '"threads" OR "processes"'


def test_elasticsearch_body_needs_one_clause_not_all():
    filters = SearchFilters(user=AnonymousUser())
    every = build_search_body(parse_query("threads processes"), filters, offset=0, limit=5)
    some = build_search_body(
        any_word_query(parse_query("threads processes")), filters, offset=0, limit=5
    )
    assert len(every["query"]["bool"]["must"]) == 2 and "should" not in every["query"]["bool"]
    assert some["query"]["bool"]["should"] == every["query"]["bool"]["must"]
    assert some["query"]["bool"]["minimum_should_match"] == 1


def test_any_word_finds_what_all_words_miss(indexed: Corpus, search_backend: SearchBackend):
    filters = SearchFilters(user=indexed.alice)
    every = search_backend.search(parse_query(QUESTION), filters, offset=0, limit=10)
    some = search_backend.search(any_word_query(parse_query(QUESTION)), filters, offset=0, limit=10)
    assert every.hits == []
    found = {h.card_id for h in some.hits}
    assert indexed.cards["init"].pk in found
    # "does" (a stop word) is in select_related's question: not a reason to match it.
    assert indexed.cards["select_related"].pk not in found
    excluded = search_backend.search(
        any_word_query(parse_query(QUESTION + " -instance")), filters, offset=0, limit=10
    )
    assert indexed.cards["init"].pk not in {h.card_id for h in excluded.hits}
