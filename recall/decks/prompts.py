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
from dataclasses import dataclass
from typing import Any

BASIC, REVERSED, CLOZE = "basic", "reversed", "cloze"
FORWARD, BACKWARD = 1, 2

# {{c1::text}} or {{c1::text::hint}}; the text may hold single braces and span lines.
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::((?:(?!\}\}).)*?))?\}\}", re.DOTALL | re.IGNORECASE)
# Code spans and fenced blocks: deletion markers inside them are code, not deletions.
_CODE_RE = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)|(`+)(?!`).*?(?<!`)\2",
    re.DOTALL | re.MULTILINE,
)


@dataclass(frozen=True)
class Prompt:
    ordinal: int
    front: str
    back: str


def _outside_code(text: str) -> list[tuple[bool, str]]:
    """The text cut into (is_code, piece) runs, in order."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for match in _CODE_RE.finditer(text):
        if match.start() > pos:
            out.append((False, text[pos : match.start()]))
        out.append((True, match.group(0)))
        pos = match.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def sub_outside_code(pattern: re.Pattern[str], repl: Any, text: str) -> str:
    """``pattern.sub(repl, text)`` applied to the text outside code spans and fences."""
    return "".join(
        piece if is_code else pattern.sub(repl, piece) for is_code, piece in _outside_code(text)
    )


def cloze_numbers(text: str) -> list[int]:
    """The deletion numbers of a cloze text, ascending, each once."""
    found = {
        int(m.group(1))
        for is_code, piece in _outside_code(text)
        if not is_code
        for m in CLOZE_RE.finditer(piece)
    }
    return sorted(n for n in found if n > 0)


def _cloze_side(text: str, active: int, *, front: bool) -> str:
    def one(match: re.Match[str]) -> str:
        number, inner, hint = int(match.group(1)), match.group(2), match.group(3)
        if number != active:
            return inner
        if front:
            label = html.escape(hint.strip(), quote=False) if hint and hint.strip() else "…"
            return f'<span class="cloze-blank">[{label}]</span>'
        return f'<mark class="cloze">{inner}</mark>'

    return sub_outside_code(CLOZE_RE, one, text)


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


def prompt_label(kind: str, ordinal: int) -> str:
    """How a card is named beside its note: "forward", "backward", "cloze 2"."""
    if kind == CLOZE:
        return f"cloze {ordinal}"
    return "backward" if ordinal == BACKWARD else "forward"
