"""Cloze cards: paragraphs holding ``==deletions==`` or Anki ``{{c1::deletions}}``.

Units are runs of non-blank lines no other card took (a blank line inside a code fence does
not end one; headings end one). A unit with at least one deletion outside inline code is a
card of kind "cloze" whose question is the unit with every deletion in Anki form:
``{{cN::text}}`` (``{{C1::x}}`` is lower-cased, hints ``{{c1::x::hint}}`` are kept) and each
other deletion numbered after the highest existing N of the unit, so each is its own card.
A deletion may hold inline code (``==`code`==``), but markers inside code are not read.

Deletion styles (import options, Obsidian Spaced Repetition's): ``==highlight==`` (on by
default), ``**bold**`` and ``{{curly}}``; Anki's ``{{c1::...}}`` is always read. In a list
(every line an item or its continuation), each item holding a deletion is its own card and
the items it hangs from are its context: RemNote's ``{{cloze}}`` bullets, which are read
with the curly style even when it is off. The answer is empty: the question holds both sides.
"""

from __future__ import annotations

import re

from .inline_separators import mask_code
from .line_cards import parent_bullets, tags_above, take_tags
from .source_lines import STRONG, WEAK, Found, SourceLines

NAME = "cloze"

_ANKI = re.compile(r"\{\{c(\d+)::", re.IGNORECASE)
# No space just inside the markers, so "a == b and c == d" is not a deletion.
# A highlight holds no "==": each one is then found in one pass, where a lazy ".+?" free to
# run past other markers rescanned the rest of the line from every "==" (quadratic).
_HIGHLIGHT = re.compile(r"==(?=[^\s=])((?:(?!==).)+?)(?<=[^\s=])==")
_BOLD = re.compile(r"\*\*(?=[^\s*])((?:(?!\*\*).)+?)(?<=[^\s*])\*\*")
# "{{ name }}" with spaces is template syntax (Jinja, Django), not a deletion.
_CURLY = re.compile(r"\{\{(?![cC][0-9]+::)(?=[^\s{}])([^{}\n]+?)(?<=[^\s{}])\}\}")
# Kept for the regular-expression audit's pumped inputs (tests/core/regex_audit.py).
_CODE_SPAN = re.compile(r"(?<!`)(`++).*?(?<!`)\1")
_ITEM = re.compile(r"([ \t]*)(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]+|\Z)")


def styles(src: SourceLines, *, list_item: bool) -> list[re.Pattern[str]]:
    opts = src.options
    found = []
    if opts.cloze_highlight:
        found.append(_HIGHLIGHT)
    if opts.cloze_bold:
        found.append(_BOLD)
    if opts.cloze_curly or list_item:
        found.append(_CURLY)
    return found


def has_markers(line: str) -> bool:
    return "==" in line or "{{" in line or "**" in line


def find(src: SourceLines, taken: bytearray, headings: set[int]) -> list[Found]:
    text = src.doc.text
    if "==" not in text and "{{" not in text and not (src.options.cloze_bold and "**" in text):
        return []
    det = src.det
    n = len(det)
    found: list[Found] = []
    unit: list[int] = []
    for i in [*range(src.doc.body_start, n), n]:
        if i < n and not taken[i] and i not in headings and (det[i].strip() or src.dead[i]):
            unit.append(i)
            continue
        if unit:
            found.extend(_unit_cards(src, unit, taken))
            unit = []
    return found


def _unit_cards(src: SourceLines, unit: list[int], taken: bytearray) -> list[Found]:
    det = src.det
    prose = [i for i in unit if not src.dead[i]]
    if not any(has_markers(det[i]) for i in prose):
        return []
    if prose and all(_ITEM.match(det[i]) or det[i][:1] in " \t" for i in prose):
        cards = []
        for i in prose:
            item = _ITEM.match(det[i])
            if item is None or not has_markers(det[i]):
                continue
            card = _card(src, [i], taken, list_item=True)
            if card is not None:
                indent = len(item.group(1).expandtabs(4))
                card.context = parent_bullets(det, i, indent, src.doc.body_start)
                cards.append(card)
        return cards
    card = _card(src, unit, taken, list_item=False)
    return [card] if card is not None else []


def _card(src: SourceLines, unit: list[int], taken: bytearray, *, list_item: bool) -> Found | None:
    patterns = styles(src, list_item=list_item)
    lines = src.text
    prose = [i for i in unit if not src.dead[i]]
    numbers = [int(x) for i in prose for x in _ANKI.findall(mask_code(src.det[i]))]
    counter = [max(numbers, default=0)]
    out = []
    converted = False
    for i in unit:
        line = lines[i]
        if not src.dead[i] and has_markers(line):
            new = convert(line, counter, patterns)
            converted = converted or new != line
            line = new
        out.append(line)
    if not numbers and not converted:
        return None
    if list_item:
        item = _ITEM.match(out[0])
        out[0] = out[0][item.end() :] if item else out[0]
    first, tags = take_tags(out[0])
    question = "\n".join([first, *out[1:]]).strip()
    start, above = tags_above(src, unit[0], taken)
    taken[start : unit[-1] + 1] = b"\x01" * (unit[-1] + 1 - start)
    return Found(
        unit[0], unit[-1] + 1, NAME, question, "", "cloze",
        strength=STRONG if numbers else WEAK, tags=[*above, *tags],
    )  # fmt: skip


def convert(line: str, counter: list[int], patterns: list[re.Pattern[str]]) -> str:
    """Rewrite deletions outside code spans; ``counter`` holds the last number used.

    The patterns run on the line with its code spans blanked, so markers inside code are
    not read while code inside a deletion (``==`x`==``) is kept from the original line.
    """
    masked = mask_code(line)
    spans: list[tuple[int, int, int, int]] = []
    for pattern in patterns:
        for m in pattern.finditer(masked):
            spans.append((m.start(), m.end(), m.start(1), m.end(1)))
    spans.sort()
    parts: list[str] = []
    pos = 0
    for start, end, inner_start, inner_end in spans:
        if start < pos:
            continue  # overlaps a deletion already taken
        parts.append(_anki_lower(line[pos:start], masked[pos:start]))
        counter[0] += 1
        parts.append("{{c" + str(counter[0]) + "::" + line[inner_start:inner_end] + "}}")
        pos = end
    parts.append(_anki_lower(line[pos:], masked[pos:]))
    return "".join(parts)


def _anki_lower(text: str, masked: str) -> str:
    """``{{C2::`` -> ``{{c2::`` outside code."""
    if "{{" not in masked:
        return text
    out, pos = [], 0
    for m in _ANKI.finditer(masked):
        out += [text[pos : m.start()], "{{c" + m.group(1) + "::"]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)
