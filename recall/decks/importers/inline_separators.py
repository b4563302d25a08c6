"""Inline layout: ``Question::Answer`` on one line, ``Question:::Answer`` for a reversed card.

Every line outside code fences that is not a heading and contains ``::``
outside inline code is a card; the first ``:::`` or ``::`` splits it (a
``:::`` makes the card kind "reversed"). A leading list marker is dropped, both
sides are trimmed and must be non-empty. Lines holding Anki cloze syntax
(``{{c1::...}}``) belong to the cloze layout and are skipped.
"""

from __future__ import annotations

import re

from .base import ParsedCard
from .markdown_blocks import MarkdownDocument
from .questions import LayoutResult, card_kind, read_leading

NAME = "inline-separators"

_LIST_MARKER = re.compile(r"[ ]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
# A span opens only at the start of a run of backticks (as in CommonMark): trying every
# backtick inside a long run made finding spans quadratic in the run's length.
_CODE_SPAN = re.compile(r"(?<!`)(`++).*?(?<!`)\1")
_CLOZE = re.compile(r"\{\{c\d+::", re.IGNORECASE)


def split_line(line: str) -> tuple[str, str, str] | None:
    """(question, answer, kind) for a ``Q::A`` / ``Q:::A`` line, else None."""
    if "::" not in line or _CLOZE.search(line):
        return None
    masked = _CODE_SPAN.sub(lambda m: "\0" * len(m.group(0)), line) if "`" in line else line
    at = masked.find("::")
    if at < 0:
        return None
    width, kind = (3, "reversed") if masked.startswith(":::", at) else (2, "basic")
    marker = _LIST_MARKER.match(line)
    question = line[marker.end() if marker else 0 : at].strip()
    answer = line[at + width :].strip()
    if not question or not answer:
        return None
    return question, answer, kind


def parse(doc: MarkdownDocument) -> LayoutResult:
    result = LayoutResult()
    if "::" not in doc.text:
        return result
    lines = doc.lines
    in_fence = doc.in_fence
    headings = {h.index for h in doc.headings}
    for i in range(doc.body_start, len(lines)):
        if in_fence[i] or i in headings:
            continue
        found = split_line(lines[i])
        if found:
            question, answer, kind = found
            result.cards.append(
                ParsedCard(
                    question=question, answer=answer, line=i + 1, kind=card_kind(question, kind)
                )
            )
    if result.cards:
        first = result.cards[0].line or 1
        read_leading(doc, first - 1, result)
    return result
