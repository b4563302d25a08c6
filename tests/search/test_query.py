"""The query language parser: words, phrases, exclusions, prefixes, filters, code tokens."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.search.backends.sqlite_fts import compile_match
from recall.search.base import SearchFilters
from recall.search.query import (
    MAX_QUERY_LENGTH,
    Phrase,
    QueryError,
    Term,
    code_tokens,
    identifier_parts,
    parse_query,
)


def test_words_are_lower_cased_terms():
    parsed = parse_query("Django Signals")
    assert parsed.terms == [Term("django"), Term("signals")]


def test_phrase_exclusion_prefix_and_filters():
    parsed = parse_query('"class based view" -celery -"task queue" migrat* deck:django tag:orm')
    assert parsed.phrases == [
        Phrase(("class", "based", "view")),
        Phrase(("task", "queue"), negated=True),
    ]
    assert parsed.terms == [Term("celery", negated=True), Term("migrat", prefix=True)]
    assert parsed.decks == ["django"]
    assert parsed.tags == ["orm"]


@pytest.mark.parametrize("token", ["select_related", "__init__", "asgi.py", "@classmethod"])
def test_code_shaped_tokens_stay_whole(token):
    assert parse_query(token).terms == [Term(token, code=True)]


def test_fts_operators_and_syntax_are_plain_text():
    parsed = parse_query("a NEAR(b c) AND d OR e NOT f ^g question:h (i")
    assert [t.text for t in parsed.terms] == [
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
        "question",
        "h",
        "i",
    ]
    assert not any(t.negated or t.prefix for t in parsed.terms)


def test_unbalanced_quote_runs_to_the_end():
    assert parse_query('"unbalanced quote').phrases == [Phrase(("unbalanced", "quote"))]


def test_single_word_in_quotes_is_a_term():
    assert parse_query('"django"').terms == [Term("django")]


def test_nul_and_control_characters_are_dropped():
    assert [t.text for t in parse_query("django\x00orm\x07").terms] == ["django", "orm"]


@pytest.mark.parametrize("query", ["", "   ", "***", "()", '""', "-django", "deck:django -orm"])
def test_nothing_to_search_for_is_a_query_error(query):
    with pytest.raises(QueryError):
        parse_query(query)


@pytest.mark.parametrize("query", ["deck:django", "tag:sql", "tag:sql deck:django"])
def test_filters_alone_are_a_listing_not_an_error(query):
    parsed = parse_query(query)
    assert parsed.filters_only and not parsed.has_positive
    assert parsed.decks or parsed.tags


def test_empty_query_with_a_filter_beside_it_is_a_listing():
    assert parse_query("", filtered=True).filters_only
    with pytest.raises(QueryError, match="not only exclusions"):
        parse_query("-django", filtered=True)


def test_query_longer_than_the_limit_is_rejected():
    parse_query("a" * MAX_QUERY_LENGTH)
    with pytest.raises(QueryError, match="query too long"):
        parse_query("a" * (MAX_QUERY_LENGTH + 1))


def test_too_many_terms_is_rejected():
    with pytest.raises(QueryError, match="too many"):
        parse_query(" ".join(f"w{i}" for i in range(40)))


def test_code_tokens_and_identifier_parts_of_a_text():
    text = "Use select_related, then obj.__init__() in asgi.py; @classmethod. Plain end."
    assert code_tokens(text) == ["select_related", "obj.__init__", "asgi.py", "@classmethod"]
    assert identifier_parts(text) == "select related obj init"


def test_sqlite_compilation_quotes_every_token():
    match = compile_match(parse_query('select_related "a b" -c* -"d e" f*'))
    assert match == '("select_related" AND "f"* AND "a b") NOT ("c"* OR "d e")'


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=600))
def test_random_text_parses_or_raises_query_error(text):
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    assert parsed.has_positive or (parsed.filters_only and (parsed.decks or parsed.tags))


@pytest.fixture
def sqlite_indexed(sqlite_backend, corpus):
    sqlite_backend.rebuild()
    return sqlite_backend, corpus


@pytest.mark.django_db
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.text(max_size=80),
        st.text(alphabet='abc _.@*-"():^~NEARORAND\x00é∂ß漢', max_size=60),
    )
)
def test_random_text_through_parser_and_sqlite_backend(sqlite_indexed, text):
    backend, corpus = sqlite_indexed
    try:
        query = parse_query(text)
        if query.filters_only:
            return  # listed by search_cards, never sent to a backend
        page = backend.search(query, SearchFilters(user=corpus.alice), offset=0, limit=5)
    except QueryError:
        return
    assert page.total >= len(page.hits)


@pytest.fixture
def postgres_indexed(settings, corpus):
    from tests.search.conftest import use_backend

    backend = use_backend("postgres", settings)
    backend.rebuild()
    return backend, corpus


@pytest.mark.postgres
@pytest.mark.django_db
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet="abc _.@*-\"():^~!&|<>'\\NEARORAND\x00é∂ß漢", max_size=60))
def test_random_text_through_parser_and_postgres_backend(postgres_indexed, text):
    backend, corpus = postgres_indexed
    try:
        query = parse_query(text)
        if query.filters_only:
            return  # listed by search_cards, never sent to a backend
        page = backend.search(query, SearchFilters(user=corpus.alice), offset=0, limit=5)
    except QueryError:
        return
    assert page.total >= len(page.hits)
