"""Reads of the search app: search_cards, the entry point of the API, the page and the bench."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString

from recall.core.text import markdown_plain_text
from recall.decks.models import Deck, Note
from recall.semantic import selectors as semantic

from .backends import get_backend
from .backends.sql import searchable_decks, tagged_card_ids
from .base import SNIPPET_WORDS, BackendHit, BackendPage, SearchFilters, snippet_html
from .fusion import reciprocal_rank_fusion
from .query import ParsedQuery, QueryError, any_word_query, parse_query

MAX_PAGE_SIZE = 200
MAX_PAGE = 500

LEXICAL, SEMANTIC, HYBRID = "lexical", "semantic", "hybrid"
MODES = (LEXICAL, SEMANTIC, HYBRID)
MODE_LABELS = {
    LEXICAL: "words (lexical)",
    SEMANTIC: "meaning (semantic)",
    HYBRID: "words and meaning (hybrid)",
}
# How many of each ranking are fused (more when a later page is asked for).
FUSION_WINDOW = 100
MAX_FUSION_WINDOW = 2000
# Nearest notes below this cosine similarity are not shown: for all-MiniLM-L6-v2 they share
# little more than the language with the query.
SEMANTIC_MIN_SIMILARITY = 0.2
# Hybrid search fuses three rankings: meaning (weight 1); the notes holding every word of
# the query, what lexical mode finds (weight 1: an exact match is as strong a signal as
# meaning, and an identifier must not sink below the meaning hits); and the notes holding
# any content word (``any_word_query``), which finds the paraphrases that all-words
# matching misses but also notes sharing one common word, so it is trusted less: the
# weight below. Chosen on one half of bench/data/semantic_queries.json (the queries at
# even positions) by ``bench/semantic.py --choose-weight``, among 0, 0.1, 0.25, 0.5, 0.75
# and 1 (highest MRR, ties to the larger weight); the other half is held out.
HYBRID_ANY_WORD_WEIGHT = 0.25
_NOT_MEANING_RE = re.compile(r'(?:(?<=\s)|^)(?:-\S+|(?:deck|tag):\S+)|"')


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
    mode: str = LEXICAL

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _clean_filter(value: str | None) -> tuple[str, ...]:
    value = (value or "").strip()
    return (value[:200],) if value else ()


def default_mode() -> str:
    """Hybrid when meaning-aware search works here, else lexical."""
    return HYBRID if semantic.semantic_search_available() else LEXICAL


def check_mode(mode: str | None) -> str:
    """The mode to search in; raises QueryError for an unknown one or one that cannot run."""
    if not mode:
        return default_mode()
    if mode not in MODES:
        raise QueryError(f"mode must be one of {', '.join(MODES)}, not {mode[:20]!r}")
    if mode != LEXICAL and not semantic.semantic_search_available():
        raise QueryError(
            f"{mode} search needs the optional semantic extra (pip install -e '.[semantic]'); "
            "use mode=lexical"
        )
    return mode


def meaning_text(query: str) -> str:
    """What the query means, for the embedding: without filters, exclusions and quotes."""
    return " ".join(_NOT_MEANING_RE.sub(" ", query).split())


def search_cards(
    *,
    user: Any,
    query: str,
    page: int = 1,
    page_size: int = 20,
    deck_slug: str | None = None,
    tag: str | None = None,
    mode: str | None = None,
) -> SearchResults:
    """Cards the user may find that match the query, best first, with highlighted snippets.

    Visibility (own decks and others' public ones, ``decks_listed_for``; never others'
    unlisted decks) is applied by the backend at query time; archived cards are never in
    the index. ``mode``: lexical (the backend's words), semantic (nearest notes by meaning,
    over the same decks) or hybrid (meaning fused by reciprocal rank with the words: the
    cards holding every word, and those holding any content word, ``HYBRID_ANY_WORD_WEIGHT``);
    by default hybrid when available. Raises QueryError for a query that cannot be searched
    for (too long, nothing to look for, a mode that cannot run here).
    """
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise QueryError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    mode = check_mode(mode)
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
    elif mode == LEXICAL:
        result = backend.search(parsed, filters, offset=offset, limit=page_size)
    else:
        result = _meaning_page(query, parsed, filters, mode=mode, offset=offset, limit=page_size)
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
        mode=mode,
    )


def _semantic_ranking(
    query: str, parsed: ParsedQuery, filters: SearchFilters, *, window: int
) -> list[tuple[int, float]]:
    """(note id, similarity) of the notes nearest the query's meaning, over the same decks
    and tags as the lexical search, without notes holding an excluded word."""
    text = meaning_text(query)
    # No stored vector, no neighbour: skip loading the model (a fresh install, most tests).
    if not text or not semantic.has_embeddings():
        return []
    notes = None
    if filters.tags:
        notes = Note.objects.all()
        for name in filters.tags:
            notes = notes.filter(id__in=tagged_card_ids(name))
    vector = semantic.encode_query(text)
    # Elasticsearch holds the vectors beside the text and ranks them itself (knn).
    found = get_backend().nearest(vector, filters, k=window)
    if found is None:
        found = semantic.nearest_notes(
            vector, decks=searchable_decks(filters), notes=notes, k=window
        )
    found = [(pk, score) for pk, score in found if score >= SEMANTIC_MIN_SIMILARITY]
    excluded = [t.text.lower() for t in parsed.negative_terms] + [
        " ".join(p.words) for p in parsed.phrases if p.negated
    ]
    if excluded and found:
        texts = Note.objects.filter(id__in=[pk for pk, _ in found]).values_list(
            "id", "question", "answer"
        )
        hidden = {pk for pk, q, a in texts if any(word in f"{q}\n{a}".lower() for word in excluded)}
        found = [(pk, score) for pk, score in found if pk not in hidden]
    return found


def _word_count(parsed: ParsedQuery) -> int:
    """Words and phrases the query asks for: with one, "every" and "any" are the same query."""
    return len(parsed.positive_terms) + len(parsed.positive_phrases)


def _meaning_page(
    query: str,
    parsed: ParsedQuery,
    filters: SearchFilters,
    *,
    mode: str,
    offset: int,
    limit: int,
) -> BackendPage:
    """One page of a semantic or hybrid search, ranked over the best ``window`` of each list."""
    window = min(max(FUSION_WINDOW, offset + limit), MAX_FUSION_WINDOW)
    meaning = _semantic_ranking(query, parsed, filters, window=window)
    if mode == HYBRID and not meaning:
        # Nothing near in meaning: the words alone, with their exact total and every page.
        # Those of every word; when no note holds them all, those of any word (hybrid's own
        # words ranking: a question in plain words rarely has all of them), unless nothing
        # is embedded yet (a fresh install searches as lexical mode does).
        every = get_backend().search(parsed, filters, offset=offset, limit=limit)
        if every.total or _word_count(parsed) < 2 or not semantic.has_embeddings():
            return every
        return get_backend().search(any_word_query(parsed), filters, offset=offset, limit=limit)
    lexical = some = BackendPage()
    if mode == HYBRID:
        lexical = get_backend().search(parsed, filters, offset=0, limit=window)
        any_word = any_word_query(parsed)
        if _word_count(parsed) > 1:
            some = get_backend().search(any_word, filters, offset=0, limit=window)
        else:
            some = lexical  # one word: "every" and "any" are the same query
        fused = reciprocal_rank_fusion(
            [
                [h.card_id for h in lexical.hits],
                [h.card_id for h in some.hits],
                [pk for pk, _ in meaning],
            ],
            weights=[1.0, HYBRID_ANY_WORD_WEIGHT, 1.0],
        )
        # Matches past the window are not ranked: the total says "at least".
        exact = some.total_exact and some.total <= len(some.hits)
        ranked, total = fused, len(fused)
    else:
        ranked, total, exact = meaning, len(meaning), True
    page = ranked[offset : offset + limit]
    by_id = {h.card_id: h for h in [*some.hits, *lexical.hits]}
    missing = [pk for pk, _ in page if pk not in by_id]
    plain = {
        pk: (question, answer, deck_id, slug, title)
        for pk, question, answer, deck_id, slug, title in Note.objects.filter(
            id__in=missing
        ).values_list("id", "question", "answer", "deck_id", "deck__slug", "deck__title")
    }
    hits: list[BackendHit] = []
    for pk, score in page:
        hit = by_id.get(pk)
        if hit is not None:
            hits.append(
                BackendHit(pk, score, hit.question_snippet, hit.answer_snippet, hit.summary)
            )
        elif pk in plain:
            question, answer, deck_id, slug, title = plain[pk]
            hits.append(
                BackendHit(
                    pk,
                    score,
                    # Found by meaning: no word to highlight, the text as lists show it.
                    _leading_words(markdown_plain_text(question)),
                    _leading_words(answer),
                    summary=(question, deck_id, slug, title),
                )
            )
    return BackendPage(
        hits=hits, total=total, total_exact=exact, corrected_query=lexical.corrected_query
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
