"""SQLite FTS5 backend: the embedded default, bm25 ranking and snippet() highlights."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection, transaction

from ..base import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SNIPPET_WORDS,
    BackendHit,
    BackendPage,
    CardRow,
    IndexFailure,
    ProgressCallback,
    SearchBackend,
    SearchFilters,
    card_rows,
    raise_unreported,
    write_all_cards,
    write_or_split,
)
from ..query import ParsedQuery, QueryError, Term, identifier_parts
from .sql import filter_clauses

TABLE = "search_card_fts"
# Each indexed card's deck, in a narrow rowid table: the visibility filter joins it, since
# reading a column of the FTS5 table would load the card's whole stored text per match.
DECKS = "search_card"
# FTS5 columns: question, answer, and the words inside snake_case identifiers.
# bm25 weights: question well above answer, identifier parts lowest.
BM25 = f"bm25({TABLE}, 10.0, 2.0, 1.0)"
# tokenize="porter unicode61 remove_diacritics 2 tokenchars '_'": '_' is a token character
# so select_related and __init__ stay whole tokens; "asgi.py" is matched as the adjacent
# tokens asgi, py; porter stems English words like the other backends.
# The tables are created by migrations 0001 and 0002 (SQLite only).


def _quote(text: str) -> str:
    """An FTS5 string: every query token is quoted, so nothing in it is ever syntax."""
    return '"' + text.replace('"', '""') + '"'


def _term(term: Term) -> str:
    return _quote(term.text) + ("*" if term.prefix else "")


def compile_match(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression of a parsed query."""
    positives = [_term(t) for t in query.positive_terms]
    positives += [_quote(" ".join(p.words)) for p in query.positive_phrases]
    expr = (" OR " if query.match_any else " AND ").join(positives)
    negatives = [_term(t) for t in query.negative_terms]
    negatives += [_quote(" ".join(p.words)) for p in query.negative_phrases]
    if negatives:
        expr = f"({expr}) NOT ({' OR '.join(negatives)})"
    return expr


def compile_highlight(query: ParsedQuery, texts: list[str] | None = None) -> str:
    """The MATCH expression snippet() highlights with: any positive word or phrase.

    A prefix would make FTS5 merge the doclists of every word it starts, a second time;
    instead it is replaced by the words of the page's own texts that it starts.
    """
    parts = [_quote(t.text) for t in query.positive_terms if not t.prefix]
    parts += [_quote(" ".join(p.words)) for p in query.positive_phrases]
    prefixes = [t.text for t in query.positive_terms if t.prefix]
    if prefixes and texts:
        words = sorted(set(_WORD_RE.findall(" ".join(texts).lower())))
        for prefix in prefixes:
            parts += [_quote(w) for w in words if w.startswith(prefix)][:50]
    return " OR ".join(parts)


_WORD_RE = re.compile(r"\w+")
INSERT_TEXT_SQL = f"INSERT INTO {TABLE} (rowid, question, answer, parts) VALUES (%s, %s, %s, %s)"
INSERT_DECK_SQL = f"INSERT INTO {DECKS} (card_id, deck_id) VALUES (%s, %s)"


def _insert(cursor: Any, rows: list[CardRow]) -> int:
    live = [r for r in rows if not r.is_archived]
    cursor.executemany(
        INSERT_TEXT_SQL,
        [(r.id, r.question, r.answer, identifier_parts(f"{r.question}\n{r.answer}")) for r in live],
    )
    cursor.executemany(INSERT_DECK_SQL, [(r.id, r.deck_id) for r in live])
    return len(live)


