r"""Parse one decoded notes file into a ParsedDeck: layout detection and dispatch.

``parse_document(filename, text)`` is pure: text in, ParsedDeck out, no database.
It raises only ImportFormatError (whose message names the file and, where it
applies, the line) for text it cannot turn into cards.

Reading (deterministic):

1. ``.csv``, ``.tsv`` and ``.tab`` files are delimited records (``delimited``).
2. Any other text is Markdown, read in ONE pass (``reader``) that takes every card syntax
   wherever it appears, in order: question headings with a body, ``**bold**`` questions,
   ``Q:``/``A:`` lines, ``<details>`` blocks, ``Q::A`` and ``Q:::A`` lines, ``?``/``??``
   multi-line cards, cloze paragraphs, and the dialects of other tools (Obsidian_to_Anki,
   mdanki, Anki for VS Code, RemNote, numbered question lists, Obsidian Spaced
   Repetition). Headings are context (each card's ``heading_path``) when a file uses
   explicit card syntax; fenced code and HTML comments are never read for cards. Lines that
   look like cards but were not taken are listed in ``ParsedDeck.skipped`` with the reason.
   Reading settings (``ImportOptions``) come from the caller, then the file's front matter
   (``recall: {separator: ":="}``), then the defaults (``options``).
3. A ``.txt`` file where no Markdown card is found but every line holds a tab is read as
   TSV (Anki's plain-text export), see ``delimited``.
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

from . import delimited
from .base import (
    ImportFormatError,
    ImportOptions,
    ParsedCard,
    ParsedDeck,
    ParsedReference,
    SkippedLine,
    SourceSchedule,
)
from .markdown_blocks import split_tags, unique
from .questions import title_from_filename
from .reader import read_markdown

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


def parse_document(filename: str, text: str, options: ImportOptions | None = None) -> ParsedDeck:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if delimited.handles(filename):
        deck = delimited.parse(filename, text)
        for card in deck.cards:
            card.syntax = card.syntax or "delimited"
    else:
        deck = _parse_markdown(filename, text, options)
        if not deck.cards and delimited.looks_tab_separated(filename, text):
            deck = delimited.parse_plain_text(filename, text)
            for card in deck.cards:
                card.syntax = card.syntax or "delimited"
    if not deck.cards and deck.layout == delimited.NAME:
        raise ImportFormatError("no questions found: the file has no data rows", source=filename)
    if not deck.cards:
        raise ImportFormatError(
            "no questions found: expected question headings, **bold** questions, "
            "Q:/A: lines, <details> blocks, Question::Answer lines, '?' separated cards "
            "or cloze deletions",
            source=filename,
        )
    return deck


def _parse_markdown(filename: str, text: str, options: ImportOptions | None) -> ParsedDeck:
    deck, meta = read_markdown(filename, text, options)
    deck.title = _text(meta.get("title")) or deck.title or title_from_filename(filename)
    deck.description = _text(meta.get("description")) or deck.description
    meta_tags = meta.get("tags", [])
    tags = (
        split_tags(meta_tags)
        if isinstance(meta_tags, str)
        else [t.lstrip("#") for t in meta_tags if t]
    )
    deck.tags = unique([*tags, *deck.tags])
    return deck


def _text(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return (value or "").strip()
