"""Markdown export: a deck file that imports back to the same notes, kinds, cards, tags and order.

The output follows the contract in ``recall.decks.importers`` (front matter with
``question_level``, one heading per question, the answer verbatim, a ``#tag`` line)::

    ---
    title: "Deck title"
    description: "One line"
    question_level: 2
    ---

    ## References

    - Python docs: https://docs.python.org/3/

    ## 1. What is a list?

    A mutable sequence.

    #python #basics

A note whose kind the heading alone would not give back (a reversed note, a basic one with
an empty answer or with a question that looks like a cloze) carries a marker line under its
heading, an HTML comment that renders as nothing: ``<!-- recall: reversed -->``. A cloze note
is written as a ``<!-- recall: cloze -->`` section whose body is the cloze text (the heading
only names it), followed, when the note has one, by ``<!-- recall: extra -->`` and the
extra text shown on the back::

    ## 2. Redirects
    <!-- recall: cloze -->

    {{c1::301}} moves for good, {{c2::302}} for now.

Escapes, chosen so the parser undoes them exactly:

* every question is numbered ("1. "): the parser strips one numbering prefix, so a question
  that itself starts like "3. foo" survives, and a numbered heading is always a question
  (never mistaken for a section of links);
* a question ending with ``#`` gets a closing " #", which the parser drops;
* the question level is 2, or 1 when an answer holds level-2 headings of its own.

What cannot round-trip (never produced by an import, only by editing a note by hand): a
multi-line basic or reversed question (written on one line), an answer with a level-1
heading outside code, an answer whose last line is only ``#words``
while the card has no tags, an answer with an unclosed code fence (closed on export), and a
tag that holds ``#`` or starts with punctuation (a ``#tag`` line cannot carry it).
Archived notes are not exported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from recall.decks.importers.markdown_blocks import MarkdownDocument, scan
from recall.decks.importers.questions import EXTRA_MARK, card_kind, kind_mark
from recall.decks.models import CardKind
from recall.decks.prompts import CLOZE_RE

if TYPE_CHECKING:
    from recall.decks.models import Deck, Note

# Blanks are tried from the start of their run only (from inside it, a long run of spaces
# with no newline was rescanned once per space); right after a match, from its newline.
_NEWLINES_RE = re.compile(r"(?<![ \t])[ \t]*[\r\n]+[ \t]*|[\r\n]+[ \t]*")


def export_markdown(deck: Deck) -> str:
    cards = list(
        deck.notes.filter(is_archived=False).order_by("position", "id").prefetch_related("tags")
    )
    references = list(deck.references.order_by("position", "id"))
    answers = [_body(card) for card in cards]
    level = _question_level(answers)
    marks = "#" * level

    out = ["---", f"title: {_quoted(deck.title)}"]
    if deck.description.strip():
        out.append(f"description: {_quoted(deck.description)}")
    out += [f"question_level: {level}", "---", ""]
    if references:
        out += [f"{marks} References", ""]
        out += [_reference_line(ref.title, ref.url) for ref in references]
        out.append("")
    for number, (card, answer) in enumerate(zip(cards, answers, strict=True), start=1):
        out.append(f"{marks} {number}. {_heading_text(_heading_of(card))}")
        if _needs_mark(card):
            out.append(kind_mark(card.kind))
        out.append("")
        if answer:
            out += [answer, ""]
        tags = _tag_names(card)
        if tags:
            out += [" ".join(f"#{t}" for t in tags), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _heading_of(note: Note) -> str:
    if note.kind != CardKind.CLOZE:
        return note.question
    # A cloze note's heading only names it: its first line, deletions shown as their text.
    first = next((line for line in note.question.splitlines() if line.strip()), "")
    return CLOZE_RE.sub(lambda m: m.group(2), first).strip("#").strip() or "Cloze"


def _needs_mark(note: Note) -> bool:
    if note.kind == CardKind.CLOZE:
        return True
    if not note.answer.strip():
        return True  # a heading with nothing under it is a section title, not a question
    return card_kind(note.question) != note.kind


def _body(note: Note) -> str:
    """What goes under the heading (and its marker): the answer, or the cloze text."""
    if note.kind != CardKind.CLOZE:
        return _answer_text(note.answer)
    extra = _answer_text(note.answer)
    text = _answer_text(note.question)
    return f"{text}\n\n{EXTRA_MARK}\n\n{extra}" if extra else text


def _tag_names(card: Note) -> list[str]:
    return [t.name.replace(" ", "-") for t in card.tags.all()]


def _quoted(value: str) -> str:
    # The front matter reader strips one pair of matching quotes and reads one line.
    return '"' + _one_line(value) + '"'


def _one_line(value: str) -> str:
    # Only line breaks go: runs of spaces inside a heading or a value survive a round trip.
    return _NEWLINES_RE.sub(" ", value).strip()


def _heading_text(question: str) -> str:
    text = _one_line(question) or "?"
    if text.endswith("#"):
        text += " #"
    return text


def _answer_text(answer: str) -> str:
    lines = answer.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return ""
    text = "\n".join(lines)
    unclosed = [f for f in _skeleton(text).fences if not f.closed]
    if unclosed:
        # An open fence would swallow every following card.
        opening = lines[unclosed[0].start].lstrip(" ")
        char = opening[0]
        text += "\n" + char * (len(opening) - len(opening.lstrip(char)))
    return text


def _skeleton(answer: str) -> MarkdownDocument:
    # A fragment: an answer's leading "---" is a thematic break, not front matter.
    return scan(answer, front_matter=False)


def _question_level(answers: list[str]) -> int:
    """2, unless an answer has its own level-2 heading outside code; then 1."""
    for answer in answers:
        if any(h.level <= 2 for h in _skeleton(answer).headings):
            return 1
    return 2


def _reference_line(title: str, url: str) -> str:
    title = _one_line(title)
    if not title or title == url:
        return f"- {url}"
    return f"- {title}: {url}"
