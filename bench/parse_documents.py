"""Benchmark: parse_document on 10,000-card files of each layout, against a markdown-it-py baseline.

The baseline is a plain markdown-it-py block parse (inline rules off) of the same
heading file: the least a token-stream importer would pay. Figures are CPU seconds of
this process (best of three), so other work on a busy machine skews them less.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markdown_it import MarkdownIt

from recall.decks.importers import parse_document

CARDS = 10_000


def headings() -> str:
    return "\n".join(
        f"## {i}. What does item {i} do?\n\nIt does **{i}** things.\n\n"
        f"```python\n# comment {i}\nprint({i})\n```\n"
        for i in range(1, CARDS + 1)
    )


def bold() -> str:
    return "\n".join(f"**Q{i}. What is {i}?**\nIt is {i}.\n" for i in range(1, CARDS + 1))


def details() -> str:
    return "\n".join(
        f"<details>\n<summary>What is {i}?</summary>\n\nIt is {i}.\n</details>\n"
        for i in range(1, CARDS + 1)
    )


def inline() -> str:
    return "\n".join(f"Word {i}::Mot {i}" for i in range(1, CARDS + 1))


def multiline() -> str:
    return "\n".join(f"What is\nnumber {i}?\n?\nIt is {i}.\n" for i in range(1, CARDS + 1))


def cloze() -> str:
    return "\n".join(
        f"The number ==={i}=== follows {{{{c1::{i - 1}}}}}.\n" for i in range(1, CARDS + 1)
    )


def csv_text() -> str:
    rows = [f'"What is {i}?","It is {i},\nreally.",tag{i % 7}' for i in range(1, CARDS + 1)]
    return "question,answer,tags\n" + "\n".join(rows) + "\n"


def best_of_three(run: Callable[[], object]) -> float:
    timings = []
    for _ in range(3):
        start = time.process_time()
        run()
        timings.append(time.process_time() - start)
    return min(timings)


def main() -> None:
    heading_text = headings()
    block_parser = MarkdownIt("commonmark").disable("inline")
    baseline = best_of_three(lambda: block_parser.parse(heading_text))
    print(f"{'file':<42}{'cards':>8}{'seconds':>10}{'cards/s':>12}{'vs baseline':>14}")
    row("markdown-it block parse", baseline, baseline)
    cases = [
        ("headings.md", heading_text),
        ("bold.md", bold()),
        ("details.md", details()),
        ("inline.md", inline()),
        ("multiline.md", multiline()),
        ("cloze.md", cloze()),
        ("cards.csv", csv_text()),
    ]
    for name, text in cases:
        deck = parse_document(name, text)
        assert len(deck.cards) == CARDS, (name, len(deck.cards))
        seconds = best_of_three(partial(parse_document, name, text))
        row(f"{name} ({deck.layout})", seconds, baseline)


def row(label: str, seconds: float, baseline: float) -> None:
    speed = f"{CARDS / seconds:,.0f}"
    print(f"{label:<42}{CARDS:>8}{seconds:>10.3f}{speed:>12}{baseline / seconds:>13.1f}x")


if __name__ == "__main__":
    main()
