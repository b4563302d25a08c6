"""The cards a note generates: one prompt per card, its front and back written as Markdown.

A basic note asks once (ordinal 1), a reversed note twice (1 forwards, 2 backwards), a
cloze note once per deletion number (the ordinal is the number). A cloze prompt's front
blanks its own deletions (``[…]``, or ``[hint]``) and shows the other numbers' text plainly;
its back shows the whole text with its own deletions highlighted. Deletions are read
outside code spans and fences only, and their text stays Markdown (code inside a deletion
renders as code).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

BASIC, REVERSED, CLOZE = "basic", "reversed", "cloze"
FORWARD, BACKWARD = 1, 2

# {{c1::text}} or {{c1::text::hint}}. Text and hint stop at the next "::", "}}" or cloze
# opener and never give characters back, so finding every deletion is one pass over the
# text (a lazy ".+?" pair was cubic in a run of colons after an opener).
CLOZE_RE = re.compile(
    r"\{\{c(\d+)::((?:(?!::|\}\}|\{\{c\d).)++)(?:::((?:(?!\}\}|\{\{c\d).)*+))?\}\}",
    re.DOTALL,
)
_FENCE_OPEN_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
_BACKTICKS_RE = re.compile(r"`+")


@dataclass(frozen=True)
class Prompt:
    ordinal: int
    front: str
    back: str


def _code_regions(text: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced block and code span, in order; linear in the text.

    Fences go line by line; outside them a run of n backticks opens a span that the next
    run of exactly n backticks closes (CommonMark's rule), found by one backward pass.
    """
    regions: list[tuple[int, int]] = []
    prose: list[tuple[int, int]] = []
    pos = 0
    fence: tuple[str, int, int] | None = None  # marker char, its length, block start
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        stripped = line.rstrip("\r\n")
        if fence is None:
            opened = _FENCE_OPEN_RE.match(stripped)
            if opened and not (opened.group(1)[0] == "`" and "`" in stripped[opened.end() :]):
                fence = (opened.group(1)[0], len(opened.group(1)), pos)
            elif prose and prose[-1][1] == pos:
                prose[-1] = (prose[-1][0], end)
            else:
                prose.append((pos, end))
        else:
            char, length, start = fence
            body = stripped.lstrip(" ")
            run = len(body) - len(body.lstrip(char))
            if len(stripped) - len(body) <= 3 and run >= length and not body[run:].strip():
                regions.append((start, end))
                fence = None
        pos = end
    if fence is not None:
        regions.append((fence[2], len(text)))
    for start, end in prose:
        runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text, start, end)]
        closer: list[int | None] = [None] * len(runs)
        seen: dict[int, int] = {}
        for i in range(len(runs) - 1, -1, -1):
            width = runs[i][1] - runs[i][0]
            closer[i] = seen.get(width)
            seen[width] = i
        i = 0
        while i < len(runs):
            j = closer[i]
            if j is None:
                i += 1
                continue
            regions.append((runs[i][0], runs[j][1]))
            i = j + 1
    return sorted(regions)


def _masked(text: str) -> str:
    """The text with every code span and fence blanked out, each character kept in place.

    Deletions are found in this copy and cut from the original by position, so a marker
    inside code is never a deletion while code inside a deletion stays in it.
    """
    if "`" not in text and "~" not in text:
        return text
    chars = list(text)
    for start, end in _code_regions(text):
        chars[start:end] = "\0" * (end - start)
    return "".join(chars)


def sub_cloze(text: str, replace: Callable[[int, str, str | None], str]) -> str:
    """Each deletion outside code replaced by ``replace(number, text, hint or None)``."""
    out: list[str] = []
    pos = 0
    for m in CLOZE_RE.finditer(_masked(text)):
        hint = text[m.start(3) : m.end(3)] if m.group(3) is not None else None
        out += [text[pos : m.start()], replace(int(m.group(1)), text[m.start(2) : m.end(2)], hint)]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def cloze_numbers(text: str) -> list[int]:
    """The deletion numbers of a cloze text, ascending, each once."""
    found = {int(m.group(1)) for m in CLOZE_RE.finditer(_masked(text))}
    return sorted(n for n in found if n > 0)


def _cloze_side(text: str, active: int, *, front: bool) -> str:
    def one(number: int, inner: str, hint: str | None) -> str:
        if number != active:
            return inner
        if front:
            label = html.escape(hint.strip(), quote=False) if hint and hint.strip() else "…"
            return f'<span class="cloze-blank">[{label}]</span>'
        return f'<mark class="cloze">{inner}</mark>'

    return sub_cloze(text, one)


def cloze_front(text: str, number: int) -> str:
    return _cloze_side(text, number, front=True)


def cloze_back(text: str, number: int) -> str:
    return _cloze_side(text, number, front=False)


def note_prompts(*, kind: str, question: str, answer: str) -> list[Prompt]:
    """Every card a note of this kind and content generates, by ordinal."""
    if kind == CLOZE:
        numbers = cloze_numbers(question)
        if numbers:
            extra = f"\n\n{answer}" if answer.strip() else ""
            return [
                Prompt(n, cloze_front(question, n), cloze_back(question, n) + extra)
                for n in numbers
            ]
    prompts = [Prompt(FORWARD, question, answer)]
    if kind == REVERSED and answer.strip():
        prompts.append(Prompt(BACKWARD, answer, question))
    return prompts


def identity_text(kind: str, question: str) -> str:
    """What identifies a note across re-imports: its question, a cloze's without markers.

    So numbering, adding or removing a deletion edits the note (its cards keep their
    history) rather than making a new one.
    """
    if kind != CLOZE:
        return question
    return sub_cloze(question, lambda number, inner, hint: inner)


def prompt_label(kind: str, ordinal: int) -> str:
    """How a card is named beside its note: "forward", "backward", "cloze 2"."""
    if kind == CLOZE:
        return f"cloze {ordinal}"
    return "backward" if ordinal == BACKWARD else "forward"
