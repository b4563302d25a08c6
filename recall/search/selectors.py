"""Reads of the search app: search_cards, the entry point of the API, the page and the bench."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString

from recall.core.text import markdown_plain_text
from recall.decks.models import Deck, Note

from .backends import get_backend
from .backends.sql import searchable_decks, tagged_card_ids
from .base import SNIPPET_WORDS, BackendHit, BackendPage, SearchFilters, snippet_html
from .query import ParsedQuery, QueryError, parse_query

MAX_PAGE_SIZE = 200
MAX_PAGE = 500


@dataclass
class SearchHit:
    card_id: int
    score: float
    question: str
    question_snippet: SafeString
    answer_snippet: SafeString
    deck_id: int
    deck_slug: str
    deck_title: str
    # Whose deck it is, for people: "your deck", "your copy", "by alice" (``hits_label_decks``).
    deck_owner_label: str = ""

    @property
    def url(self) -> str:
        return reverse("decks:card-detail", kwargs={"pk": self.card_id})

    @property
    def deck_url(self) -> str:
        return reverse("decks:deck-detail", kwargs={"pk": self.deck_id})

    @property
    def card(self) -> SimpleNamespace:
        """A read-only summary shaped like a card (pk, question, deck.slug/title, urls).

        Only these fields exist: anything else raises AttributeError instead of loading
        the card, so a template never turns a page of hits into one query per hit.
        """
        deck = SimpleNamespace(
            pk=self.deck_id,
            id=self.deck_id,
            slug=self.deck_slug,
            title=self.deck_title,
            get_absolute_url=lambda: self.deck_url,
        )
        return SimpleNamespace(
            pk=self.card_id,
            id=self.card_id,
            question=self.question,
            deck_id=self.deck_id,
            deck=deck,
            get_absolute_url=lambda: self.url,
        )


def _card_summaries(ids: list[int]) -> dict[int, tuple[str, int, str, str]]:
    """question, deck id, slug and title of these cards, by id.

    Plain SQL on purpose: this runs on every search, and building model instances for a
    page of hits cost more than the ranked query itself on small indexes.
    """
    if not ids:
        return {}
    card_table, deck_table = Note._meta.db_table, Deck._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.id, c.question, c.deck_id, d.slug, d.title FROM {card_table} c "  # noqa: S608
            f"JOIN {deck_table} d ON d.id = c.deck_id WHERE c.id IN ({marks})",
            ids,
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _leading_words(text: str) -> str:
    """The start of a text, as long as a search snippet."""
    words = text.split(maxsplit=SNIPPET_WORDS)
    return " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")


def filtered_cards(filters: SearchFilters, *, offset: int, limit: int) -> BackendPage:
    """The live notes of a search without words (``tag:sql``, a deck's tag chip), in deck order.

    The same for every backend: the listed decks (``decks_listed_for``) and tags are read
    from the database, so no engine has to rank an empty query.
    """
    cards = Note.objects.filter(is_archived=False, deck__in=searchable_decks(filters))
    for name in filters.tags:
        cards = cards.filter(id__in=tagged_card_ids(name))
    rows = list(
        cards.select_related("deck")
        .order_by("deck__title", "deck_id", "position", "id")
        .values_list("id", "question", "answer", "deck_id", "deck__slug", "deck__title")[
            offset : offset + limit
        ]
    )
    total = offset + len(rows) if rows and len(rows) < limit else cards.count()
    hits = [
        BackendHit(
            card_id,
            0.0,
            # No words to highlight: the title as every list shows it (plain_text).
            _leading_words(markdown_plain_text(question)),
            _leading_words(answer),
            summary=(question, deck_id, slug, title),
        )
        for card_id, question, answer, deck_id, slug, title in rows
    ]
    return BackendPage(hits=hits, total=total)


@dataclass
class SearchResults:
    query: str
    parsed: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    # False when the backend stopped counting (PostgreSQL's ranking window): at least
    # ``total`` cards match, and the hits are the best of the first ``total``.
    total_exact: bool = True
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
    """Cards the user may find that match the query, best first, with highlighted snippets.

    Visibility (own decks and others' public ones, ``decks_listed_for``; never others'
    unlisted decks) is applied by the backend at query time; archived cards are never in
    the index. Raises QueryError for a query that cannot
    be searched for (too long, nothing to look for).
    """
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    extra_decks, extra_tags = _clean_filter(deck_slug), _clean_filter(tag)
    parsed = parse_query(query, filtered=bool(extra_decks or extra_tags))
    filters = SearchFilters(
        user=user,
        deck_slugs=tuple(parsed.decks) + extra_decks,
        tags=tuple(parsed.tags) + extra_tags,
    )
    backend = get_backend()
    offset = (page - 1) * page_size
    if parsed.filters_only:
        result = filtered_cards(filters, offset=offset, limit=page_size)
    else:
        result = backend.search(parsed, filters, offset=offset, limit=page_size)
    cards = {h.card_id: h.summary for h in result.hits if h.summary is not None}
    unread = [h.card_id for h in result.hits if h.summary is None]
    if unread:
        cards.update(_card_summaries(unread))
    # A hit whose card vanished between the index and now is dropped, not shown broken.
    hits = [
        SearchHit(
            card_id=h.card_id,
            score=h.score,
            question=cards[h.card_id][0],
            question_snippet=snippet_html(h.question_snippet),
            answer_snippet=snippet_html(h.answer_snippet),
            deck_id=cards[h.card_id][1],
            deck_slug=cards[h.card_id][2],
            deck_title=cards[h.card_id][3],
        )
        for h in result.hits
        if h.card_id in cards
    ]
    return SearchResults(
        query=query,
        parsed=parsed,
        hits=hits,
        total=result.total,
        total_exact=result.total_exact,
        page=page,
        page_size=page_size,
        corrected_query=result.corrected_query,
        backend=backend.name,
    )


def hits_label_decks(hits: list[SearchHit], *, user: Any) -> None:
    """Say whose deck each hit is in, so the same question in a public deck and in the
    reader's copy of it can be told apart (one query for the page's decks)."""
    ids = {hit.deck_id for hit in hits}
    if not ids:
        return
    rows = Deck.objects.filter(pk__in=ids).values_list(
        "pk", "owner_id", "owner__username", "copied_from_id"
    )
    labels: dict[int, str] = {}
    for pk, owner_id, username, copied_from in rows:
        if owner_id == getattr(user, "pk", None):
            labels[pk] = "your copy" if copied_from else "your deck"
        else:
            labels[pk] = f"by {username}"
    for hit in hits:
        hit.deck_owner_label = labels.get(hit.deck_id, "")