class SQLiteFTSBackend(SearchBackend):
    name = "sqlite"

    def check(self) -> list[str]:
        if connection.vendor != "sqlite":
            return [
                f"SEARCH_BACKEND is 'sqlite' but the database is {connection.vendor}: "
                "use SEARCH_BACKEND=postgres with PostgreSQL."
            ]
        return []

    def index(self, card_ids: Iterable[int], failures: list[IndexFailure] | None = None) -> int:
        wanted = set(card_ids)
        seen: set[int] = set()
        refused: list[IndexFailure] = [] if failures is None else failures
        done = 0
        for rows in card_rows(wanted):
            seen.update(r.id for r in rows)
            with transaction.atomic(), connection.cursor() as cursor:
                self._delete(cursor, [r.id for r in rows])
                done += write_or_split(lambda batch: _insert(cursor, batch), rows, refused)
        # Ids whose card is gone entirely must leave the index too.
        self.remove(wanted - seen)
        raise_unreported(refused, failures is not None)
        return done

    @staticmethod
    def _delete(cursor: Any, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", chunk)
            cursor.execute(f"DELETE FROM {DECKS} WHERE card_id IN ({marks})", chunk)

    def remove(self, card_ids: Iterable[int]) -> None:
        ids = sorted(set(card_ids))
        if ids:
            with transaction.atomic(), connection.cursor() as cursor:
                self._delete(cursor, ids)

    def rebuild(
        self,
        progress: ProgressCallback | None = None,
        failures: list[IndexFailure] | None = None,
    ) -> int:
        refused: list[IndexFailure] = [] if failures is None else failures
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            cursor.execute(f"DELETE FROM {DECKS}")
            done = write_all_cards(lambda rows: _insert(cursor, rows), progress, refused)
            # Merge the index segments written by many small inserts into one.
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
        raise_unreported(refused, failures is not None)
        return done

    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
    ) -> BackendPage:
        match = compile_match(query)
        where, params = filter_clauses(filters, deck_col="d.deck_id", card_col="d.card_id")
        # One statement ranks, filters and counts; snippets are made for the page only.
        # (bm25() cannot sit beside a window function, hence the subquery.)
        sql = (
            f"SELECT id, score, count(*) OVER () FROM (SELECT d.card_id AS id, {BM25} AS score "
            f"FROM {TABLE} JOIN {DECKS} d ON d.card_id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s{where}) ORDER BY score, id LIMIT %s OFFSET %s"
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, [match, *params, limit, offset])
                ranked = cursor.fetchall()
                snippets = self._snippets(cursor, query, [r[0] for r in ranked])
        except (sqlite3.OperationalError, DatabaseError) as exc:
            # The parser only emits quoted tokens, so this is a token the tokenizer dropped.
            raise QueryError("This query cannot be searched for; try plain words.") from exc
        hits = [
            BackendHit(card_id, -score, *snippets.get(card_id, ("", "")))
            for card_id, score, _total in ranked
        ]
        total = ranked[0][2] if ranked else 0
        if not ranked and offset:
            total = self._count(match, where, params)
        return BackendPage(hits=hits, total=total)

    @staticmethod
    def _count(match: str, where: str, params: list) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {TABLE} JOIN {DECKS} d ON d.card_id = {TABLE}.rowid "
                f"WHERE {TABLE} MATCH %s{where}",
                [match, *params],
            )
            return int(cursor.fetchone()[0])

    @staticmethod
    def _snippets(cursor: Any, query: ParsedQuery, ids: list[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        texts = None
        if any(t.prefix for t in query.positive_terms):
            # A rowid lookup, not a MATCH: cheap, and it tells which words the prefixes hit.
            cursor.execute(f"SELECT question, answer FROM {TABLE} WHERE rowid IN ({marks})", ids)
            texts = [text for row in cursor.fetchall() for text in row]
        match = compile_highlight(query, texts)
        if not match:
            return {}
        args = f"'{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', {SNIPPET_WORDS}"
        cursor.execute(
            f"SELECT rowid, snippet({TABLE}, 0, {args}), snippet({TABLE}, 1, {args}) "
            f"FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({marks})",
            [match, *ids],
        )
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    @staticmethod
    def raw_sql(query: ParsedQuery, limit: int = 20) -> tuple[str, list]:
        """The bare MATCH the benchmark uses as its floor: no visibility, no count, no snippets."""
        return (
            f"SELECT rowid, {BM25} AS score FROM {TABLE} WHERE {TABLE} MATCH %s "
            "ORDER BY score LIMIT %s",
            [compile_match(query), limit],
        )

    @staticmethod
    def raw_count_sql(query: ParsedQuery) -> tuple[str, list]:
        """How many cards match, readable or not (the benchmark prints it)."""
        return f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s", [compile_match(query)]
