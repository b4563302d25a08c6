"""The search backend contract: index, remove, search and rebuild, with scored, highlighted hits."""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import escape  # Django's escape() is this behind a lazy-text wrapper
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.safestring import SafeString

from recall.core.text import uncloze
from recall.decks.models import Note

from .query import ParsedQuery

logger = logging.getLogger(__name__)

# Private-use characters mark highlights inside raw snippets; the query parser strips them
# from input, and snippet_html() turns each balanced pair into <mark> after escaping.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"
SNIPPET_WORDS = 24
INDEX_BATCH = 500

ProgressCallback = Callable[[int, int], None]
_MARKED_RE = re.compile(f"{HIGHLIGHT_START}([^{HIGHLIGHT_START}{HIGHLIGHT_END}]*){HIGHLIGHT_END}")


# Markdown syntax that means nothing in a one-line snippet cut from a card's source text.
# Underscores and single asterisks stay: they are part of code (__init__, a * b).
_MARKDOWN_NOISE = [
    # (a string the syntax must contain, its pattern, the replacement)
    ("```", re.compile(r"```[\w+#.-]*"), " "),  # code fences, with their language
    ("~~~", re.compile(r"~~~[\w+#.-]*"), " "),
    ("\n", re.compile(r"(?m)^[ \t]*(?:#{1,6}|>+|[-+*])[ \t]+"), ""),  # headings, quotes, bullets
    ("](", re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)"), r"\1"),  # [text](url), ![alt](src)
    ("**", re.compile(r"\*\*"), ""),  # bold markers
    ("`", re.compile(r"`"), ""),  # inline-code backticks
]
_LINE_START_SYNTAX_RE = re.compile(r"^[ \t]*(?:#{1,6}|>+|[-+*])[ \t]")


def snippet_text(raw: str) -> str:
    """A raw snippet without Markdown syntax (fences, heading marks, link targets, cloze
    markers...)."""
    raw = uncloze(raw)
    for needle, pattern, replacement in _MARKDOWN_NOISE:
        # A cheap test first: most snippets hold little or no syntax.
        if needle in raw or (needle == "\n" and _LINE_START_SYNTAX_RE.match(raw)):
            raw = pattern.sub(replacement, raw)
    return raw


def snippet_html(raw: str) -> SafeString:
    """Escape a raw snippet and turn only our own highlight markers into <mark> tags.

    Markdown syntax is dropped first (``snippet_text``): cards are indexed as written.
    Escaping leaves the private-use markers alone, so they are paired after it.
    """
    text = escape(snippet_text(raw))
    text = _strip_markers(_MARKED_RE.sub(r"<mark>\1</mark>", text))
    return SafeString(" ".join(text.split()))  # every piece was escaped above


def _strip_markers(text: str) -> str:
    return text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


@dataclass(frozen=True)
class SearchFilters:
    """Who searches and what they narrowed the search to."""

    user: Any
    deck_slugs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass
class BackendHit:
    card_id: int
    score: float
    question_snippet: str = ""
    answer_snippet: str = ""
    # (question, deck id, deck slug, deck title) when the backend read them with the hit
    # (PostgreSQL does, in the same statement); otherwise the selector reads them.
    summary: tuple[str, int, str, str] | None = None


@dataclass
class BackendPage:
    hits: list[BackendHit] = field(default_factory=list)
    total: int = 0
    # False when the backend stopped counting: at least ``total`` cards match.
    total_exact: bool = True
    # Set when the backend searched for a corrected spelling instead of the query as typed.
    corrected_query: str = ""


@dataclass(frozen=True)
class CardRow:
    """What an index needs of a card; archived cards are never indexed."""

    id: int
    deck_id: int
    question: str
    answer: str
    is_archived: bool


# What an index reads of a note: its context (the headings above it in its notes file) is
# searched as part of the answer, so "Django" finds the cards written under "## Django".
ROW_FIELDS = ("id", "deck_id", "question", "answer", "context", "is_archived")


def card_row(
    id: int, deck_id: int, question: str, answer: str, context: str, is_archived: bool
) -> CardRow:
    if context:
        path = " / ".join(context.split("\n"))
        answer = f"{answer}\n\n{path}" if answer else path
    return CardRow(id, deck_id, question, answer, is_archived)


def card_rows(card_ids: Iterable[int]) -> Iterator[list[CardRow]]:
    """Cards by id in batches; ids of missing cards are simply absent."""
    ids = sorted(set(card_ids))
    for start in range(0, len(ids), INDEX_BATCH):
        chunk = ids[start : start + INDEX_BATCH]
        rows = Note.objects.filter(id__in=chunk).values_list(*ROW_FIELDS)
        yield [card_row(*row) for row in rows]


