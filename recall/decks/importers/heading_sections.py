"""Question-level heading sections of a Markdown document, settled as cards or context
(step 3 of the one-pass reader, see ``reader``), and line ranges looked up in log time."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

from . import markdown_headings
from .base import ParsedReference
from .markdown_blocks import Heading, is_tag_line, trim_blank
from .questions import looks_like_question, parse_link_list
from .source_lines import SPOILER, STRONG, Found, SourceLines


class Spans:
    """Line ranges [start, stop): which hold a line, in log time (files have 10,000 cards)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        pairs = sorted(spans)
        self.starts = [a for a, _ in pairs]
        self.reach = list(accumulate((b for _, b in pairs), max))

    def holds(self, i: int, *, strict: bool = False) -> bool:
        """Some range starts at or before ``i`` (strictly before when ``strict``) and ends after."""
        k = bisect_left(self.starts, i) if strict else bisect_right(self.starts, i)
        return k > 0 and self.reach[k - 1] > i


@dataclass
class Section:
    heading: Heading
    start: int  # first line of its text
    stop: int  # the next boundary
    card: bool = False
    end: int = -1  # one past its last line of text (-1: not yet trimmed)
    toc: bool = False  # a table of contents: not even context


def question_sections(
    src: SourceLines, headings: list[Heading], found: list[Found], taken: bytearray
) -> tuple[list[Section], list[ParsedReference]]:
    """The question-level sections, each settled as a card or as context."""
    doc = src.doc
    level = markdown_headings.question_level(doc, headings)
    if level is None:
        return [], []
    bounds = [h for h in headings if h.level <= level]
    if not bounds:  # the question-level headings were all taken by another syntax
        return [], []
    stops = [h.index for h in bounds[1:]] + [len(doc.lines)]
    forced = src.options.headings_as_cards
    if forced is None and markdown_headings._question_level_hint(doc) is not None:
        forced = True
    sections: list[Section] = []
    references: list[ParsedReference] = []
    pending: list[Section] = []
    greedy_lines = {f.start for f in found if f.greedy}
    starts = [f.start for f in found]  # found is in line order
    for h, stop in zip(bounds, stops, strict=True):
        a, b = trim_blank(src.text, h.index + 1, stop)
        section = Section(h, a, stop, end=b)
        sections.append(section)
        inside = found[bisect_left(starts, a) : bisect_left(starts, b)]
        if a == b or (not inside and _links_only(src, section, references)):
            continue  # a section title, or links
        card = _card_or_context(src, section, inside, forced, taken, greedy_lines)
        if card is None:
            pending.append(section)
        else:
            section.card = card
    if pending:
        _settle_pending(pending, sections, found)
    return sections, references


def _links_only(src: SourceLines, section: Section, references: list[ParsedReference]) -> bool:
    """A non-question section of no cards that is a table of contents (neither a card nor
    references) or a link list (its links join ``references``)."""
    if looks_like_question(section.heading.text):
        return False
    lines = src.text[section.start : section.end]
    if _table_of_contents(lines):
        section.toc = True
        return True
    refs = parse_link_list(lines)
    if not refs:
        return False
    references.extend(refs)
    return True


def _card_or_context(
    src: SourceLines,
    section: Section,
    inside: list[Found],
    forced: bool | None,
    taken: bytearray,
    greedy_lines: set[int],
) -> bool | None:
    """Whether a section is a card (True) or context (False); None when that depends on
    the rest of the file (a non-question heading, see ``_settle_pending``)."""
    strong = [f for f in inside if f.strength == STRONG]
    if forced is not None:
        return forced
    if len(strong) >= 2 or (
        strong and _covered(src, section.start, section.end, taken, greedy_lines)
    ):
        return False
    if looks_like_question(section.heading.text):
        return True
    return None


def _settle_pending(pending: list[Section], sections: list[Section], found: list[Found]) -> None:
    """Non-question sections are cards only in a file with no explicit card syntax outside
    question sections."""
    card_spans = Spans([(s.heading.index, s.stop) for s in sections if s.card])
    explicit = any(
        f.strength > SPOILER and not card_spans.holds(f.start, strict=True) for f in found
    )
    for section in pending:
        section.card = not explicit


def lead_sections(
    src: SourceLines,
    headings: list[Heading],
    found: list[Found],
    spans: list[tuple[int, int]],
    mdanki: set[int],
) -> list[Section]:
    """Question headings among explicit cards: each is a card whose answer is its own text,
    up to the next heading or card (so the cards written below it stay cards of their own)."""
    leads = []
    heads = sorted(h.index for h in src.doc.headings)
    starts = sorted(f.start for f in found)
    n = len(src.text)
    in_card = Spans(spans)
    for h in headings:
        if h.index in mdanki or in_card.holds(h.index) or not looks_like_question(h.text):
            continue
        k, j = bisect_right(heads, h.index), bisect_right(starts, h.index)
        next_card = starts[j] if j < len(starts) else n
        stop = min(heads[k] if k < len(heads) else n, next_card)
        if stop == next_card < n and not h.text.rstrip(" \t*_:").endswith("?"):
            # "## 1. Cell biology", an intro, then cards: a numbered section, not a question.
            continue
        a, b = trim_blank(src.text, h.index + 1, stop)
        if a < b:
            leads.append(Section(h, a, stop, card=True, end=b))
    return leads


_TOC_ITEM = re.compile(r"[ \t]*(?:[-*+]|[0-9]{1,6}[.)])[ \t]+\[[^\]\n]*\]\(#[^)\s]*\)[ \t]*\Z")


def _table_of_contents(lines: list[str]) -> bool:
    """A list of links to headings of the same file (``- [What is X?](#what-is-x)``)."""
    return all(_TOC_ITEM.match(line) for line in lines if line.strip())


def _covered(src: SourceLines, a: int, b: int, taken: bytearray, greedy: set[int]) -> bool:
    """Every line of the text is part of a self-contained card (or a tag line)."""
    return all(
        (taken[i] and i not in greedy) or not src.det[i].strip() or is_tag_line(src.det[i])
        for i in range(a, b)
        if not src.dead[i]
    )
