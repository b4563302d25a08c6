"""Quality of meaning-aware search: recall@5 and MRR of lexical, semantic and hybrid search.

Run: .venv/bin/python bench/semantic.py [--show-misses]

The flagship notes (tests/fixtures/django-interview-notes.md) and the sample deck
(sample/python-interview-basics.md) are imported into a throw-away SQLite database, indexed
and embedded; each hand-written query of bench/data/semantic_queries.json (paraphrases in
other words than the note's, a few plain keyword queries, and code identifiers as people
type them; each labelled with its kind) is searched in the three modes through
recall.search.selectors.search_cards, as the page and the API do.

- recall@5: the share of a query's expected notes found in its first five hits, averaged.
- MRR: the mean of 1 / rank of the first expected note (0 when none is in the first 10).

Goals: hybrid recall@5 >= 0.9, and hybrid above both lexical and semantic alone. Met or not
met is printed as measured, never an error. Needs the semantic extra.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import _setup  # noqa: E402

DATA = ROOT / "bench" / "data" / "semantic_queries.json"
NOTES = [
    ROOT / "tests" / "fixtures" / "django-interview-notes.md",
    ROOT / "sample" / "python-interview-basics.md",
]
MODES = ("lexical", "semantic", "hybrid")
GOAL_RECALL = 0.9
DEPTH = 10


def setup_django(db_path: Path) -> None:
    os.environ["SEMANTIC_EMBED_ON_CHANGE"] = "0"  # embedded once below, timed on its own
    _setup.setup_django(f"sqlite:///{db_path}", migrate=True, quiet=True)


@dataclass
class Score:
    recall: list[float] = field(default_factory=list)
    reciprocal: list[float] = field(default_factory=list)

    @property
    def recall_at_5(self) -> float:
        return sum(self.recall) / len(self.recall)

    @property
    def mrr(self) -> float:
        return sum(self.reciprocal) / len(self.reciprocal)


def resolve(label: str, notes: list[tuple[int, str, str]]) -> int:
    """The note id of 'deck-slug: start of its question' (exactly one must match)."""
    slug, _, start = label.partition(": ")
    found = [pk for pk, deck, question in notes if deck == slug and question.startswith(start)]
    if len(found) != 1:
        raise SystemExit(f"bench/data: {label!r} matches {len(found)} notes, not one")
    return found[0]


def score_query(ranked: list[int], expected: list[int], score: Score) -> bool:
    top = ranked[:5]
    score.recall.append(len(set(top) & set(expected)) / min(len(expected), 5))
    rank = next((i for i, pk in enumerate(ranked, start=1) if pk in expected), 0)
    score.reciprocal.append(1.0 / rank if rank else 0.0)
    return bool(set(top) & set(expected))


def interview_agreement() -> dict[str, Any] | None:
    # --- Interview-grade agreement hook -------------------------------------------------
    # The interview-mode work adds bench/interview_agreement.py with run() -> dict holding
    # "agreement" (0..1) and "n" (typed answers graded by hand); printed when it exists.
    path = ROOT / "bench" / "interview_agreement.py"
    if not path.exists():
        return None
    import importlib.util

    spec = importlib.util.spec_from_file_location("interview_agreement", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result: dict[str, Any] = module.run()
    return result
    # -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="List queries hybrid missed.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "semantic.sqlite3")
        from recall.semantic import embeddings

        if not embeddings.is_available():
            print("semantic extra not installed (pip install -e '.[semantic]'): nothing measured")
            return 0
        return run(args.show_misses)


def run(show_misses: bool) -> int:
    from recall.accounts.models import User
    from recall.decks.models import Note
    from recall.decks.services.imports import notes_import
    from recall.search.backends import get_backend
    from recall.search.selectors import search_cards
    from recall.semantic import index
    from recall.semantic.services import embed_all

    user = User.objects.create_user(username="bench", password="bench-only-password")
    for path in NOTES:
        notes_import(owner=user, filename=path.name, data=path.read_bytes())
    get_backend().rebuild()
    started = time.perf_counter()
    embedded = embed_all().encoded
    embed_s = time.perf_counter() - started
    notes = list(Note.objects.filter(is_archived=False).values_list("id", "deck__slug", "question"))
    queries = json.loads(DATA.read_text())["queries"]
    scores = {mode: Score() for mode in MODES}
    misses: list[str] = []
    timings: dict[str, list[float]] = {mode: [] for mode in MODES}
    for item in queries:
        expected = [resolve(label, notes) for label in item["expected"]]
        for mode in MODES:
            t0 = time.perf_counter()
            hits = search_cards(user=user, query=item["q"], page_size=DEPTH, mode=mode).hits
            timings[mode].append(time.perf_counter() - t0)
            found = score_query([h.card_id for h in hits], expected, scores[mode])
            if mode == "hybrid" and not found:
                misses.append(f"  {item['q']!r}: got {[h.question[:40] for h in hits[:3]]}")

    kinds = Counter(item.get("kind", "paraphrase") for item in queries)
    print(
        f"{len(queries)} labelled queries ({', '.join(f'{n} {k}' for k, n in kinds.items())}) "
        f"over {len(notes)} notes "
        f"({embedded} embedded in {embed_s:.1f} s, ranking: {index.engine_name()})"
    )
    print(f"{'mode':<10} {'recall@5':>9} {'MRR':>7} {'median ms':>10}")
    for mode in MODES:
        ms = sorted(timings[mode])[len(timings[mode]) // 2] * 1000
        print(f"{mode:<10} {scores[mode].recall_at_5:>9.3f} {scores[mode].mrr:>7.3f} {ms:>10.1f}")
    hybrid = scores["hybrid"].recall_at_5
    above = all(hybrid > scores[m].recall_at_5 for m in ("lexical", "semantic"))
    print(
        f"goal hybrid recall@5 >= {GOAL_RECALL}: {'met' if hybrid >= GOAL_RECALL else 'NOT met'} "
        f"({hybrid:.3f})"
    )
    print(
        "goal hybrid above lexical and semantic alone: "
        f"{'met' if above else 'NOT met'} (lexical {scores['lexical'].recall_at_5:.3f}, "
        f"semantic {scores['semantic'].recall_at_5:.3f}, hybrid {hybrid:.3f})"
    )
    if show_misses and misses:
        print("hybrid misses (no expected note in the first 5):")
        print("\n".join(misses))
    agreement = interview_agreement()
    if agreement is None:
        print("interview grade agreement: not measured (bench/interview_agreement.py absent)")
    else:
        print(
            f"interview grade agreement: {agreement['agreement']:.1%} over {agreement['n']} "
            "hand-graded answers"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
