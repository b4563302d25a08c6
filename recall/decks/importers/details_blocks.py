"""Details layout: ``<details><summary>Question</summary> answer </details>`` blocks.

A block opens on a line (outside code fences, indented at most 3 spaces) that
starts with ``<details`` and runs to its matching ``</details>``, nested
``<details>`` included, or to the end of the file when unclosed. The first
``<summary>...</summary>`` (on one or several lines) is the question, with
numbering stripped; everything after ``</summary>`` up to the closing tag is
the answer, trimmed of blank lines, so nested blocks stay in the answer. A
block without a summary is not a card. The card's line is the summary's line.
"""

from __future__ import annotations

import re

from .base import ParsedCard
from .markdown_blocks import MarkdownDocument
from .questions import LayoutResult, card_kind, read_leading, split_trailing_tags, strip_numbering

NAME = "details-blocks"

_OPEN = re.compile(r"[ ]{0,3}<details(?:[\s>]|\Z)", re.IGNORECASE)
_ANY_DETAILS = re.compile(r"<details", re.IGNORECASE)
_OPEN_ANY = re.compile(r"<details(?:[\s>]|\Z)", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary(?:\s[^>]*)?>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)


def parse(doc: MarkdownDocument) -> LayoutResult:
    result = LayoutResult()
    if not _ANY_DETAILS.search(doc.text):
        return result
    lines = doc.lines
    in_fence = doc.in_fence
    i = doc.body_start
    first_card: int | None = None
    while i < len(lines):
        line = lines[i]
        if in_fence[i] or "<" not in line[:4] or not _OPEN.match(line):
            i += 1
            continue
        start, depth, j = i, 0, i
        while j < len(lines):
            if not in_fence[j] and "<" in lines[j] and "details" in lines[j].lower():
                depth += len(_OPEN_ANY.findall(lines[j])) - len(_CLOSE.findall(lines[j]))
            j += 1
            if depth <= 0:
                break
        card = _card("\n".join(lines[start:j]), start)
        if card:
            first_card = start if first_card is None else first_card
            result.cards.append(card)
        i = j
    if first_card is not None:
        read_leading(doc, first_card, result)
    return result


def _card(block: str, start: int) -> ParsedCard | None:
    summary = _SUMMARY.search(block)
    if not summary:
        return None
    question = strip_numbering(summary.group(1).strip())
    if not question:
        return None
    closes = list(_CLOSE.finditer(block))
    end = closes[-1].start() if closes else len(block)
    body = block[summary.end() : max(end, summary.end())].split("\n")
    a, b, tags = split_trailing_tags(body, 0, len(body))
    return ParsedCard(
        question=question,
        answer="\n".join(body[a:b]),
        line=start + 1 + block.count("\n", 0, summary.start()),
        tags=tags,
        kind=card_kind(question),
    )
