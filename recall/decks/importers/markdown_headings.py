"""Question headings: each question is an ATX heading, its answer the Markdown below it.

Which headings are questions and which are context is settled by the reader (``reader``):
this module finds the question level, the title heading and the text of a heading card.

How the question level is chosen (the first rule that applies):

1. front matter ``question_level: N`` (what the exporter writes);
2. the level with the most question-like headings (numbered like ``3.``,
   ``Q3:``, or ending in ``?``; a number already seen at that level counts
   -1, so restarting sub-step numbers lose), if that is at least 2;
3. the level with the most headings that have a body of their own (text
   before the next heading of any level).
Ties go to the shallower level. Headings counted exclude the document title and
link-list sections.

Then every heading at that level or shallower is a boundary; the lines up to
the next boundary form its section:

* a section with no text is a section title (``# Revision Questions``) - no card;
* a section that is only a list of links under a heading that is not
  question-like (``# Reference Python-Django``) becomes deck references, also
  when block-quoted and nested: ONE ParsedReference PER URL, titled with the
  label of the top-level item it belongs to ("4. DRF cheet sheet:" and its two
  nested URLs give two references titled "DRF cheet sheet"), so consecutive
  references with the same title form one item and no URL is lost;
* any other section is a card: the question is the heading text with one
  numbering prefix removed, the answer is the section's source, trimmed of
  blank lines only, so deeper headings and code blocks stay in it byte for byte.
  A last line made only of ``#tags`` is taken as the card's tags. A first line
  ``<!-- recall: reversed -->`` (or ``basic``, ``cloze``: the Markdown export's marker)
  gives the note's kind; under ``cloze`` the section is the cloze text, then, after a
  ``<!-- recall: extra -->`` line, the extra text of its back.

The first heading is the document title when it is the only heading at the
shallowest level and other headings follow; its body becomes the description.
Text before the first boundary gives deck tags (tag lines), references (a link
list) or the description.
"""

from __future__ import annotations

from collections import Counter

from .markdown_blocks import Heading, MarkdownDocument, trim_blank
from .questions import (
    card_kind,
    looks_like_question,
    parse_link_list,
    question_number,
    read_kind_mark,
    split_trailing_tags,
    strip_numbering,
)
from .source_lines import Found, SourceLines

NAME = "heading"


def section_card(
    src: SourceLines, h: Heading, a: int, b: int
) -> tuple[str, str, str, list[str]] | None:
    """(question, answer, kind, tags) of a heading section with text, or None."""
    lines = src.text
    a, b, tags = split_trailing_tags(lines, a, b)
    question = strip_numbering(h.text)
    answer, kind = "\n".join(lines[a:b]), card_kind(question)
    marked = read_kind_mark(question, lines, a, b)
    if marked is not None:
        kind, question, answer = marked
    if not question.strip():
        return None  # a cloze section with no text
    return question, answer, kind, tags


def find_mdanki(src: SourceLines, headings: list[Heading], taken: bytearray) -> list[Found]:
    """mdanki: a heading is the front, a lone ``%`` line before any other heading ends it, the
    back follows up to the next heading of the same or a shallower level."""
    if "\n%" not in src.doc.text:
        return []
    det, found = src.det, []
    for k, h in enumerate(headings):
        stop = next((g.index for g in headings[k + 1 :] if g.level <= h.level), len(det))
        own = headings[k + 1].index if k + 1 < len(headings) else len(det)
        split = next((i for i in range(h.index + 1, own) if det[i].strip() == "%"), None)
        if split is None or any(taken[h.index : stop]):
            continue
        qa, qb = trim_blank(src.text, h.index + 1, split)
        aa, ab, tags = split_trailing_tags(src.text, split + 1, stop)
        question = "\n".join([strip_numbering(h.text), *src.text[qa:qb]])
        if aa == ab:
            src.skip(h.index, "question without an answer")
            continue
        taken[h.index : stop] = b"\x01" * (stop - h.index)
        found.append(Found(h.index, stop, "mdanki", question, "\n".join(src.text[aa:ab]),
                           card_kind(question), tags=tags))  # fmt: skip
    return found


def question_level(doc: MarkdownDocument, headings: list[Heading]) -> int | None:
    """The level of the question headings (see the module docstring), or None."""
    hint = _question_level_hint(doc)
    if hint is not None:
        return hint
    if not headings:
        return None
    lines = doc.lines
    ends = [h.index for h in headings[1:]] + [len(lines)]
    own_body = {
        h.index: trim_blank(lines, h.index + 1, end) for h, end in zip(headings, ends, strict=True)
    }

    def link_section(h: Heading) -> bool:
        a, b = own_body[h.index]
        return a < b and not looks_like_question(h.text) and parse_link_list(lines[a:b]) is not None

    return _detect_level([h for h in headings if not link_section(h)], own_body)


def title_heading(doc: MarkdownDocument, headings: list[Heading]) -> Heading | None:
    """The document title: the only heading at the shallowest level, with others below it."""
    if not headings:
        return None
    first = headings[0]
    hint = _question_level_hint(doc)
    if (
        len(headings) > 1
        and all(h.level > first.level for h in headings[1:])
        and (hint is None or first.level < hint)
    ):
        return first
    return None


def _question_level_hint(doc: MarkdownDocument) -> int | None:
    value = doc.front_matter.get("question_level")
    if isinstance(value, str) and value.strip().isdigit() and 1 <= int(value) <= 6:
        return int(value)
    return None


def _detect_level(headings: list[Heading], own_body: dict[int, tuple[int, int]]) -> int | None:
    if not headings:
        return None
    # A repeated number counts against its level: sub-steps "1.", "2." restarting under every
    # answer must not outvote the questions "1." to "17." above them.
    numbers: set[tuple[int, str]] = set()
    questions: Counter[int] = Counter()
    for h in headings:
        number = question_number(h.text)
        if number is not None:
            questions[h.level] += -1 if (h.level, number) in numbers else 1
            numbers.add((h.level, number))
        elif looks_like_question(h.text):
            questions[h.level] += 1
    questions = +questions  # keep positive scores only
    if questions:
        level, count = _best(questions)
        if count >= 2:
            return level
    bodies = Counter(h.level for h in headings if own_body[h.index][0] < own_body[h.index][1])
    if bodies:
        return _best(bodies)[0]
    return None


def _best(counts: Counter[int]) -> tuple[int, int]:
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
