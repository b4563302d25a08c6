"""One pass over a Markdown document: every card syntax wherever it appears, in order.

1. The lines are read once for comments, schedules and block ids (``source_lines``).
2. The finders take their cards, each only from lines no earlier one took, in this order:
   mdanki ``%`` sections, ``<details>`` blocks, multi-line ``?`` cards, Obsidian_to_Anki's
   ``START``/``END`` blocks and ``#flashcard`` paragraphs, inline ``::`` lines, RemNote
   ``―`` bullets, numbered question lists, ``Q:``/``**Q:**``/``**bold?**`` question starts,
   then cloze paragraphs.
3. Headings (``heading_sections``): at the question level, a heading section is
   * context (no card; it becomes the ``heading_path`` of the cards below it) when it holds
     two or more cards of unambiguous syntax, or when such cards are all its text;
   * a card (the flagship layout) when its heading is a question (numbered or ending in
     ``?``): card syntax inside its answer stays answer text and is reported as skipped;
   * otherwise ("See Also", "Python") a card only when the file has no explicit card
     syntax at all (outside question sections): a file of headings alone reads as before.
   The ``headings_as_cards`` option forces either way; a ``question_level`` front matter
   key (the exporter's) makes every section at that level a card.
4. Bold and labelled questions take the lines below them as their answer, up to the next
   card, the next question-level heading or a section title; a plain ``A:`` answer ends at
   a blank line.
5. Card text outside any card is not content: prose in context sections is left out, tag
   lines before the first card are deck tags, a link list there or under a non-question
   heading gives references, and a short prose preamble is the description. Card-like
   lines in free-standing code blocks, commented-out cards and incomplete cards are
   reported in ``ParsedDeck.skipped``.
"""

from __future__ import annotations

from bisect import bisect_right

from . import cloze, details_blocks, line_cards, markdown_headings, multiline_question_mark
from .base import ImportOptions, ParsedCard, ParsedDeck, SourceSchedule
from .heading_sections import Section, Spans, lead_sections, question_sections
from .markdown_blocks import Heading, MarkdownDocument, scan, trim_blank, unique
from .options import effective_options
from .questions import (
    LayoutResult,
    card_kind,
    read_preamble,
    split_trailing_tags,
)
from .source_lines import STRONG, Found, SourceLines, source_lines

# The layout names of the importer before the one-pass reader, kept for files of one syntax.
LAYOUTS = {
    "heading": "markdown-headings",
    "bold": "bold-questions",
    "details": "details-blocks",
    "multiline": "multiline-question-mark",
    "inline": "inline-separators",
    "cloze": "cloze",
}
_INSIDE = {
    "inline": "`{sep}` inside a heading section answer",
    "multiline": "'{mark}' line inside a heading section answer",
    "labels": "Q:/A: label inside a heading section answer",
}


def read_markdown(
    filename: str, text: str, options: ImportOptions | None
) -> tuple[ParsedDeck, dict[str, str | list[str]]]:
    """The deck the text holds, and its front matter (for the deck fields)."""
    doc = scan(text)
    opts = effective_options(filename, doc.lines, doc.body_start, options)
    src = source_lines(doc, opts)
    taken = bytearray(len(doc.lines))
    headings = [h for h in doc.headings if h.text]
    heading_at = {h.index for h in doc.headings}
    target = line_cards.target_deck(src, taken)

    found = _explicit_cards(src, taken, headings, heading_at)
    found.sort(key=lambda f: f.start)

    mdanki = {f.start for f in found if f.syntax == "mdanki"}
    title = _title_heading(doc, headings, found)
    rest = [h for h in headings if h is not title and h.index not in mdanki]
    sections, references = question_sections(src, rest, found, taken)

    # Cards inside heading cards are their answers' text.
    spans = [(s.heading.index, s.stop) for s in sections if s.card]
    kept = _outside_heading_cards(src, found, Spans(spans))
    if opts.headings_as_cards is not False:
        leads = lead_sections(src, rest, kept, spans, mdanki)
        sections.extend(leads)
        spans.extend((s.heading.index, s.stop) for s in leads)
    boundaries = sorted([*(s.heading.index for s in sections), *mdanki])
    cards = _greedy_answers(src, kept, boundaries, heading_at)
    parsed_cards = _cards_in_order(src, sections, cards, rest, mdanki, spans)

    result = _preamble(src, sections, spans, heading_at, taken)
    _fenced_warnings(src, spans)
    deck = ParsedDeck(
        source_name=filename,
        title=target or (title.text.replace("::", " / ") if title else ""),
        description=result.description,
        cards=parsed_cards,
        references=[*result.references, *references],
        tags=result.tags,
        layout=_layout(parsed_cards),
        skipped=sorted(src.skipped, key=lambda s: s.line),
        options=opts,
    )
    return deck, doc.front_matter


