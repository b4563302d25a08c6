"""Multi-line cards: question lines, a line with only ``?``, then answer lines.

A line holding only ``??`` instead makes a reversed card (both separators are import
options). Where a card ends: if the document has a line that is exactly ``---`` (outside
code fences and front matter), cards are separated by ``---`` lines and headings, so
questions and answers may hold blank lines; otherwise a blank line outside a code fence
ends a card. The question also stops, going up, at a line another card took or that holds
an inline ``::`` card, and at tag-only lines, which are the card's tags. A last line made
only of ``#tags`` gives the card's tags too. A separator line with no question above it or
no answer below it is reported, not taken.
"""

from __future__ import annotations

from .line_cards import split_inline, tags_above, take_tags
from .markdown_blocks import is_tag_line, tag_tokens, unique
from .questions import card_kind
from .source_lines import Found, SourceLines

NAME = "multiline"


def find(src: SourceLines, taken: bytearray, headings: set[int]) -> list[Found]:
    opts = src.options
    marks = {opts.multiline_separator: "basic", opts.multiline_reversed_separator: "reversed"}
    if not any(f"\n{m}" in src.doc.text or src.doc.text.startswith(m) for m in marks):
        return []
    det, text = src.det, src.text
    n, first = len(det), src.doc.body_start
    lines_at = [i for i in range(first, n) if not taken[i] and det[i].strip() in marks]
    if not lines_at:
        return []
    dashed = any(det[i].rstrip() == "---" for i in range(first, n))
    basic, reverse = opts.inline_separator, opts.inline_reversed_separator

    def ends_unit(i: int) -> bool:
        if taken[i] or i in headings:
            return True
        if src.dead[i] and not src.doc.in_fence[i]:
            return False  # inside a multi-line comment
        return det[i].rstrip() == "---" if dashed else not (det[i].strip() or src.dead[i])

    found: list[Found] = []
    for mark in lines_at:
        if taken[mark]:
            continue
        top = mark
        while top > first and not ends_unit(top - 1):
            above = det[top - 1]
            if is_tag_line(above) or split_inline(above, basic, reverse):
                break
            top -= 1
        bottom = mark + 1
        while bottom < n and not ends_unit(bottom) and det[bottom].strip() not in marks:
            bottom += 1
        qa, qb = _trim(text, top, mark)
        aa, ab = _trim(text, mark + 1, bottom)
        tags: list[str] = []
        if ab > aa and is_tag_line(text[ab - 1]):
            tags = tag_tokens(text[ab - 1])
            aa, ab = _trim(text, aa, ab - 1)
        if qa == qb or aa == ab:
            src.skip(
                mark,
                "a '?' line with no question above it"
                if qa == qb
                else "question without an answer",
            )
            continue
        first_line, line_tags = take_tags(text[qa])
        question = "\n".join([first_line, *text[qa + 1 : qb]]).strip()
        start, above_tags = tags_above(src, qa, taken)
        taken[start:bottom] = b"\x01" * (bottom - start)
        found.append(
            Found(qa, bottom, NAME, question, "\n".join(text[aa:ab]),
                  card_kind(question, marks[det[mark].strip()]),
                  tags=unique([*above_tags, *line_tags, *tags]))
        )  # fmt: skip
    return found


def _trim(lines: list[str], start: int, end: int) -> tuple[int, int]:
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end
