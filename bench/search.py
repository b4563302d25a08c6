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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _setup  # noqa: E402
from _steps.corpus import (  # noqa: E402
    CARDS_PER_DECK,
    TextMaker,
    create_people,
    insert_cards,
    vocabulary,
)
from _steps.postgres import throwaway_database  # noqa: E402
from _steps.timing import percentile  # noqa: E402

GOAL_RATIO = 1.3
GOAL_P95_MS = 50.0
REPEATS = 15
PAGE_SIZE = 20


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


# -- one engine, in its own process ------------------------------------------------------------


def setup_django(engine: str, database_url: str) -> None:
    _setup.setup_django(database_url, search_backend=engine)


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
            with throwaway_database(database_url, "_bench") as url:
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