def _title_heading(
    doc: MarkdownDocument, headings: list[Heading], found: list[Found]
) -> Heading | None:
    """The deck's title heading: the usual one, or a lone level-1 heading above every card."""
    title = markdown_headings.title_heading(doc, headings)
    if title is None and found and headings and headings[0].level == 1:
        first = headings[0]
        if first.index < found[0].start and not any(h.level == 1 for h in headings[1:]):
            title = first
    return title


def _outside_heading_cards(src: SourceLines, found: list[Found], inside: Spans) -> list[Found]:
    """The cards not inside a heading card's answer; those inside are its text (a strong
    one is reported as skipped, and only such reasons are kept for lines inside)."""
    kept = []
    for f in found:
        if inside.holds(f.start, strict=True):
            if f.strength == STRONG:
                src.skip(f.start, _inside_reason(f, src.options))
        else:
            kept.append(f)
    src.skipped = [
        s for s in src.skipped
        if s.reason == "commented out" or not inside.holds(s.line - 1, strict=True)
        or "heading section" in s.reason
    ]  # fmt: skip
    return kept


def _cards_in_order(
    src: SourceLines,
    sections: list[Section],
    cards: list[tuple[Found, int]],
    rest: list[Heading],
    mdanki: set[int],
    spans: list[tuple[int, int]],
) -> list[ParsedCard]:
    """Heading cards, explicit cards and the headings between them, in line order; each
    card gets the path of the context headings above it. ``spans`` gains the cards' lines."""
    level_at = {h.index: h.level for h in rest}
    events: list[tuple[int, int, ParsedCard | Heading, int]] = []
    for s in sections:
        card = _heading_card(src, s) if s.card else None
        if card is not None:
            events.append((s.heading.index, 1, card, s.heading.level))
    for f, end in cards:
        level = level_at.get(f.start, 7)
        events.append((f.start, 1, _parsed(src, f, end), level))
        spans.append((f.start, end))
    in_card = Spans(spans)
    toc = {s.heading.index for s in sections if s.toc}
    for h in rest:
        if h.index not in mdanki and h.index not in toc and not in_card.holds(h.index):
            events.append((h.index, 0, h, h.level))
    events.sort(key=lambda e: (e[0], e[1]))
    return _with_paths(events)


def _preamble(
    src: SourceLines,
    sections: list[Section],
    spans: list[tuple[int, int]],
    heading_at: set[int],
    taken: bytearray,
) -> LayoutResult:
    """Deck tags, references and description from the free text before the first card."""
    doc = src.doc
    result = LayoutResult(references=[])
    first_card = min((a for a, _ in spans), default=len(doc.lines))
    first_boundary = min([first_card, *(s.heading.index for s in sections)])
    preamble = [
        doc.lines[i]
        for i in range(doc.body_start, first_boundary)
        if i not in heading_at and not taken[i] and not src.dead[i]
    ]
    read_preamble(preamble, 0, len(preamble), result)
    return result


