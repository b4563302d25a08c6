"""Reads of the search app: search_cards, the entry point of the API, the page and the bench."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from recall.decks.models import Card

from .backends import get_backend
from .base import SearchFilters, snippet_html
from .query import ParsedQuery, QueryError, parse_query

MAX_PAGE_SIZE = 200
MAX_PAGE = 500


@dataclass
class SearchHit:
    card: Card
    score: float
    question_snippet: SafeString
    answer_snippet: SafeString

    @property
    def card_id(self) -> int:
        return self.card.pk


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = 20
    corrected_query: str = ""
    backend: str = ""

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _clean_filter(value: str | None) -> tuple[str, ...]:
    value = (value or "").strip()
    return (value[:200],) if value else ()


def search_cards(
    *,
    user: Any,
    query: str,
    page: int = 1,
    page_size: int = 20,
    deck_slug: str | None = None,
    tag: str | None = None,
) -> SearchResults:
    """Cards the user may read that match the query, best first, with highlighted snippets.

    Visibility (own decks, and public or unlisted ones) is applied by the backend at query
    time; archived cards are never in the index. Raises QueryError for a query that cannot
    be searched for (too long, nothing to look for).
    """
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    parsed = parse_query(query)
    filters = SearchFilters(
        user=user,
        deck_slugs=tuple(parsed.decks) + _clean_filter(deck_slug),
        tags=tuple(parsed.tags) + _clean_filter(tag),
    )
    backend = get_backend()
    result = backend.search(parsed, filters, offset=(page - 1) * page_size, limit=page_size)
    ids = [h.card_id for h in result.hits]
    cards = Card.objects.select_related("deck").in_bulk(ids) if ids else {}
    # A hit whose card vanished between the index and now is dropped, not shown broken.
    hits = [
        SearchHit(
            card=cards[h.card_id],
            score=h.score,
            question_snippet=snippet_html(h.question_snippet),
            answer_snippet=snippet_html(h.answer_snippet),
        )
        for h in result.hits
        if h.card_id in cards
    ]
    return SearchResults(
        query=query,
        parsed=parsed,
        hits=hits,
        total=result.total,
        page=page,
        page_size=page_size,
        corrected_query=result.corrected_query,
        backend=backend.name,
    )
