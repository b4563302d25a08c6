"""PostgreSQL backend: weighted tsvector (GIN), websearch_to_tsquery, ts_headline, pg_trgm.

Two measures keep a search's work bounded at a million cards (see bench/search.py):

- Access lexemes. Each document also holds who may find its card: an owner lexeme and, for
  decks listed to everyone (public ones, ``decks_listed_for``), a shared lexeme. A search
  ANDs them into its tsquery, so the GIN index itself drops the cards the user may not
  find and PostgreSQL fetches only searchable rows from the heap (fetching each matching
  row, not matching, is what costs).
  The SQL visibility filter stays as the authority: a document whose lexemes lag a deck's
  change can only be missed for a moment, never shown to the wrong user.
- A ranking window. At most ``SEARCH_RANK_WINDOW`` matching cards are ranked; when more
  match, the total is reported as a lower bound ("5,000+") and the page is the best of the
  first window of matches. Queries that specific (the usual case) are ranked exactly.

What is indexed of a card (at most ``MAX_INDEXED_BYTES``) and the per-deck spelling
vocabulary live in ``pg_words``. A batch the database refuses is retried card by card.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

# The listing rule is looked up on its module at call time: one function, every caller.
from recall.decks import selectors as deck_selectors

from ..base import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
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
from ..query import ParsedQuery, QueryError, Term, code_tokens
from .pg_words import (
    MAX_INDEXED_BYTES,
    WORDS,
    WORDS_SQL,
    corrected_query,
    indexed_text,
    prune_vocabulary,
    vocabulary,
)
from .sql import filter_clauses

TABLE = "search_document"
GIN_INDEX = f"{TABLE}_document_gin"  # as named by migrations/0001_search_index.py
CONFIG = "english"
# Fewer hits than this and the query is retried with misspelt words corrected by pg_trgm.
TYPO_FALLBACK_BELOW = 3
HEADLINE_OPTIONS = (
    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=35, MinWords=12, "
    "ShortWord=2, MaxFragments=1"
)

# Access lexemes start with a private-use character: the English parser makes none from text
# a user types, and if a card's text ever produced one, the SQL visibility filter still rules.
ACCESS_MARK = "\ue010"
SHARED_LEXEME = f"{ACCESS_MARK}shared"
OWNER_LEXEME = f"{ACCESS_MARK}owner:"
# The access lexemes a document holds now, sorted, as a text[] (document aliased "s").
_HELD_ACCESS_SQL = (
    "ARRAY(SELECT u.lexeme FROM unnest(s.document) u "
    f"WHERE starts_with(u.lexeme, '{ACCESS_MARK}') ORDER BY u.lexeme)"
)


def access_array_sql() -> str:
    """The access lexemes of a deck aliased "dk" (decks_deck), as a text[]: its owner's, and
    the shared one when ``decks_listed_for`` lists the deck to everyone."""
    owner = f"'{OWNER_LEXEME}' || dk.owner_id"
    # Visibility values are our own TextChoices constants, never user input.
    shared = ", ".join(f"'{v}'" for v in deck_selectors.decks_listed_for(None).visibilities)
    if not shared:
        return f"ARRAY[{owner}]"
    return (
        f"CASE WHEN dk.visibility IN ({shared}) THEN ARRAY[{owner}, '{SHARED_LEXEME}'] "
        f"ELSE ARRAY[{owner}] END"
    )


# The tables are created by migrations 0001 and 0005 (PostgreSQL only).
def upsert_sql() -> str:
    """Writes documents; an unchanged one is left alone (no row version, no GIN update).
    Returns the ids of the documents inserted or rewritten."""
    return f"""
INSERT INTO {TABLE} (card_id, deck_id, document)
SELECT v.id, v.deck_id,
       setweight(to_tsvector('{CONFIG}', v.question), 'A')
       || setweight(to_tsvector('{CONFIG}', v.answer), 'B')
       || setweight(array_to_tsvector(string_to_array(v.qcodes, ' ')), 'A')
       || setweight(array_to_tsvector(string_to_array(v.acodes, ' ')), 'B')
       || array_to_tsvector({access_array_sql()})
FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[])
     AS v(id, deck_id, question, answer, qcodes, acodes)
JOIN decks_deck dk ON dk.id = v.deck_id
ON CONFLICT (card_id) DO UPDATE SET deck_id = EXCLUDED.deck_id, document = EXCLUDED.document
WHERE {TABLE}.deck_id IS DISTINCT FROM EXCLUDED.deck_id
   OR {TABLE}.document IS DISTINCT FROM EXCLUDED.document
