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

from dataclasses import dataclass

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
    det = src.det
    n, first = len(det), src.doc.body_start
    lines_at = [i for i in range(first, n) if not taken[i] and det[i].strip() in marks]
    if not lines_at:
        return []
    dashed = any(det[i].rstrip() == "---" for i in range(first, n))
    units = _Units(src, taken, headings, marks, dashed)
    found: list[Found] = []
    for mark in lines_at:
        if taken[mark]:
            continue
        top, bottom = units.extent(mark)
        card = _card(src, taken, marks, mark, top, bottom)
        if card is not None:
            found.append(card)
    return found


@dataclass(frozen=True)
class _Units:
    """Where a card's question starts and its answer ends (see the module docstring)."""

    src: SourceLines
    # Shared with ``find``, which marks the lines each card takes as it goes.
    taken: bytearray
    headings: set[int]
    marks: dict[str, str]
    dashed: bool

    def ends_unit(self, i: int) -> bool:
        src, det = self.src, self.src.det
        if self.taken[i] or i in self.headings:
            return True
        if src.dead[i] and not src.doc.in_fence[i]:
            return False  # inside a multi-line comment
        return det[i].rstrip() == "---" if self.dashed else not (det[i].strip() or src.dead[i])

    def extent(self, mark: int) -> tuple[int, int]:
        """The question's first line above the separator at ``mark``, and the line after
        the answer below it."""
        det, first = self.src.det, self.src.doc.body_start
        basic, reverse = (
            self.src.options.inline_separator,
            self.src.options.inline_reversed_separator,
        )
        top = mark
        while top > first and not self.ends_unit(top - 1):
            above = det[top - 1]
            if is_tag_line(above) or split_inline(above, basic, reverse):
                break
            top -= 1
        bottom = mark + 1
        while (
            bottom < len(det)
            and not self.ends_unit(bottom)
            and det[bottom].strip() not in self.marks
        ):
            bottom += 1
        return top, bottom


def _card(
    src: SourceLines, taken: bytearray, marks: dict[str, str], mark: int, top: int, bottom: int
) -> Found | None:
    """The card around the separator at ``mark`` (lines ``top`` to ``bottom``), its lines
    marked taken; ``None``, reported, when its question or answer is empty."""
    det, text = src.det, src.text
    qa, qb = _trim(text, top, mark)
    aa, ab = _trim(text, mark + 1, bottom)
    tags: list[str] = []
    if ab > aa and is_tag_line(text[ab - 1]):
        tags = tag_tokens(text[ab - 1])
        aa, ab = _trim(text, aa, ab - 1)
    if qa == qb or aa == ab:
        src.skip(
            mark,
            "a '?' line with no question above it" if qa == qb else "question without an answer",
        )
        return None
    first_line, line_tags = take_tags(text[qa])
    question = "\n".join([first_line, *text[qa + 1 : qb]]).strip()
    start, above_tags = tags_above(src, qa, taken)
    taken[start:bottom] = b"\x01" * (bottom - start)
    return Found(qa, bottom, NAME, question, "\n".join(text[aa:ab]),
                 card_kind(question, marks[det[mark].strip()]),
                 tags=unique([*above_tags, *line_tags, *tags]))  # fmt: skip


def _trim(lines: list[str], start: int, end: int) -> tuple[int, int]:
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end