def _explicit_cards(
    src: SourceLines, taken: bytearray, headings: list[Heading], heading_at: set[int]
) -> list[Found]:
    """Cards written in an explicit syntax, wherever they are. None in a file that declares
    the heading layout (``question_level``, the exporter's output): its answers are verbatim,
    so a ``%`` or ``::`` line in one is text, never a card of its own."""
    if "question_level" in src.doc.front_matter:
        return []
    found = markdown_headings.find_mdanki(src, headings, taken)
    found += details_blocks.find(src, taken)
    found += multiline_question_mark.find(src, taken, heading_at)
    found += line_cards.find_note_blocks(src, taken)
    found += line_cards.find_flashcard_marker(src, taken)
    found += line_cards.find_inline(src, taken, heading_at)
    found += line_cards.find_remnote(src, taken)
    found += line_cards.find_numbered(src, taken)
    found += line_cards.find_label_starts(src, taken, heading_at)
    found += cloze.find(src, taken, heading_at)
    return found


def _inside_reason(f: Found, opts: ImportOptions) -> str:
    template = _INSIDE.get(f.syntax, f"{f.syntax} card inside a heading section answer")
    return template.format(sep=opts.inline_separator, mark=opts.multiline_separator)


def _greedy_answers(
    src: SourceLines, found: list[Found], boundaries: list[int], heading_at: set[int]
) -> list[tuple[Found, int]]:
    """Each card with the end of its lines; bold and labelled questions get their answers."""
    n = len(src.det)
    # A weak card (a highlight, a numbered list) inside an answer is answer text.
    weak = {f.start for f in found if not f.greedy and f.strength != STRONG}
    starts = sorted(f.start for f in found if f.start not in weak)
    bounds = sorted(boundaries)
    absorbed: set[int] = set()
    out: list[tuple[Found, int]] = []
    for k, f in enumerate(found):
        if not f.greedy:
            continue
        k, j = bisect_right(starts, f.start), bisect_right(bounds, f.start)
        stop = min(starts[k] if k < len(starts) else n, bounds[j] if j < len(bounds) else n)
        stop = _section_title_stop(src, heading_at, f.start + 1, stop)
        for g in found[k + 1 :]:
            if g.start >= stop:
                break
            if not g.greedy and g.strength != STRONG:
                absorbed.add(id(g))
        stop = _fill(src, f, stop)
        out.append((f, stop))
    for f in found:
        if not f.greedy and id(f) not in absorbed:
            out.append((f, f.end))
    out = [(f, end) for f, end in out if f.question.strip()]
    out.sort(key=lambda item: item[0].start)
    return out


def _section_title_stop(src: SourceLines, heading_at: set[int], start: int, stop: int) -> int:
    """Where an answer ends: ``stop``, or an earlier heading that only titles a section."""
    for i in range(start, stop):
        if i in heading_at:
            j = i + 1
            while j < stop and not src.det[j].strip():
                j += 1
            if j == stop or j in heading_at:
                return i
    return stop


def _fill(src: SourceLines, f: Found, stop: int) -> int:
    """Set a bold or labelled question's text and answer; returns the end of its lines."""
    lines, det = src.text, src.det
    a, b = trim_blank(lines, f.start + 1, stop)
    question_lines = [f.question]
    body = lines[a:b]
    labelled = False
    for j in range(a, b):
        label = None if src.dead[j] else line_cards.answer_start(det[j])
        if label is not None:
            question_lines.extend(lines[a:j])
            body = [label, *lines[j + 1 : b]]
            labelled = True
            if f.syntax == "labels":
                end = next(
                    (k for k in range(j + 1, b) if not det[k].strip() and not src.dead[k]), b
                )
                body = body[: end - j]
                b = end
            break
    if f.syntax == "labels" and not labelled:
        src.skip(f.start, "question without an answer")
        f.question = ""
        return f.start + 1
    question = "\n".join(question_lines).strip()
    if not question and body:
        # "**Q:**" alone on its line, no "**A:**": the next line is the question.
        question, body = body[0].strip(), body[1:]
    ta, tb, tags = split_trailing_tags(body, 0, len(body))
    f.question = question
    f.answer = "\n".join(body[ta:tb])
    f.kind = card_kind(question)
    f.tags = unique([*f.tags, *tags])
    return b