def all_card_rows(batch: int = 2000) -> Iterator[list[CardRow]]:
    """Every live card in id order, by keyset pagination (constant memory at 1M rows)."""
    last = 0
    while True:
        rows = list(
            Note.objects.filter(id__gt=last, is_archived=False)
            .order_by("id")
            .values_list(*ROW_FIELDS)[:batch]
        )
        if not rows:
            return
        yield [card_row(*row) for row in rows]
        last = rows[-1][0]


@dataclass(frozen=True)
class IndexFailure:
    """A card the index refused, and the database's reason (its first line)."""

    card_id: int
    reason: str


class IndexWriteError(Exception):
    """Some cards could not be indexed; every other card of the same call was."""

    def __init__(self, failures: list[IndexFailure]) -> None:
        self.failures = failures
        ids = ", ".join(str(f.card_id) for f in failures[:20])
        super().__init__(f"{len(failures)} note(s) could not be indexed: {ids}")


def write_or_split(
    write: Callable[[list[CardRow]], int], rows: list[CardRow], failures: list[IndexFailure]
) -> int:
    """Write a batch in a savepoint; if the database refuses it, write its cards one by one,
    so one bad card costs only itself. Refused cards are appended to ``failures``."""
    try:
        with transaction.atomic():
            return write(rows)
    except DatabaseError as exc:
        if len(rows) == 1:
            _refused(rows[0], exc, failures)
            return 0
    done = 0
    for row in rows:
        try:
            with transaction.atomic():
                done += write([row])
        except DatabaseError as exc:
            _refused(row, exc, failures)
    return done


def _refused(row: CardRow, exc: Exception, failures: list[IndexFailure]) -> None:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.error("search index refused card %s: %s", row.id, reason)
    failures.append(IndexFailure(row.id, reason))


def raise_unreported(failures: list[IndexFailure], caller_collects: bool) -> None:
    """Raise for refused cards unless the caller asked to collect them (never lost silently)."""
    if failures and not caller_collects:
        raise IndexWriteError(failures)


def write_all_cards(
    write: Callable[[list[CardRow]], int],
    progress: ProgressCallback | None = None,
    failures: list[IndexFailure] | None = None,
) -> int:
    """Hand every live card to ``write`` in batches, reporting progress; returns cards written.

    A batch the database refuses is split (``write_or_split``): the refused cards go to
    ``failures`` and the rebuild goes on with the rest.
    """
    refused = failures if failures is not None else []
    total = Note.objects.filter(is_archived=False).count()
    done = 0
    for rows in all_card_rows():
        done += write_or_split(write, rows, refused)
        if progress:
            progress(done, total)
    return done


class SearchBackend(ABC):
    """One contract for every search engine Recall can use."""

    name: str = ""
    # True when the index holds copies of deck fields (visibility, owner, slug) that must be
    # refreshed when a deck changes (see refresh_decks).
    denormalises_decks: bool = False
    # True when the index holds copies of a card's tags, refreshed when they change.
    denormalises_tags: bool = False
    # True when the index holds the notes' embeddings (reindexed when they change) and
    # ranks nearest notes itself (``nearest``).
    stores_vectors: bool = False

    @abstractmethod
    def index(self, card_ids: Iterable[int], failures: list[IndexFailure] | None = None) -> int:
        """(Re)index these cards; archived or deleted ones are removed. Returns cards indexed.

        Cards the index refuses are appended to ``failures``; without that list, the others
        are indexed and IndexWriteError is raised at the end.
        """

    @abstractmethod
    def remove(self, card_ids: Iterable[int]) -> None:
        """Drop these cards from the index."""

    @abstractmethod
    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
    ) -> BackendPage:
        """Hits the user may read, best first, with highlighted snippets.

        The query has at least one word: a query of filters alone is listed by the
        selector (``filtered_cards``), the same for every backend.
        """

    @abstractmethod
    def rebuild(
        self,
        progress: ProgressCallback | None = None,
        failures: list[IndexFailure] | None = None,
    ) -> int:
        """Empty the index and index every live card. Returns cards indexed.

        Refused cards are reported as by ``index``; the rebuild goes on without them.
        """

    def refresh_decks(self, deck_ids: Iterable[int]) -> None:
        """Bring the index's copies of these decks' fields up to date (only called when
        ``denormalises_decks``); by default, reindex every card of the decks."""
        ids = list(Note.objects.filter(deck_id__in=list(deck_ids)).values_list("id", flat=True))
        if ids:
            self.index(ids)

    def nearest(
        self, vector: list[float], filters: SearchFilters, *, k: int
    ) -> list[tuple[int, float]] | None:
        """(note id, cosine similarity) of the ``k`` notes nearest ``vector`` that the search
        may find, best first; None when the database ranks them (recall.semantic.index)."""
        return None

    def check(self) -> list[str]:
        """Configuration problems, as messages (used by the system check)."""
        return []
