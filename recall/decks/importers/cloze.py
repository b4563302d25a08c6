"""Cloze layout: paragraphs holding ``==deletions==`` or Anki ``{{c1::deletions}}``.

Units are runs of non-blank lines (a blank line inside a code fence does not
end one; headings are section titles and end one). A unit with at least one
deletion outside code is a card of kind "cloze" whose question is the unit with
every deletion in Anki form: ``{{cN::text}}`` (``{{C1::x}}`` is lower-cased,
hints ``{{c1::x::hint}}`` are kept) and each ``==text==`` numbered after the
highest existing N of the unit, so each highlight is its own deletion. The
answer is empty: the question holds both sides. Units without a deletion
before the first card form the preamble; later ones are not cards.
"""

from __future__ import annotations

import re

from .base import ParsedCard
from .markdown_blocks import MarkdownDocument
from .questions import LayoutResult, read_leading

NAME = "cloze"

_ANKI = re.compile(r"\{\{c(\d+)::", re.IGNORECASE)
# No space just inside the markers, so "a == b and c == d" is not a deletion.
# A highlight holds no "==": each one is then found in one pass, where a lazy ".+?" free to
# run past other markers rescanned the rest of the line from every "==" (quadratic).
_HIGHLIGHT = re.compile(r"==(?=[^\s=])((?:(?!==).)+?)(?<=[^\s=])==")
# A span opens only at the start of a run of backticks (as in CommonMark): trying every
# backtick inside a long run made finding spans quadratic in the run's length.
_CODE_SPAN = re.compile(r"(?<!`)(`++).*?(?<!`)\1")


def parse(doc: MarkdownDocument) -> LayoutResult:
    result = LayoutResult()
    if "==" not in doc.text and "{{" not in doc.text:
        return result
    lines = doc.lines
    in_fence = doc.in_fence
    headings = {h.index for h in doc.headings}
    first_card: int | None = None
    unit: list[int] = []
    for i in [*range(doc.body_start, len(lines)), len(lines)]:
        if i < len(lines) and i not in headings and (in_fence[i] or lines[i].strip()):
            unit.append(i)
            continue
        if unit:
            card = _card(doc, unit)
            if card:
                first_card = unit[0] if first_card is None else first_card
                result.cards.append(card)
            unit = []
    if first_card is not None:
        read_leading(doc, first_card, result)
    return result


def _card(doc: MarkdownDocument, unit: list[int]) -> ParsedCard | None:
    lines = doc.lines
    prose = [i for i in unit if not doc.in_fence[i]]
    if not any("{{" in lines[i] or "==" in lines[i] for i in prose):
        return None
    numbers = [int(n) for i in prose for n in _ANKI.findall(_mask_code(lines[i]))]
    counter = [max(numbers, default=0)]
    found = bool(numbers)
    out = []
    for i in unit:
        line = lines[i]
        if not doc.in_fence[i] and ("==" in line or "{{" in line):
            new = _convert(line, counter)
            found = found or new != line
            line = new
        out.append(line)
    if not found:
        return None
    return ParsedCard(question="\n".join(out), answer="", line=unit[0] + 1, kind="cloze")


def _mask_code(line: str) -> str:
    return _CODE_SPAN.sub(lambda m: "\0" * len(m.group(0)), line) if "`" in line else line


def _convert(line: str, counter: list[int]) -> str:
    """Rewrite deletions outside code spans; ``counter`` holds the last number used."""

    def highlight(m: re.Match[str]) -> str:
        counter[0] += 1
        return "{{c" + str(counter[0]) + "::" + m.group(1) + "}}"

    parts: list[str] = []
    pos = 0
    spans = list(_CODE_SPAN.finditer(line)) if "`" in line else []
    for span in [*spans, None]:
        stop = span.start() if span else len(line)
        text = line[pos:stop]
        text = _ANKI.sub(lambda m: "{{c" + m.group(1) + "::", text)
        parts.append(_HIGHLIGHT.sub(highlight, text))
        if span:
            parts.append(span.group(0))
            pos = span.end()
    return "".join(parts)
