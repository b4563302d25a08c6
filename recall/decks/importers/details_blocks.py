"""Details cards: ``<details><summary>Question</summary> answer </details>`` blocks.

A block opens on a line (outside code fences, indented at most 3 spaces) that
starts with ``<details`` and runs to its matching ``</details>``, nested
``<details>`` included, or to the end of the file when unclosed. The first
``<summary>...</summary>`` (on one or several lines) is the question, with
numbering stripped; everything after ``</summary>`` up to the closing tag is
the answer, trimmed of blank lines, so nested blocks stay in the answer. A
block without a summary is not a card. The card's line is the summary's line. A
summary that is no question ("Show answer") makes a spoiler, which alone does not make a
file one of explicit cards (see ``source_lines.Found``).
"""

from __future__ import annotations

import re

from .questions import card_kind, looks_like_question, split_trailing_tags, strip_numbering
from .source_lines import SPOILER, STRONG, Found, SourceLines

NAME = "details"

_OPEN = re.compile(r"[ ]{0,3}<details(?:[\s>]|\Z)", re.IGNORECASE)
_ANY_DETAILS = re.compile(r"<details", re.IGNORECASE)
_OPEN_ANY = re.compile(r"<details(?:[\s>]|\Z)", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary(?:\s[^>]*)?>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)


def find(src: SourceLines, taken: bytearray) -> list[Found]:
    if not _ANY_DETAILS.search(src.doc.text):
        return []
    lines, det = src.text, src.det
    found: list[Found] = []
    i = src.doc.body_start
    while i < len(lines):
        line = det[i]
        if taken[i] or "<" not in line[:4] or not _OPEN.match(line):
            i += 1
            continue
        start, depth, j = i, 0, i
        while j < len(lines):
            if not src.dead[j] and "<" in det[j] and "details" in det[j].lower():
                depth += len(_OPEN_ANY.findall(det[j])) - len(_CLOSE.findall(det[j]))
            j += 1
            if depth <= 0:
                break
        card = _card("\n".join(lines[start:j]), start, j)
        if card:
            taken[start:j] = b"\x01" * (j - start)
            found.append(card)
        i = j
    return found


def _card(block: str, start: int, end: int) -> Found | None:
    summary = _SUMMARY.search(block)
    if not summary:
        return None
    question = strip_numbering(summary.group(1).strip())
    if not question:
        return None
    closes = list(_CLOSE.finditer(block))
    stop = closes[-1].start() if closes else len(block)
    body = block[summary.end() : max(stop, summary.end())].split("\n")
    a, b, tags = split_trailing_tags(body, 0, len(body))
    return Found(
        start + block.count("\n", 0, summary.start()),
        end,
        NAME,
        question,
        "\n".join(body[a:b]),
        kind=card_kind(question),
        strength=STRONG if looks_like_question(question) else SPOILER,
        tags=tags,
    )