RETURNING card_id
"""


def refresh_access_sql() -> str:
    """Rewrites the access lexemes of the decks' documents that no longer hold the right ones."""
    return f"""
UPDATE {TABLE} s
SET document = ts_delete(s.document, {_HELD_ACCESS_SQL}) || array_to_tsvector(w.lexemes)
FROM (SELECT dk.id, {access_array_sql()} AS lexemes FROM decks_deck dk WHERE dk.id = ANY(%s)) w
WHERE s.deck_id = w.id
  AND {_HELD_ACCESS_SQL} IS DISTINCT FROM ARRAY(SELECT x FROM unnest(w.lexemes) x ORDER BY x)
"""


# Cards already indexed, with the deck they were indexed under: their decks' vocabularies
# may lose words when they change.
INDEXED_DECKS_SQL = f"SELECT card_id, deck_id FROM {TABLE} WHERE card_id = ANY(%s)"
# Headlines read no more of a card than was indexed (ts_headline parses all it is given).
HEADLINE_CHARS = MAX_INDEXED_BYTES  # characters, so at least as many bytes


def _lexeme(text: str) -> str:
    """A tsquery literal: quoted, so its content is never tsquery syntax."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _web_word(term: Term) -> str:
    # "or" is an operator to websearch_to_tsquery (and an English stop word anyway).
    return "" if term.text == "or" else ("-" if term.negated else "") + term.text


def compile_tsquery(query: ParsedQuery, *, for_headline: bool = False) -> tuple[str, list[Any]]:
    """SQL of the tsquery for a parsed query, with its params.

    Plain words and phrases go through websearch_to_tsquery (stemmed); prefixes through
    to_tsquery; code tokens are matched as exact lexemes and, for ranking and highlighting,
    also as the phrase the English parser makes of them. With ``match_any`` (hybrid search's
    lexical leg) the positive words and phrases are ORed, each compiled as above.
    """
    if query.match_any:
        return _compile_any(query, for_headline=for_headline)
    web: list[str] = []
    prefixes: list[str] = []
    exact: list[str] = []
    for term in query.terms:
        if term.prefix:
            target = exact if term.code else prefixes
            target.append(("!" if term.negated else "") + _lexeme(term.text) + ":*")
        elif term.code:
            if not term.negated:
                web.append(f'"{term.text}"')
            exact.append(("!" if term.negated else "") + _lexeme(term.text))
        else:
            web.append(_web_word(term))
    for phrase in query.phrases:
        web.append(("-" if phrase.negated else "") + '"' + " ".join(phrase.words) + '"')
    parts: list[str] = []
    params: list[Any] = []
    web_text = " ".join(w for w in web if w)
    if web_text:
        parts.append(f"websearch_to_tsquery('{CONFIG}', %s)")
        params.append(web_text)
    if prefixes:
        parts.append(f"to_tsquery('{CONFIG}', %s)")
        params.append(" & ".join(prefixes))
    if exact and not for_headline:
        parts.append("%s::tsquery")
        params.append(" & ".join(exact))
    if not parts:
        return "''::tsquery", []
    return " && ".join(parts), params


def _compile_any(query: ParsedQuery, *, for_headline: bool) -> tuple[str, list[Any]]:
    alternatives = [ParsedQuery(terms=[t]) for t in query.positive_terms]
    alternatives += [ParsedQuery(phrases=[p]) for p in query.positive_phrases]
    parts: list[str] = []
    params: list[Any] = []
    for alternative in alternatives:
        sql, alt_params = compile_tsquery(alternative, for_headline=for_headline)
        parts.append(f"({sql})")
        params += alt_params
    if not parts:
        return "''::tsquery", []
    sql = " || ".join(parts)
    excluded = ParsedQuery(terms=query.negative_terms, phrases=query.negative_phrases)
    if excluded.terms or excluded.phrases:
        not_sql, not_params = compile_tsquery(excluded, for_headline=for_headline)
        sql = f"({sql}) && ({not_sql})"
        params += not_params
    return sql, params


def access_tsquery(user: Any) -> str:
    """The tsquery text of the access lexemes that let ``user`` find a document."""
    rule = deck_selectors.decks_listed_for(user)
    lexemes = [SHARED_LEXEME] if rule.visibilities else []
    if rule.owner_id is not None:
        lexemes.append(f"{OWNER_LEXEME}{rule.owner_id}")
    # A user who may find nothing gets a lexeme no document holds.
    return " | ".join(_lexeme(x) for x in lexemes) or _lexeme(f"{ACCESS_MARK}nobody")


def rank_window() -> int:
    return max(1, int(settings.SEARCH_RANK_WINDOW))


def _row_params(live: list[CardRow], texts: list[tuple[str, str]]) -> list[list[Any]]:
    return [
        [r.id for r in live],
        [r.deck_id for r in live],
        [q for q, _a in texts],
        [a for _q, a in texts],
        [" ".join(code_tokens(q)) for q, _a in texts],
        [" ".join(code_tokens(a)) for _q, a in texts],
    ]


class PostgresBackend(SearchBackend):
    name = "postgres"
    denormalises_decks = True  # the access lexemes

    def check(self) -> list[str]:
        if connection.vendor != "postgresql":
            return [
                f"SEARCH_BACKEND is 'postgres' but the database is {connection.vendor}: "
                "set DATABASE_URL to a PostgreSQL database or use SEARCH_BACKEND=sqlite."
            ]
        return []

    def _write(self, cursor: Any, rows: list[CardRow], written: set[int] | None = None) -> int:
        """Index live cards; ``written`` gathers those whose document was new or changed."""
        live = [r for r in rows if not r.is_archived]
        if not live:
            return 0
        texts = [indexed_text(r) for r in live]
        cursor.execute(upsert_sql(), _row_params(live, texts))
        if written is not None:
            written.update(row[0] for row in cursor.fetchall())
        words, decks = vocabulary(live, texts)
        if words:
            cursor.execute(WORDS_SQL, [words, decks])
        return len(live)

    def index(self, card_ids: Iterable[int], failures: list[IndexFailure] | None = None) -> int:
        wanted = set(card_ids)
        seen: set[int] = set()
        refused: list[IndexFailure] = [] if failures is None else failures
        # Decks a card changed in, moved from or left: their vocabularies may hold stale words.
        stale_decks: set[int] = set()
        done = 0
        for rows in card_rows(wanted):
            seen.update(r.id for r in rows)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(INDEXED_DECKS_SQL, [[r.id for r in rows]])
                before = dict(cursor.fetchall())
                archived = [r.id for r in rows if r.is_archived]
                if archived:
                    cursor.execute(f"DELETE FROM {TABLE} WHERE card_id = ANY(%s)", [archived])
                written: set[int] = set()
                write = partial(self._write, cursor, written=written)
                done += write_or_split(write, rows, refused)
                # Cards indexed before whose document changed (new ones only add words).
                changed = written.union(archived) & before.keys()
                stale_decks.update(before[card_id] for card_id in changed)
        stale_decks |= self._remove(wanted - seen)
        self.prune_vocabulary(stale_decks)
        raise_unreported(refused, failures is not None)
        return done

    def refresh_decks(self, deck_ids: Iterable[int]) -> None:
        ids = sorted(set(deck_ids))
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(refresh_access_sql(), [ids])

    def remove(self, card_ids: Iterable[int]) -> None:
        self.prune_vocabulary(self._remove(card_ids))

    @staticmethod
    def _remove(card_ids: Iterable[int]) -> set[int]:
        """Drop these cards' documents; returns the decks they were in."""
        ids = sorted(set(card_ids))
        if not ids:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE card_id = ANY(%s) RETURNING deck_id", [ids])
            return {row[0] for row in cursor.fetchall()}

    def prune_vocabulary(self, deck_ids: Iterable[int]) -> None:
        prune_vocabulary(deck_ids)

    def rebuild(
        self,
        progress: ProgressCallback | None = None,
        failures: list[IndexFailure] | None = None,
    ) -> int:
        refused: list[IndexFailure] = [] if failures is None else failures
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}, {WORDS}")
            # Building a GIN index once over all rows is many times faster than updating it
            # row by row; readers wait on the TRUNCATE's lock either way.
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            done = write_all_cards(lambda rows: self._write(cursor, rows), progress, refused)
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(f"CREATE INDEX {GIN_INDEX} ON {TABLE} USING gin (document)")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        raise_unreported(refused, failures is not None)
        return done

    def search(
        self, query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
    ) -> BackendPage:
        try:
            page = self._search(query, filters, offset=offset, limit=limit)
            if page.total < TYPO_FALLBACK_BELOW and not offset:
                corrected = corrected_query(query, filters)
                if corrected is not None:
                    retry = self._search(corrected, filters, offset=offset, limit=limit)
                    if retry.total > page.total:
                        retry.corrected_query = corrected.to_text()
                        return retry
            return page
        except DatabaseError as exc:
            raise QueryError("This query cannot be searched for; try plain words.") from exc

    def _search(
        self, query: ParsedQuery, filters: SearchFilters, *, offset: int, limit: int
    ) -> BackendPage:
        tsq, tsq_params = compile_tsquery(query)
        # Ranked and highlighted on the stemmed words only: exact code lexemes carry no
        # positions to rank by.
        rq, rq_params = compile_tsquery(query, for_headline=True)
        where, params = filter_clauses(filters, deck_col="d.deck_id", card_col="d.card_id")
        matches = (
            f"FROM {TABLE} d CROSS JOIN (SELECT ({tsq}) && %s::tsquery AS query, "
            f"{rq} AS rank_query) q WHERE d.document @@ q.query{where}"
        )
        match_params = [*tsq_params, access_tsquery(filters.user), *rq_params, *params]
        window = rank_window()
        # One statement, one round trip: rank the window (its LIMIT also keeps the subquery
        # from being flattened, so the count buffers (id, score), not whole tsvectors), cut
        # the page, then headline and describe only the page's cards. LEFT JOINs keep a hit
        # whose card was deleted a moment ago, so the total is never lost with it.
        sql = (
            "WITH page AS (SELECT card_id, score, count(*) OVER () AS found FROM ("
            f"SELECT d.card_id, ts_rank(d.document, q.rank_query) AS score {matches} "
            "LIMIT %s) ranked ORDER BY score DESC, card_id LIMIT %s OFFSET %s) "
            "SELECT p.card_id, p.score, p.found, "
            f"ts_headline('{CONFIG}', left(c.question, {HEADLINE_CHARS}), h.query, %s), "
            f"ts_headline('{CONFIG}', left(c.answer, {HEADLINE_CHARS}), h.query, %s), "
            "c.id, c.question, c.deck_id, dk.slug, dk.title "
            f"FROM page p CROSS JOIN (SELECT {rq} AS query) h "
            "LEFT JOIN decks_note c ON c.id = p.card_id "
            "LEFT JOIN decks_deck dk ON dk.id = c.deck_id "
            "ORDER BY p.score DESC, p.card_id"
        )
        statement_params = [
            *match_params,
            window + 1,
            limit,
            offset,
            HEADLINE_OPTIONS,
            HEADLINE_OPTIONS,
            *rq_params,
        ]
        # Inside a transaction, a savepoint: a failed statement must not poison it.
        guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with guard, connection.cursor() as cursor:
            cursor.execute(sql, statement_params)
            rows = cursor.fetchall()
            found = rows[0][2] if rows else 0
            if not rows and offset:
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 {matches} LIMIT %s) m",
                    [*match_params, window + 1],
                )
                found = cursor.fetchone()[0]
        # One row more than the window was ranked, to know whether it overflowed; show at
        # most the window, as many hits as the total says.
        hits = [
            BackendHit(
                card_id,
                float(score),
                question_snippet or "",
                answer_snippet or "",
                summary=None if live_id is None else (question, deck_id, slug, title),
            )
            for (
                card_id,
                score,
                _found,
                question_snippet,
                answer_snippet,
                live_id,
                question,
                deck_id,
                slug,
                title,
            ) in rows[: max(0, window - offset)]
        ]
        return BackendPage(hits=hits, total=min(found, window), total_exact=found <= window)

    @staticmethod
    def raw_sql(query: ParsedQuery, limit: int = 20) -> tuple[str, list]:
        """The bare tsquery, the benchmark's floor: no visibility, no count, no snippets.

        It ranks the same window of matches as a search does (``SEARCH_RANK_WINDOW``).
        """
        tsq, params = compile_tsquery(query)
        rq, rq_params = compile_tsquery(query, for_headline=True)
        return (
            "SELECT card_id, score FROM ("
            f"SELECT d.card_id, ts_rank(d.document, q.rank_query) AS score "
            f"FROM {TABLE} d CROSS JOIN (SELECT {tsq} AS query, {rq} AS rank_query) q "
            "WHERE d.document @@ q.query LIMIT %s) m ORDER BY score DESC LIMIT %s",
            [*params, *rq_params, rank_window() + 1, limit],
        )

    @staticmethod
    def raw_count_sql(query: ParsedQuery) -> tuple[str, list]:
        """How many cards match, readable or not (the benchmark prints it)."""
        tsq, params = compile_tsquery(query)
        return f"SELECT count(*) FROM {TABLE} d WHERE d.document @@ ({tsq})", params
