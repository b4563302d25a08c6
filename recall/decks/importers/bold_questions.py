"""Bold-question layout: ``**Q1. What is X?**`` lines, or ``**Q:** ...`` / ``**A:** ...`` pairs.

A question starts on a line (outside code fences) that is either

* wholly bold and question-like: ``**Q1. What is X?**``, ``**3) Why?**``,
  ``**What is X?**`` (numbered, ``Q``-prefixed or ending in ``?``); or
* a bold ``Q``/``Question`` label followed by the question: ``**Q:** What is X?``,
  ``**Q1.** What is X?``, or alone, with the question on the next line(s).

Its answer runs to the next question line. When the answer starts with a bold
``A``/``Answer`` label (``**A:** ...``) the label is dropped and any lines
between the question line and the label continue the question. A heading
followed by nothing but blank lines before the next heading or question is a
section title and ends the answer; other headings stay in the answer. A last
line made only of ``#tags`` gives the card's tags. Numbering is stripped from
the question as in the heading layout.
"""

from __future__ import annotations

import re

from .base import ParsedCard
from .markdown_blocks import Heading, MarkdownDocument, trim_blank
from .questions import (
    LayoutResult,
    card_kind,
    looks_like_question,
    read_leading,
    split_trailing_tags,
    strip_numbering,
)

NAME = "bold-questions"

_WHOLE_BOLD = re.compile(r"[ ]{0,3}\*\*(?!\*)(.+?)\*\*[ \t]*\Z")
_Q_LABEL = re.compile(
    r"[ ]{0,3}\*\*(?:Q|Question)[ \t]?\d{0,6}[ \t]?[.:)]?\*\*[ \t]*+((?:.*[^ \t\n])?)[ \t]*\Z", re.I
)
_A_LABEL = re.compile(r"[ ]{0,3}\*\*(?:A|Answer)[ \t]?\d{0,6}[ \t]?[.:)]?\*\*[ \t]?(.*)\Z", re.I)


def question_at(line: str) -> str | None:
    """The question a line starts, or None. Cheap for the common case of ordinary lines."""
    if "**" not in line[:6]:
        return None
    m = _Q_LABEL.match(line)
    if m:
        return m.group(1)
    m = _WHOLE_BOLD.match(line)
    if m and "**" not in m.group(1) and looks_like_question(m.group(1)):
        return strip_numbering(m.group(1).strip())
    return None


def answer_label(line: str) -> str | None:
    """The rest of a ``**A:**`` line, or None."""
    if "**" not in line[:6]:
        return None
    m = _A_LABEL.match(line)
    return m.group(1) if m else None


def parse(doc: MarkdownDocument) -> LayoutResult:
    result = LayoutResult()
    if "**" not in doc.text:
        return result
    lines = doc.lines
    in_fence = doc.in_fence
    starts: list[tuple[int, str]] = []
    for i in range(doc.body_start, len(lines)):
        if not in_fence[i]:
            question = question_at(lines[i])
            if question is not None:
                starts.append((i, question))
    if not starts:
        return result
    heading_at = {h.index: h for h in doc.headings}
    read_leading(doc, starts[0][0], result)

    stops = [i for i, _ in starts[1:]] + [len(lines)]
    for (index, question), stop in zip(starts, stops, strict=True):
        end = _section_title_stop(doc, heading_at, index + 1, stop)
        a, b = trim_blank(lines, index + 1, end)
        question_lines = [question]
        body = lines[a:b]
        for j in range(a, b):
            label = None if in_fence[j] else answer_label(lines[j])
            if label is not None:
                question_lines.extend(lines[a:j])
                body = [label, *lines[j + 1 : b]]
                break
        text = "\n".join(question_lines).strip()
        if not text and body:
            # "**Q:**" alone on its line, no "**A:**": the next line is the question.
            text, body = body[0].strip(), body[1:]
        a, b, tags = split_trailing_tags(body, 0, len(body))
        answer = "\n".join(body[a:b])
        if not text:
            continue
        result.cards.append(
            ParsedCard(
                question=text, answer=answer, line=index + 1, tags=tags, kind=card_kind(text)
            )
        )
    return result


def _section_title_stop(
    doc: MarkdownDocument, heading_at: dict[int, Heading], start: int, stop: int
) -> int:
    """Where the answer ends: ``stop``, or an earlier heading that only titles a section."""
    lines = doc.lines
    for i in range(start, stop):
        if i in heading_at:
            j = i + 1
            while j < stop and not lines[j].strip():
                j += 1
            if j == stop or j in heading_at:
                return i
    return stop