def _heading_card(src: SourceLines, s: Section) -> ParsedCard | None:
    a, b = (s.start, s.end) if s.end >= 0 else trim_blank(src.text, s.start, s.stop)
    made = markdown_headings.section_card(src, s.heading, a, b)
    if made is None:
        return None
    question, answer, kind, tags = made
    if "question_level" not in src.doc.front_matter and answer[:2] in {"**", "A:", "An"}:
        # "## Q1: What is Docker?" then "**Answer:** A container platform.": the label goes.
        first, _, rest = answer.partition("\n")
        label = line_cards.answer_start(first)
        if label is not None:
            answer = f"{label}\n{rest}".strip("\n") if label.strip() else rest.strip("\n")
    return ParsedCard(
        question=question,
        answer=answer,
        line=s.heading.index + 1,
        tags=tags,
        kind=kind,
        syntax="heading",
        schedule=_schedule(src, s.heading.index, s.stop),
    )


def _parsed(src: SourceLines, f: Found, end: int) -> ParsedCard:
    return ParsedCard(
        question=f.question,
        answer=f.answer,
        line=f.start + 1,
        tags=f.tags,
        kind=f.kind,
        syntax=f.syntax,
        heading_path=list(f.context),
        schedule=_schedule(src, f.start, end),
    )


def _schedule(src: SourceLines, start: int, end: int) -> SourceSchedule | None:
    """An SR comment on the card's lines, or alone on the line just below them."""
    if not src.schedules:
        return None
    for i in range(start, end):
        if i in src.schedules:
            return src.schedules[i]
    if end in src.schedules and not src.det[end].strip():
        return src.schedules[end]
    return None


def _with_paths(
    events: list[tuple[int, int, ParsedCard | Heading, int]],
) -> list[ParsedCard]:
    """Each card's context: the headings above it that are not cards, outermost first; a
    heading card's own level closes the sections of its level and deeper."""
    stack: list[Heading] = []
    cards: list[ParsedCard] = []
    for _, _, item, level in events:
        while stack and stack[-1].level >= level:
            stack.pop()
        if isinstance(item, Heading):
            stack.append(item)
        else:
            item.heading_path = [*(h.text for h in stack), *item.heading_path]
            cards.append(item)
    return cards


def _fenced_warnings(src: SourceLines, spans: list[tuple[int, int]]) -> None:
    """Card-like lines in code blocks that are not part of a card: said, not read."""
    opts = src.options
    basic, reverse = opts.inline_separator, opts.inline_reversed_separator
    marks = {opts.multiline_separator, opts.multiline_reversed_separator}
    lines = src.doc.lines
    in_card = Spans(spans)
    for fence in src.doc.fences:
        if in_card.holds(fence.start):
            continue
        for i in range(fence.start + 1, fence.end if fence.closed else fence.end + 1):
            line = lines[i]
            if line.strip() in marks:
                src.skip(i, f"a '{line.strip()}' line in a fenced code block is not read")
            elif line_cards.split_inline(line, basic, reverse):
                sep = reverse if reverse in line else basic
                src.skip(i, f"`{sep}` in a fenced code block is not read")
            elif (
                cloze.has_markers(line)
                and cloze.convert(line, [0], cloze.styles(src, list_item=False)) != line
            ):
                src.skip(i, "cloze markers in a fenced block are not read")


def _layout(cards: list[ParsedCard]) -> str:
    syntaxes = {c.syntax for c in cards}
    if len(syntaxes) == 1:
        only = next(iter(syntaxes))
        return LAYOUTS.get(only, only)
    return "mixed" if syntaxes else ""
