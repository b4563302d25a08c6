"""PostgreSQL: how much of a card is indexed, and the per-deck spelling vocabulary.

PostgreSQL refuses a tsvector over 1 MB ("string is too long for tsvector"), so a card is
indexed on the first ``MAX_INDEXED_BYTES`` of its question and answer together, question
first; the rest stays readable on the card but is not searchable.

Misspelt words are corrected with pg_trgm from the words of the decks the user may search
(``searchable_decks_sql``, the listing rule of ``recall.decks.selectors``), so a correction
never reveals a word of another user's private or unlisted card. The vocabulary is kept per
deck (``search_deck_word``, migration 0005): a deck's words are recomputed when one of its
cards changes, moves or leaves, and dropped with the deck.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from django.db import connection, transaction

from recall.decks.models import Note

from ..base import ROW_FIELDS, CardRow, SearchFilters, card_row
from ..query import ParsedQuery, Term
from .sql import searchable_decks_sql

# A text of distinct short words (numbers, identifiers) makes a tsvector about 2.5 times its
# size (lexeme, entry header, position, plus the code-token copy): 256 KB of question and
# answer together stays well under the 1 MB limit.
MAX_INDEXED_BYTES = 256 * 1024

WORDS = "search_deck_word"  # (word, deck_id), a trigram index on word
WORDS_SQL = (
    f"INSERT INTO {WORDS} (word, deck_id) SELECT * FROM unnest(%s::text[], %s::bigint[]) "
    "ON CONFLICT DO NOTHING"
)
_VOCAB_RE = re.compile(r"[^\W\d_]{3,40}")


def _clip(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-8 bytes."""
    if len(text) * 4 <= limit:  # no character takes more than four bytes
        return text
    return text.encode()[:limit].decode(errors="ignore")


def indexed_text(row: CardRow) -> tuple[str, str]:
    """The question and answer as indexed: at most MAX_INDEXED_BYTES together, question first."""
    question = _clip(row.question, MAX_INDEXED_BYTES)
    answer = _clip(row.answer, MAX_INDEXED_BYTES - len(question.encode()))
    return question, answer


def vocabulary(live: list[CardRow], texts: list[tuple[str, str]]) -> tuple[list[str], list[int]]:
    """(word, deck id) pairs of these cards' indexed texts, as two parallel lists."""
    pairs: set[tuple[str, int]] = set()
    for row, (question, answer) in zip(live, texts, strict=True):
        pairs.update((w, row.deck_id) for w in _VOCAB_RE.findall(f"{question} {answer}".lower()))
    ordered = sorted(pairs)
    return [w for w, _d in ordered], [d for _w, d in ordered]


def _deck_card_rows(deck_id: int, batch: int = 2000) -> Iterator[list[CardRow]]:
    """The live cards of a deck in id order, in batches (keyset pagination)."""
    last = 0
    while True:
        rows = list(
            Note.objects.filter(deck_id=deck_id, id__gt=last, is_archived=False)
            .order_by("id")
            .values_list(*ROW_FIELDS)[:batch]
        )
        if not rows:
            return
        yield [card_row(*row) for row in rows]
        last = rows[-1][0]


def prune_vocabulary(deck_ids: Iterable[int]) -> None:
    """Recompute these decks' words from their live cards (none left for a deleted deck).

    Reads each deck's cards once, in batches; runs in the index task, never in a request.
    """
    for deck_id in sorted(set(deck_ids)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {WORDS} WHERE deck_id = %s", [deck_id])
            for rows in _deck_card_rows(deck_id):
                words, decks = vocabulary(rows, [indexed_text(r) for r in rows])
                if words:
                    cursor.execute(WORDS_SQL, [words, decks])


def corrected_query(query: ParsedQuery, filters: SearchFilters) -> ParsedQuery | None:
    """The query with each unknown plain word replaced by its nearest known word, or None.

    Known words are those of the decks this search may find, so a correction never reveals
    a word of a deck the user cannot search.
    """
    decks, deck_params = searchable_decks_sql(filters)
    changed = False
    terms: list[Term] = []
    with connection.cursor() as cursor:
        for term in query.terms:
            if term.code or term.prefix or term.negated or len(term.text) < 4:
                terms.append(term)
                continue
            cursor.execute(
                f"SELECT 1 FROM {WORDS} WHERE word = %s AND deck_id IN ({decks}) LIMIT 1",
                [term.text, *deck_params],
            )
            if cursor.fetchone():
                terms.append(term)
                continue
            cursor.execute(
                f"SELECT word FROM {WORDS} WHERE word %% %s AND deck_id IN ({decks}) "
                "ORDER BY similarity(word, %s) DESC, word LIMIT 1",
                [term.text, *deck_params, term.text],
            )
            row = cursor.fetchone()
            if row and row[0] != term.text:
                terms.append(replace(term, text=row[0]))
                changed = True
            else:
                terms.append(term)
    if not changed:
        return None
    return replace(query, terms=terms)
