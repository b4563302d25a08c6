"""Benchmark: does interview mode's suggested grade agree with a person's grade?

``bench/data/interview_answers.json`` holds typed answers to the questions of
``tests/fixtures/django-interview-notes.md``, each graded by hand as good, partial or
wrong before any score was computed. Each answer is scored against its note's answer by
``recall.interview.scoring`` (the same function the web page, the API and the command
call) and the suggested grade mapped to a bucket: Good or Easy -> good, Hard -> partial,
Again -> wrong. Agreement is the share of answers whose bucket equals the hand grade.
Goal: at least 80 %.

The thresholds in ``scoring`` were chosen on this same set (there is no other), so the
figure is an in-sample one; the lexical fallback's agreement is printed beside it.

    .venv/bin/python bench/interview_agreement.py [--method semantic|lexical] [--verbose]

``run()`` returns the figures as a dict (``bench/semantic.py`` prints them too).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _setup import setup_django  # noqa: E402

DATA = ROOT / "bench" / "data" / "interview_answers.json"
NOTES = ROOT / "tests" / "fixtures" / "django-interview-notes.md"
GOAL = 0.8


def _references() -> dict[str, str]:
    from recall.decks.importers import parse_document

    parsed = parse_document(NOTES.name, NOTES.read_text(encoding="utf-8"))
    return {card.question: card.answer for card in parsed.cards}


def run(method: str | None = None, verbose: bool = False) -> dict[str, Any]:
    """Score every hand-graded answer; ``method`` forces semantic or lexical matching."""
    setup_django(None)  # scoring reads no rows
    from recall.interview import scoring
    from recall.interview.keypoints import key_points

    if method is None:
        method = scoring.SEMANTIC if scoring.semantic_available() else scoring.LEXICAL
    references = _references()
    answers = json.loads(DATA.read_text(encoding="utf-8"))["answers"]
    agreed = 0
    confusion: dict[str, dict[str, int]] = {}
    rows: list[dict[str, Any]] = []
    for item in answers:
        reference = references[item["question"]]
        points = key_points(reference, item["question"])
        result = scoring.score_answer(points, item["answer"], method=method)
        agreed += result.bucket == item["grade"]
        row = confusion.setdefault(item["grade"], {"good": 0, "partial": 0, "wrong": 0})
        row[result.bucket] += 1
        rows.append(
            {
                "question": item["question"],
                "hand": item["grade"],
                "bucket": result.bucket,
                "score": result.score,
                "answer": item["answer"],
            }
        )
    n = len(answers)
    agreement = agreed / n if n else 0.0
    out: dict[str, Any] = {
        "agreement": round(agreement, 3),
        "n": n,
        "method": method,
        "goal": GOAL,
        "met": agreement >= GOAL,
        "confusion": confusion,
    }
    if verbose:
        out["rows"] = rows
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=["semantic", "lexical"], default=None)
    parser.add_argument("--verbose", action="store_true", help="print every answer's score")
    args = parser.parse_args()
    result = run(args.method, verbose=args.verbose)
    if args.verbose:
        for row in result.pop("rows"):
            mark = " " if row["hand"] == row["bucket"] else "x"
            print(
                f"{mark} {row['score']:>3} {row['bucket']:>7} (hand {row['hand']:>7}) "
                f"{row['question'][:30]:30} {row['answer'][:60]}"
            )
    print(
        f"interview grade agreement ({result['method']}): {result['agreement']:.1%} of "
        f"{result['n']} hand-graded answers; goal {GOAL:.0%}: "
        f"{'met' if result['met'] else 'NOT met'}"
    )
    print(f"  hand grade -> suggested bucket: {json.dumps(result['confusion'])}")
    if args.method is None and result["method"] == "semantic":
        lexical = run("lexical")
        print(
            f"  lexical fallback: {lexical['agreement']:.1%} "
            f"({'met' if lexical['met'] else 'not met'})"
        )


if __name__ == "__main__":
    main()
