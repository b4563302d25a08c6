"""Elasticsearch backend: English analysis, a code-token subfield, fuzzy multi_match, bulk.

Elasticsearch cannot join to the database, so each document carries its deck's owner,
visibility and slug and the card's tags; deck and tag changes reindex the affected cards
(``denormalises_decks``). The query and mapping builders are pure functions, unit-tested
without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

# The listing rule is looked up on its module at call time: one function, every caller.
from recall.decks import selectors as deck_selectors
from recall.decks.models import Note
from recall.semantic.embeddings import DIMENSIONS
from recall.semantic.models import NoteEmbedding
from recall.semantic.vectors import unpack

from ..base import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    INDEX_BATCH,
    BackendHit,
    BackendPage,
    IndexFailure,
    ProgressCallback,
    SearchBackend,
    SearchFilters,
    raise_unreported,
)
from ..query import ParsedQuery, Term, identifier_parts

# Same shape as recall.search.query.TOKEN_RE: dotted names, @decorators, snake_case.
CODE_PATTERN = r"@?\w++(?:\.\w++)*+"  # Java regex: possessive as in Python
TEXT_FIELDS = ["question^3", "answer"]
CODE_FIELDS = ["question.code^3", "answer.code"]
SNIPPET_CHARS = 180


def index_definition() -> dict[str, Any]:
    """Settings and mappings of the card index."""
    code_field = {"type": "text", "analyzer": "code"}
    text_field = {"type": "text", "analyzer": "english", "fields": {"code": code_field}}
    return {
        "settings": {
            "analysis": {
                "tokenizer": {
                    "code": {
                        "type": "pattern",
                        "pattern": CODE_PATTERN,
                        "group": 0,
                        "flags": "UNICODE_CHARACTER_CLASS",
                    }
                },
                "analyzer": {
                    "code": {"type": "custom", "tokenizer": "code", "filter": ["lowercase"]}
                },
            }
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "deck_id": {"type": "long"},
                "owner_id": {"type": "long"},
                "visibility": {"type": "keyword"},
                "deck_slug": {"type": "keyword"},
                "tags": {"type": "keyword", "normalizer": "lowercase"},
                "question": text_field,
                "answer": text_field,
                "parts": {"type": "text", "analyzer": "english"},
                # The note's sentence embedding (unit length), when it has one: the knn
                # query of semantic and hybrid search ranks on it (build_knn_body).
                "embedding": {
                    "type": "dense_vector",
                    "dims": DIMENSIONS,
                    "index": True,
                    "similarity": "dot_product",
                },
            },
        },
    }


def _term_clause(term: Term) -> dict[str, Any]:
    if term.code:
        if term.prefix:
            return {
                "multi_match": {"query": term.text, "type": "phrase_prefix", "fields": CODE_FIELDS}
            }
        return {"multi_match": {"query": term.text, "fields": CODE_FIELDS, "operator": "and"}}
    if term.prefix:
        return {"multi_match": {"query": term.text, "type": "phrase_prefix", "fields": TEXT_FIELDS}}
    return {
        "multi_match": {
            "query": term.text,
            "fields": [*TEXT_FIELDS, "parts^0.5"],
            # Typos are forgiven on positive words only: an exclusion must be exact.
            "fuzziness": "0" if term.negated else "AUTO",
            "prefix_length": 1,
        }
    }


def visibility_filter(user: Any) -> dict[str, Any]:
    """recall.decks.selectors.decks_listed_for, on the denormalised fields."""
    rule = deck_selectors.decks_listed_for(user)
    shared = {"terms": {"visibility": list(rule.visibilities)}}
    if rule.owner_id is not None:
        return {
            "bool": {
                "should": [shared, {"term": {"owner_id": rule.owner_id}}],
                "minimum_should_match": 1,
            }
        }
    return shared


def build_search_body(
    query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
) -> dict[str, Any]:
    """The body of a search request (keyword arguments of Elasticsearch.search)."""
    must: list[dict[str, Any]] = [_term_clause(t) for t in query.positive_terms]
    must += [
        {"multi_match": {"query": " ".join(p.words), "type": "phrase", "fields": TEXT_FIELDS}}
        for p in query.positive_phrases
    ]
    must_not: list[dict[str, Any]] = [_term_clause(t) for t in query.negative_terms]
    must_not += [
        {"multi_match": {"query": " ".join(p.words), "type": "phrase", "fields": TEXT_FIELDS}}
        for p in query.negative_phrases
    ]
    # match_any (hybrid's lexical leg): one positive clause is enough.
    matching: dict[str, Any] = (
        {"should": must, "minimum_should_match": 1} if query.match_any else {"must": must}
    )
    filter_: list[dict[str, Any]] = [visibility_filter(filters.user)]
    if filters.deck_slugs:
        filter_.append({"terms": {"deck_slug": list(filters.deck_slugs)}})
    filter_ += [{"term": {"tags": tag.lower()}} for tag in filters.tags]
    highlight_field = {
        "number_of_fragments": 1,
        "fragment_size": SNIPPET_CHARS,
        "no_match_size": SNIPPET_CHARS,
    }
    return {
        "query": {"bool": {**matching, "must_not": must_not, "filter": filter_}},
        "highlight": {
            "pre_tags": [HIGHLIGHT_START],
            "post_tags": [HIGHLIGHT_END],
            "require_field_match": False,
            "fields": {"question": highlight_field, "answer": highlight_field},
        },
        "sort": [{"_score": {"order": "desc"}}, {"deck_id": {"order": "asc"}}],
        "from_": offset,
        "size": limit,
        "track_total_hits": True,
        "source": False,
    }


def build_knn_body(vector: list[float], filters: SearchFilters, *, k: int) -> dict[str, Any]:
    """The body of a nearest-notes request: knn on the embedding, filtered like a search
    (the listing rule, deck: and tag: filters) before the neighbours are chosen."""
    filter_: list[dict[str, Any]] = [visibility_filter(filters.user)]
    if filters.deck_slugs:
        filter_.append({"terms": {"deck_slug": list(filters.deck_slugs)}})
    filter_ += [{"term": {"tags": tag.lower()}} for tag in filters.tags]
    return {
        "knn": {
            "field": "embedding",
            "query_vector": list(vector),
            "k": k,
            "num_candidates": max(100, 2 * k),
            "filter": filter_,
        },
        "size": k,
        "source": False,
    }


def parse_knn_response(response: dict[str, Any]) -> list[tuple[int, float]]:
    """(note id, cosine similarity): for dot_product on unit vectors, _score = (1 + cos) / 2."""
    return [
        (int(hit["_id"]), 2.0 * float(hit.get("_score") or 0.0) - 1.0)
        for hit in response["hits"]["hits"]
    ]


def card_document(card: Note, vector: list[float] | None = None) -> dict[str, Any]:
    """The indexed form of a card (its deck must be loaded, its tags prefetched)."""
    document = card_fields(card)
    if vector is not None:
        document["embedding"] = vector
    return document


def card_fields(card: Note) -> dict[str, Any]:
    return {
        "deck_id": card.deck_id,
        "owner_id": card.deck.owner_id,
        "visibility": card.deck.visibility,
        "deck_slug": card.deck.slug,
        "tags": [t.name for t in card.tags.all()],
        "question": card.question,
        "answer": card.answer,
        "parts": identifier_parts(f"{card.question}\n{card.answer}"),
    }


def bulk_actions(index: str, card_ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """index actions for live cards, delete actions for archived or missing ones."""
    ids = sorted(set(card_ids))
    for start in range(0, len(ids), INDEX_BATCH):
        chunk = ids[start : start + INDEX_BATCH]
        cards = Note.objects.filter(id__in=chunk).select_related("deck").prefetch_related("tags")
        vectors = dict(
            NoteEmbedding.objects.filter(note_id__in=chunk).values_list("note_id", "vector")
        )
        found = set()
        for card in cards:
            found.add(card.pk)
            if card.is_archived:
                yield {"_op_type": "delete", "_index": index, "_id": card.pk}
            else:
                yield {
                    "_op_type": "index",
                    "_index": index,
                    "_id": card.pk,
                    "_source": card_document(
                        card, unpack(vectors[card.pk]) if card.pk in vectors else None
                    ),
                }
        for missing in sorted(set(chunk) - found):
            yield {"_op_type": "delete", "_index": index, "_id": missing}


def bulk_failures(errors: int | list[dict[str, Any]]) -> list[IndexFailure]:
    """The cards of a bulk request's per-item errors (raise_on_error=False), with reasons."""
    failures: list[IndexFailure] = []
    if isinstance(errors, int):  # a count, when stats_only is set (never here)
        return failures
    for error in errors:
        for item in error.values():  # {"index": {"_id": ..., "error": {...}}}
            reason = item.get("error", {})
            if isinstance(reason, dict):
                reason = reason.get("reason") or reason.get("type") or "refused"
            failures.append(IndexFailure(int(item.get("_id", 0)), str(reason)))
    return failures


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    denormalises_decks = True
    denormalises_tags = True
    stores_vectors = True

    def __init__(self, url: str | None = None, index_name: str | None = None) -> None:
        self.url = url if url is not None else settings.ELASTICSEARCH_URL
        self.index_name = index_name or settings.ELASTICSEARCH_INDEX
        self._client: Any = None

    def check(self) -> list[str]:
        if not self.url:
            return ["SEARCH_BACKEND is 'elasticsearch' but ELASTICSEARCH_URL is not set."]
        return []

    @property
    def client(self) -> Any:
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(self.url, request_timeout=10)
        return self._client

    def ensure_index(self) -> None:
        if not self.client.indices.exists(index=self.index_name):
            self.client.indices.create(index=self.index_name, **index_definition())

    def index(self, card_ids: Iterable[int], failures: list[IndexFailure] | None = None) -> int:
        from elasticsearch import helpers

        self.ensure_index()
        # wait_for: a card is searchable when index() returns, as with the SQL backends.
        # A refused document costs only itself: the others of the request are indexed.
        ok, errors = helpers.bulk(
            self.client,
            bulk_actions(self.index_name, card_ids),
            refresh="wait_for",
            ignore_status=(404,),
            raise_on_error=False,
        )
        refused = bulk_failures(errors)
        if failures is not None:
            failures.extend(refused)
        raise_unreported(refused, failures is not None)
        return int(ok)

    def remove(self, card_ids: Iterable[int]) -> None:
        from elasticsearch import helpers

        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": i}
            for i in sorted(set(card_ids))
        ]
        if actions:
            self.ensure_index()
            helpers.bulk(self.client, actions, refresh="wait_for", ignore_status=(404,))

    def rebuild(
        self,
        progress: ProgressCallback | None = None,
        failures: list[IndexFailure] | None = None,
    ) -> int:
        from elasticsearch import helpers

        self.client.indices.delete(index=self.index_name, ignore_unavailable=True)
        self.ensure_index()
        ids = list(
            Note.objects.filter(is_archived=False).order_by("id").values_list("id", flat=True)
        )
        done = 0
        refused: list[IndexFailure] = [] if failures is None else failures
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            ok, errors = helpers.bulk(
                self.client, bulk_actions(self.index_name, chunk), raise_on_error=False
            )
            refused.extend(bulk_failures(errors))
            done += int(ok)
            if progress:
                progress(done, len(ids))
        self.client.indices.refresh(index=self.index_name)
        raise_unreported(refused, failures is not None)
        return done

    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
    ) -> BackendPage:
        self.ensure_index()
        response = self.client.search(
            index=self.index_name, **build_search_body(query, filters, offset=offset, limit=limit)
        )
        return parse_response(dict(response))

    def nearest(
        self, vector: list[float], filters: SearchFilters, *, k: int
    ) -> list[tuple[int, float]] | None:
        self.ensure_index()
        response = self.client.search(index=self.index_name, **build_knn_body(vector, filters, k=k))
        return parse_knn_response(dict(response))


def parse_response(response: dict[str, Any]) -> BackendPage:
    """Hits and total of a search response."""
    hits = []
    for hit in response["hits"]["hits"]:
        highlight = hit.get("highlight", {})
        hits.append(
            BackendHit(
                card_id=int(hit["_id"]),
                score=float(hit.get("_score") or 0.0),
                question_snippet=" … ".join(highlight.get("question", [])),
                answer_snippet=" … ".join(highlight.get("answer", [])),
            )
        )
    total = response["hits"]["total"]
    if isinstance(total, dict):
        exact = total.get("relation", "eq") == "eq"
        return BackendPage(hits=hits, total=int(total["value"]), total_exact=exact)
    return BackendPage(hits=hits, total=int(total))
