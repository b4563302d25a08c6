"""Multi-line layout: question lines, a line with only ``?``, then answer lines.

A line holding only ``??`` instead makes a reversed card. The rule for where a
card ends: if the document contains a line that is exactly ``---`` (outside
code fences and front matter), cards are separated by ``---`` lines and
headings only, so questions and answers may contain blank lines; otherwise
every blank line outside a code fence ends a card. The first ``?`` line of a unit splits it;
a unit without one (or with an empty side) is not a card; units before the first card form the
preamble. Headings are section titles. A last line made only of ``#tags``
gives the card's tags.
"""

from __future__ import annotations

import re

from .base import ParsedCard
from .markdown_blocks import MarkdownDocument, trim_blank
from .questions import LayoutResult, card_kind, read_leading, split_trailing_tags

NAME = "multiline-question-mark"

_ANY_MARK = re.compile(r"^[ \t]*\?\??[ \t]*$", re.MULTILINE)
_MARKS = {"?": "basic", "??": "reversed"}


def parse(doc: MarkdownDocument) -> LayoutResult:
    result = LayoutResult()
    lines = doc.lines
    in_fence = doc.in_fence
    n = len(lines)
    if not _ANY_MARK.search(doc.text):
        return result
    headings = {h.index for h in doc.headings}
    dashed = any(lines[i].rstrip() == "---" and not in_fence[i] for i in range(doc.body_start, n))

    def separator(i: int) -> bool:
        if in_fence[i]:
            return False
        if i in headings:
            return True
        return lines[i].rstrip() == "---" if dashed else not lines[i].strip()

    first_card: int | None = None
    start = doc.body_start
    for stop in [*(i for i in range(doc.body_start, n) if separator(i)), n]:
        card = _unit_card(doc, start, stop)
        start = stop + 1
        if card:
            first_card = (card.line or 1) - 1 if first_card is None else first_card
            result.cards.append(card)
    if first_card is not None:
        read_leading(doc, first_card, result)
    return result


def _unit_card(doc: MarkdownDocument, start: int, stop: int) -> ParsedCard | None:
    lines = doc.lines
    for mark in range(start, stop):
        if not doc.in_fence[mark] and lines[mark].strip() in _MARKS:
            break
    else:
        return None
    qa, qb = trim_blank(lines, start, mark)
    aa, ab, tags = split_trailing_tags(lines, mark + 1, stop)
    if qa == qb or aa == ab:
        return None
    question = "\n".join(lines[qa:qb])
    return ParsedCard(
        question=question,
        answer="\n".join(lines[aa:ab]),
        line=qa + 1,
        tags=tags,
        kind=card_kind(question, _MARKS[lines[mark].strip()]),
    )
