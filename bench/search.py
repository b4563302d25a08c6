"""Search benchmark: Recall's search against the bare engine query, at 10k / 100k / 1M cards.

Run: .venv/bin/python bench/search.py [--sizes 10k,100k] [--full] [--engines sqlite,postgres]

For each engine and size, synthetic cards (words drawn from the flagship notes with a
Zipf-like frequency, plus code tokens such as select_related) are written in bulk
(executemany on SQLite, COPY on PostgreSQL) into a throw-away database, the index is
rebuilt, and a fixed mix of queries is timed two ways in the same run, taking turns:

- recall: recall.search.selectors.search_cards: parse, the backend's ranked query with the
  visibility filter (deck_listed_q) and the total, snippets of the page, the page's cards.
- floor:  the bare engine query (FTS5 MATCH ordered by bm25 / tsquery ordered by ts_rank,
  LIMIT 20) with no visibility filter, no count, no snippets. On PostgreSQL both rank the
  same window of matches (SEARCH_RANK_WINDOW, 5,000): Recall the first 5,000 the user may
  read (its access lexemes let the GIN index drop the others), the floor the first 5,000
  of all. A query with more readable matches shows "5,000+" in the readable column.

Printed: p50 and p95 per engine and size, the ratio recall/floor, and whether the goal
(ratio <= 1.3 and p95 < 50 ms at 1M) is met. Missing the goal is printed, never an error.

With the semantic extra installed, semantic and hybrid search are timed too at each size
(search_cards with mode=semantic / mode=hybrid: the nearest notes among the readable decks,
fused with the lexical page for hybrid). Encoding 100k notes with the model takes far too
long on a CPU for a benchmark, so every card gets a random unit vector instead (said in the
output): the ranking cost does not depend on what the vectors mean. The query's own
encoding is timed apart, once per query (search_cards remembers recent query vectors).
SQLite uses a temporary file; PostgreSQL runs when DATABASE_URL is set and uses a database
named after it with a "_bench" suffix, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _setup  # noqa: E402

# Word pools come from the repository's own notes, or from RECALL_CORPUS_DIR when it is set.
CORPUS = Path(os.environ.get("RECALL_CORPUS_DIR") or ROOT / "tests" / "fixtures")

GOAL_RATIO = 1.3
GOAL_P95_MS = 50.0
REPEATS = 15
PAGE_SIZE = 20
CARDS_PER_DECK = 500
POOL = 40_000  # distinct questions and answers; cards draw from these pools

FALLBACK_WORDS = " ".join(
    [
        "django model view template queryset migration signal middleware request response",
        "session cache celery task worker redis postgres index query join filter annotate",
        "aggregate serializer router viewset permission token form field validation admin",
        "static media settings deploy gunicorn nginx docker test fixture factory transaction",
    ]
).split(" ")
CODE_TOKENS = [
    "select_related",
    "prefetch_related",
    "__init__",
    "__str__",
    "asgi.py",
    "wsgi.py",
    "settings.py",
    "@classmethod",
    "@staticmethod",
    "@property",
    "get_queryset",
    "on_commit",
    "post_save",
    "bulk_create",
    "only_once",
]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def vocabulary() -> list[str]:
    words: dict[str, None] = {}
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.md")):
            for word in re.findall(r"[a-z][a-z]{2,14}", path.read_text("utf-8").lower()):
                words.setdefault(word, None)
    for word in FALLBACK_WORDS:
        words.setdefault(word, None)
    # Synthetic rare words give the long tail a real vocabulary has.
    return list(words) + [f"term{i}" for i in range(20_000)]


class TextMaker:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        weights = [1.0 / (rank + 10) for rank in range(len(self.words))]
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)

    def sentence(self, low: int, high: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(low, high))
        if self.rng.random() < 0.1:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(CODE_TOKENS))
        return " ".join(words)

    def pools(self) -> tuple[list[str], list[str]]:
        questions = [self.sentence(5, 12).capitalize() + "?" for _ in range(POOL)]
        answers = [self.sentence(20, 60).capitalize() + "." for _ in range(POOL)]
        return questions, answers


# -- one engine, in its own process ------------------------------------------------------------


def setup_django(engine: str, database_url: str) -> None:
    _setup.setup_django(database_url, search_backend=engine)


def create_people(n_decks: int) -> tuple[Any, list[int]]:
    from recall.accounts.models import User
    from recall.decks.models import Deck, Visibility

    rng = random.Random(7)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com")
            for i in range(max(2, n_decks // 4))
        ]
    )
    choices = [Visibility.PUBLIC] * 25 + [Visibility.UNLISTED] * 10 + [Visibility.PRIVATE] * 65
    decks = Deck.objects.bulk_create(
        [
            Deck(
                owner=users[i % len(users)],
                title=f"Deck {i}",
                slug=f"deck-{i}",
                visibility=rng.choice(choices),
            )
            for i in range(n_decks)
        ]
    )
    return users[0], [d.pk for d in decks]


def card_columns() -> list[str]:
    from recall.decks.models import Note

    # Search indexes notes: the corpus is notes (their cards play no part in a search).
    return [f.column for f in Note._meta.local_concrete_fields if not f.primary_key]


def card_row_values(deck_id: int, position: int, question: str, answer: str, now: Any) -> dict:
    return {
        "created_at": now,
        "updated_at": now,
        "position": position,
        "kind": "basic",
        "question": question,
        "answer": answer,
        "question_html": "",
        "answer_html": "",
        "source_file": "",
        "source_line": None,
        "source_key": "",
        "content_hash": "",
        "is_archived": False,
        "deck_id": deck_id,
    }


def insert_cards(
    start: int, stop: int, deck_ids: list[int], pools: tuple[list[str], list[str]]
) -> None:
    """Cards start..stop-1, written in bulk: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction
    from django.utils import timezone

    from recall.decks.models import Note

    columns = card_columns()
    defaults = {
        f.column: f.get_default() for f in Note._meta.local_concrete_fields if not f.primary_key
    }
    now = timezone.now()
    questions, answers = pools
    rng = random.Random(start)

    def rows(lo: int, hi: int) -> list[tuple]:
        out = []
        for i in range(lo, hi):
            values = {
                **defaults,
                **card_row_values(
                    deck_ids[i // CARDS_PER_DECK % len(deck_ids)],
                    i,
                    rng.choice(questions),
                    rng.choice(answers),
                    now,
                ),
            }
            out.append(tuple(values[c] for c in columns))
        return out

    table = Note._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for lo in range(start, stop, 50_000):
                    for row in rows(lo, min(stop, lo + 50_000)):
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for lo in range(start, stop, 20_000):
                cursor.executemany(sql, rows(lo, min(stop, lo + 20_000)))


def query_sets() -> dict[str, list[str]]:
    """The queries timed, in two sets.

    typical: what people type to find a card: one to three specific words, a phrase, code
    tokens, a prefix, a deck filter, an exclusion (each matches at most a few percent of
    the cards). The goal is measured on these.
    broad: a very common word or a short prefix, matching a large share of all cards; every
    match must be ranked, so both columns grow with the index. Printed, no goal.
    """
    w = vocabulary()
    return {
        "typical": [
            w[300],
            w[700],
            w[1500],
            w[3000],
            f"{w[100]} {w[400]}",
            f"{w[50]} {w[60]} {w[900]}",
            f'"{w[30]} {w[31]}"',
            "select_related",
            "asgi.py",
            "@classmethod",
            f"{next(x for x in w[1000:] if len(x) >= 8)[:6]}*",
            f"{w[500]} deck:deck-1",
            f"{w[800]} -{w[20]}",
        ],
        "broad": [w[5], w[20], f"{w[15]} {w[25]}", f"{w[600][:4]}*"],
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_queries(
    user: Any, queries: list[str]
) -> tuple[list[float], list[float], list[tuple[str, int, str, float, float]]]:
    from django.db import connection

    from recall.search.backends import get_backend
    from recall.search.query import parse_query
    from recall.search.selectors import search_cards

    backend = get_backend()
    recall_ms: list[float] = []
    floor_ms: list[float] = []
    matches: list[tuple[str, int, str, float, float]] = []
    for query in queries:
        parsed = parse_query(query)
        sql, params = backend.raw_sql(parsed, PAGE_SIZE)  # type: ignore[attr-defined]

        def recall(query: str = query) -> str:
            results = search_cards(user=user, query=query, page_size=PAGE_SIZE, mode="lexical")
            return f"{results.total:,}" + ("" if results.total_exact else "+")

        def floor(sql: str = sql, params: list = params) -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return len(cursor.fetchall())

        total = recall()
        floor()  # warm both
        with connection.cursor() as cursor:
            cursor.execute(*backend.raw_count_sql(parsed))  # type: ignore[attr-defined]
            all_matches = cursor.fetchone()[0]
        mine: list[float] = []
        bare: list[float] = []
        for _ in range(REPEATS):
            for fn, sink in ((recall, mine), (floor, bare)):
                t0 = time.perf_counter()
                fn()
                sink.append((time.perf_counter() - t0) * 1000)
        recall_ms += mine
        floor_ms += bare
        matches.append(
            (query, all_matches, total, statistics.median(mine), statistics.median(bare))
        )
    return recall_ms, floor_ms, matches


SEMANTIC_QUERIES = [
    "why are threads useless for cpu work",
    "run a task every night",
    "select_related",
    "how do signals work",
    "migration of the schema",
]


def random_vectors(batch: int = 5000) -> int:
    """A random unit vector for every card without an embedding (see the module docstring)."""
    import numpy as np

    from recall.decks.models import Note
    from recall.semantic.embeddings import DIMENSIONS
    from recall.semantic.models import NoteEmbedding

    rng = np.random.default_rng(11)
    ids = list(
        Note.objects.filter(embedding__isnull=True).order_by("id").values_list("id", flat=True)
    )
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        vectors = rng.standard_normal((len(chunk), DIMENSIONS)).astype("<f4")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        NoteEmbedding.objects.bulk_create(
            NoteEmbedding(note_id=pk, text_hash="random", vector=row.tobytes())
            for pk, row in zip(chunk, vectors, strict=True)
        )
    return len(ids)


def time_semantic(user: Any, engine: str) -> None:
    """p50/p95 of semantic and hybrid search_cards, the query vectors already encoded."""
    from recall.search.selectors import search_cards
    from recall.semantic import index
    from recall.semantic.selectors import _encode_cached, encode_query

    _encode_cached.cache_clear()  # each size times the model once more, not the cache
    encode_ms = []
    for query in SEMANTIC_QUERIES:
        t0 = time.perf_counter()
        encode_query(query)
        encode_ms.append((time.perf_counter() - t0) * 1000)
    for mode in ("semantic", "hybrid"):
        search_cards(user=user, query=SEMANTIC_QUERIES[0], page_size=PAGE_SIZE, mode=mode)
        timings = []
        for _ in range(REPEATS):
            for query in SEMANTIC_QUERIES:
                t0 = time.perf_counter()
                search_cards(user=user, query=query, page_size=PAGE_SIZE, mode=mode)
                timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"  {mode:<8} p50 {percentile(timings, 0.5):7.2f} ms  "
            f"p95 {percentile(timings, 0.95):7.2f} ms  (ranking: {index.engine_name()}; "
            f"random unit vectors, not the model's; load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    print(
        f"  encoding one query with the model: median {statistics.median(encode_ms):.1f} ms "
        "(once per distinct query)",
        flush=True,
    )


def run_engine(engine: str, database_url: str, sizes: list[int]) -> None:
    setup_django(engine, database_url)
    from django.core.management import call_command
    from django.db import connection

    from recall.search.backends import get_backend

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        from django.conf import settings

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('server_version'), current_setting('shared_buffers')"
            )
            version, buffers = cursor.fetchone()
        print(
            f"postgres  server {version}, shared_buffers {buffers}, "
            f"rank window {settings.SEARCH_RANK_WINDOW:,}",
            flush=True,
        )
    maker = TextMaker()
    pools = maker.pools()
    largest = max(sizes)
    user, deck_ids = create_people(max(10, largest // CARDS_PER_DECK))
    backend = get_backend()
    done = 0
    for size in sorted(sizes):
        t0 = time.perf_counter()
        insert_cards(done, size, deck_ids, pools)
        gen_s = time.perf_counter() - t0
        done = size
        t0 = time.perf_counter()
        backend.rebuild()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        index_s = time.perf_counter() - t0
        print(
            f"{engine:<9} {size:>9,} cards: written in {gen_s:.1f}s, indexed in {index_s:.1f}s",
            flush=True,
        )
        for name, queries in query_sets().items():
            recall_ms, floor_ms, matches = time_queries(user, queries)
            r50, r95 = percentile(recall_ms, 0.5), percentile(recall_ms, 0.95)
            f50, f95 = percentile(floor_ms, 0.5), percentile(floor_ms, 0.95)
            ratio50 = r50 / f50 if f50 else float("inf")
            ratio95 = r95 / f95 if f95 else float("inf")
            counts = [m[1] for m in matches]
            print(
                f"  {name:<8} recall p50 {r50:7.2f} ms  p95 {r95:7.2f} ms | "
                f"floor p50 {f50:7.2f} ms  p95 {f95:7.2f} ms | "
                f"ratio p50 {ratio50:4.2f}  p95 {ratio95:4.2f} | "
                f"matches {min(counts):,}..{max(counts):,} "
                f"(median {statistics.median(counts):,.0f})",
                flush=True,
            )
            for query, found, readable, mine, bare in matches:
                print(
                    f"      {query[:32]:<32} {found:>9,} matches {readable:>9} readable  "
                    f"recall {mine:8.2f} ms  floor {bare:8.2f} ms",
                    flush=True,
                )
            if name == "typical" and size >= 1_000_000:
                met = ratio95 <= GOAL_RATIO and r95 < GOAL_P95_MS
                print(
                    f"  goal at 1M, typical (ratio p95 <= {GOAL_RATIO}, "
                    f"p95 < {GOAL_P95_MS:.0f} ms): {'met' if met else 'NOT met'}",
                    flush=True,
                )
        from recall.semantic.embeddings import is_available

        if is_available():
            t0 = time.perf_counter()
            added = random_vectors()
            print(
                f"  {added:,} random unit vectors stored in {time.perf_counter() - t0:.1f}s",
                flush=True,
            )
            time_semantic(user, engine)
        else:
            print("  semantic/hybrid: not timed (the semantic extra is not installed)")


# -- driver --------------------------------------------------------------------------------------


def bench_database_url(url: str) -> str:
    parsed = urlparse(url)
    name = (parsed.path.lstrip("/") or "recall") + "_bench"
    return urlunparse(parsed._replace(path=f"/{name}"))


def postgres_admin(url: str, sql: str) -> None:
    import psycopg

    parsed = urlparse(url)
    conninfo = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated, e.g. 10k,100k,1m")
    parser.add_argument("--full", action="store_true", help="add 1M cards to the sizes")
    parser.add_argument(
        "--engines", default="", help="sqlite,postgres (default: what is configured)"
    )
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    if args.full:
        sizes = sorted({*sizes, 1_000_000})

    if args.engine:  # child process: one engine
        run_engine(args.engine, args.database_url, sizes)
        return 0

    database_url = os.environ.get("DATABASE_URL", "")
    engines = [e for e in args.engines.split(",") if e] or (
        ["sqlite", "postgres"] if database_url.startswith("postgres") else ["sqlite"]
    )
    print(
        f"search benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; "
        f"queries x {REPEATS} runs each, page of {PAGE_SIZE}; recall = search_cards, "
        "floor = the bare engine query"
    )
    size_arg = ",".join(str(s) for s in sizes)
    for engine in engines:
        if engine == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--engine",
                        "sqlite",
                        "--database-url",
                        url,
                        "--sizes",
                        size_arg,
                    ],
                    check=True,
                )
        elif engine == "postgres":
            if not database_url.startswith("postgres"):
                print("postgres  skipped: DATABASE_URL is not a PostgreSQL URL")
                continue
            url = bench_database_url(database_url)
            name = urlparse(url).path.lstrip("/")
            postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
            postgres_admin(database_url, f'CREATE DATABASE "{name}"')
            try:
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--engine",
                        "postgres",
                        "--database-url",
                        url,
                        "--sizes",
                        size_arg,
                    ],
                    check=True,
                )
            finally:
                postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
