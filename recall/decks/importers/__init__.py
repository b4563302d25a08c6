r"""Parse one decoded notes file into a ParsedDeck: layout detection and dispatch.

``parse_document(filename, text)`` is pure: text in, ParsedDeck out, no database.
It raises only ImportFormatError (whose message names the file and, where it
applies, the line) for text it cannot turn into cards.

Layout detection (deterministic):

1. ``.csv``, ``.tsv`` and ``.tab`` files are delimited records (``delimited``).
2. Any other text is Markdown. Its skeleton (front matter, code fences,
   headings) is scanned once, then every Markdown layout parses it and the
   layout that finds the MOST cards wins; among equals, the one with more
   question-like questions (numbered or ending in ``?``); then the first in
   this order: ``markdown-headings``, ``bold-questions``, ``details-blocks``,
   ``multiline-question-mark``, ``inline-separators``, ``cloze``.
   So explicit markers (``<details>``, ``**Q:**``, ``?`` lines, ``::``, cloze
   deletions) win over section headings that merely group them, while stray
   markers inside heading answers (a ``<details>`` "Show answer" spoiler, a
   ``==highlight==``, ``std::vec``) do not hijack a heading file.
   A file whose front matter has ``question_level`` (the exporter's output)
   declares the heading layout and is parsed with it alone.
3. A ``.txt`` file where no Markdown layout finds a card but every line holds a
   tab is read as TSV (Anki's plain-text export), see ``delimited``.
4. No cards at all raises ImportFormatError("no questions found ...").

Deck fields: the title comes from front matter ``title:``, else from a single
document-title heading, else from the file name ("python-django-revision-notes.md"
-> "Python Django Revision Notes"). Tags from front matter ``tags:`` and from
lines made only of ``#tags`` before the first card are deck tags
(``ParsedDeck.tags``, meant for every card; they are not copied into
``ParsedCard.tags``). Line endings are normalised to ``\n``; a leading BOM is dropped.

Contract for the Markdown exporter (so that its output parses back to the same
questions, answers, tags and order)::

    ---
    title: Deck title
    description: one line           (optional)
    tags: [deck-tag, other]          (optional)
    question_level: 2
    ---

    ## <question>

    <answer, verbatim>

    #card-tag #other-tag             (only when the card has tags)

* ``question_level: 2`` makes exactly the level-2 headings (and level 1)
  questions, whatever the answers look like, so answer headings of level 3 to 6
  are safe. An answer containing a level 1 or 2 ATX heading outside a code
  fence cannot round-trip in this layout.
* A question is one line, trimmed. The parser strips ONE numbering prefix
  (``3.``, ``3)``, ``3:``, ``Q3.``, ``Q 3 :``, ``Question 3:``, ``Q:`` followed by
  white space), then removes one backslash from an escaped prefix. So either
  number every heading (``## 1. 3. foo`` reads as "3. foo"), or escape: when
  the question matches ``((?:Q|Question)[ \t]?\d{0,6}[ \t]?|\d{1,6})(\\*[.):])``
  (case-insensitive), insert one backslash before group 2 ("3. foo" ->
  "3\. foo", "3\. foo" -> "3\\. foo"). If the question ends with ``#``,
  append " #" (a CommonMark closing sequence) so the ``#`` survives.
* Tags in a ``#tag`` line must start with a letter, digit or ``_`` and hold no
  white space or ``#``.
* If an answer's last line consists only of ``#words`` and the card has no
  tags, that line would be read as tags; the exporter should then write a
  tag line anyway or avoid ending on such a line.
* Cards with an empty answer cannot be represented (an empty section is a
  section title).
"""

from __future__ import annotations

from collections.abc import Callable

from . import (
    bold_questions,
    cloze,
    delimited,
    details_blocks,
    inline_separators,
    markdown_headings,
    multiline_question_mark,
)
from .base import (
    ImportFormatError,
    ImportOptions,
    ParsedCard,
    ParsedDeck,
    ParsedReference,
    SkippedLine,
    SourceSchedule,
)
from .markdown_blocks import MarkdownDocument, scan, split_tags, unique
from .questions import LayoutResult, looks_like_question, title_from_filename

__all__ = [
    "ImportFormatError",
    "ImportOptions",
    "ParsedCard",
    "ParsedDeck",
    "ParsedReference",
    "SkippedLine",
    "SourceSchedule",
    "parse_document",
]

MarkdownLayout = tuple[str, Callable[[MarkdownDocument], LayoutResult]]


def _markdown_layouts() -> list[MarkdownLayout]:
    # The order breaks ties between layouts that find the same number of cards.
    modules = [
        markdown_headings,
        bold_questions,
        details_blocks,
        multiline_question_mark,
        inline_separators,
        cloze,
    ]
    return [(module.NAME, module.parse) for module in modules]


def parse_document(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
    # options: not yet applied by the layouts (the one-pass reader takes them).
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if delimited.handles(filename):
        deck = delimited.parse(filename, text)
    else:
        deck = _parse_markdown(filename, text)
        if not deck.cards and delimited.looks_tab_separated(filename, text):
            deck = delimited.parse_plain_text(filename, text)
    if not deck.cards and deck.layout == delimited.NAME:
        raise ImportFormatError("no questions found: the file has no data rows", source=filename)
    if not deck.cards:
        raise ImportFormatError(
            "no questions found: expected question headings, **bold** questions, "
            "<details> blocks, Question::Answer lines, '?' separated cards "
            "or cloze deletions",
            source=filename,
        )
    return deck


def _parse_markdown(filename: str, text: str) -> ParsedDeck:
    doc = scan(text)
    best_name, best, best_score = "", LayoutResult(), (0, 0)
    layouts = _markdown_layouts()
    if "question_level" in doc.front_matter:
        # The file declares the heading layout (the exporter writes this key): markers inside
        # answers must not let another layout take over.
        layouts = [layout for layout in layouts if layout[0] == markdown_headings.NAME]
    for name, parse in layouts:
        result = parse(doc)
        score = (len(result.cards), sum(looks_like_question(c.question) for c in result.cards))
        if score > best_score:
            best_name, best, best_score = name, result, score
    meta = doc.front_matter
    title = _text(meta.get("title")) or best.title or title_from_filename(filename)
    description = _text(meta.get("description")) or best.description
    meta_tags = meta.get("tags", [])
    tags = (
        split_tags(meta_tags)
        if isinstance(meta_tags, str)
        else [t.lstrip("#") for t in meta_tags if t]
    )
    return ParsedDeck(
        source_name=filename,
        title=title,
        description=description,
        cards=best.cards,
        references=best.references,
        tags=unique([*tags, *best.tags]),
        layout=best_name,
    )


def _text(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return (value or "").strip()
