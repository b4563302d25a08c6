"""The lines of a Markdown document as the card finders see them: comments, schedules, block ids.

Two views of every line outside code fences:

* ``det`` (detection): what card syntax is looked for in. HTML comments are removed (a card
  inside ``<!-- -->`` is commented out), lines inside fences and inside multi-line comments
  are empty, and an Obsidian ``^block-id`` at the end of a line is dropped.
* ``text`` (content): what cards are made of. Only the notes tools' own bookkeeping is
  removed: Obsidian Spaced Repetition's ``<!--SR:...-->`` schedules, Obsidian_to_Anki's
  ``<!--ID: ...-->`` note ids and ``^block-id`` markers. Other comments stay (the Markdown
  export's ``<!-- recall: reversed -->`` kind markers among them). Fence lines are untouched,
  and so are the exporter's own files (front matter ``question_level``), verbatim by contract.

A ``<!--SR:!2024-01-02,4,270-->`` comment gives a ``SourceSchedule`` (due date, interval in
days, ease per mille) to the card whose lines hold it or end just above it. A comment whose
content looks like a card is reported as "commented out".
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .base import ImportOptions, SkippedLine, SourceSchedule
from .markdown_blocks import MarkdownDocument

_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_SR = re.compile(r"[ \t]*SR:[ \t]*((?:![0-9-]{10},[0-9]{1,6},[0-9]{1,6})++)[ \t]*\Z")
_SR_ITEM = re.compile(r"!([0-9]{4}-[0-9]{2}-[0-9]{2}),([0-9]{1,6}),([0-9]{1,6})")
_ID = re.compile(r"[ \t]*ID:[ \t]*[0-9]{1,20}[ \t]*\Z")
_BOOKKEEPING = re.compile(r"[ \t]*<!--[ \t]*(?:SR:[!0-9,-]*|ID:[ \t]*[0-9]*)[ \t]*-->")
_BLOCK_ID = re.compile(r"(?:(?<=[ \t])|^)\^[A-Za-z0-9][A-Za-z0-9-]*+[ \t]*\Z")
_CARDLIKE = re.compile(r"::|==[^\s=]|\{\{c[0-9]|^[ \t]*\?\??[ \t]*$|^[ \t]*\*{0,2}Q[0-9]*:", re.M)

SHOWN = 80  # characters of a skipped line shown in a preview


def shorten(line: str) -> str:
    line = line.strip()
    return line if len(line) <= SHOWN else line[: SHOWN - 1] + "…"


@dataclass
class SourceLines:
    doc: MarkdownDocument
    options: ImportOptions
    det: list[str]
    text: list[str]
    # Lines that can never start a card: in a fence or inside a multi-line comment.
    dead: bytearray
    heading_lines: set[int] = field(default_factory=set)
    schedules: dict[int, SourceSchedule] = field(default_factory=dict)
    skipped: list[SkippedLine] = field(default_factory=list)

    def skip(self, index: int, reason: str, text: str | None = None) -> None:
        self.skipped.append(
            SkippedLine(index + 1, shorten(self.doc.lines[index] if text is None else text), reason)
        )

    def schedule_between(self, start: int, stop: int) -> SourceSchedule | None:
        """The first schedule written on lines ``start`` to ``stop`` (exclusive) or just below."""
        if not self.schedules:
            return None
        for i in range(start, min(stop + 1, len(self.text))):
            if i in self.schedules:
                return self.schedules[i]
        return None


def source_lines(doc: MarkdownDocument, options: ImportOptions) -> SourceLines:
    lines = doc.lines
    det = list(lines)
    text = list(lines)
    dead = bytearray(doc.in_fence)
    for i in range(doc.body_start):
        det[i] = ""
        dead[i] = 1
    src = SourceLines(
        doc=doc,
        options=options,
        det=det,
        text=text,
        dead=dead,
        heading_lines={h.index for h in doc.headings},
    )
    for fence in doc.fences:
        det[fence.start : fence.end + 1] = [""] * (fence.end + 1 - fence.start)
    if "<!--" in doc.text:
        _read_comments(src)
    # The exporter's files (``question_level``) hold answers verbatim: nothing is Obsidian's.
    if "^" in doc.text and "question_level" not in doc.front_matter:
        for i in range(doc.body_start, len(lines)):
            if not dead[i] and "^" in det[i]:
                det[i] = _BLOCK_ID.sub("", det[i]).rstrip()
                text[i] = _BLOCK_ID.sub("", text[i]).rstrip()
    return src


def _read_comments(src: SourceLines) -> None:
    doc, det, text, dead = src.doc, src.det, src.text, src.dead
    lines = doc.lines
    i = doc.body_start
    n = len(lines)
    while i < n:
        line = lines[i]
        if dead[i] or "<!--" not in line:
            i += 1
            continue
        # Whole comments on this line, then perhaps one that runs over the next lines.
        for m in _COMMENT.finditer(line):
            _comment(src, i, m.group(1))
        if "<!--" in line and "-->" in line and "question_level" not in doc.front_matter:
            text[i] = _BOOKKEEPING.sub("", text[i]).rstrip() if "<!--" in text[i] else text[i]
        rest = _COMMENT.sub("", line)
        det[i] = rest
        opened = rest.find("<!--")
        if opened < 0:
            i += 1
            continue
        det[i] = rest[:opened]
        j = i + 1
        while j < n and "-->" not in lines[j]:
            j += 1
        body = "\n".join([rest[opened + 4 :], *lines[i + 1 : j]])
        if j < n:
            close = lines[j].index("-->")
            body += "\n" + lines[j][:close]
            det[j] = lines[j][close + 3 :]
        _comment(src, i, body)
        for k in range(i + 1, min(j, n)):
            det[k] = ""
            dead[k] = 1
        i = j if j < n and det[j].strip() else j + 1


def _comment(src: SourceLines, index: int, body: str) -> None:
    sr = _SR.match(body)
    if sr:
        for day, interval, ease in _SR_ITEM.findall(sr.group(1)):
            try:
                due = datetime.date.fromisoformat(day)
            except ValueError:
                src.skip(index, "a scheduling comment with an impossible date")
                return
            src.schedules.setdefault(index, SourceSchedule(due, int(interval), int(ease)))
            return  # the first one: a note's other cards share it (see the importer)
        return
    if _ID.match(body) or body.strip().startswith("recall:"):
        return
    if _CARDLIKE.search(body) or src.options.inline_separator in body:
        src.skip(index, "commented out")


STRONG, WEAK, SPOILER = 2, 1, 0


@dataclass
class Found:
    """A card one finder recognised, before the headings around it are settled.

    ``strength``: STRONG syntax is unambiguous (``::``, a ``?`` line, ``Q:``/``A:``...), so two
    such cards make the heading above them context; WEAK syntax (a bold line, a highlight, a
    numbered question) is also ordinary Markdown inside an answer; a SPOILER (a
    ``<details>`` whose summary is no question) never makes a file one of explicit cards.
    """

    start: int  # first line (0-based)
    end: int  # one past the last line
    syntax: str
    question: str
    answer: str = ""
    kind: str = "basic"
    strength: int = STRONG
    tags: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # e.g. the parent bullets of a RemNote card
    greedy: bool = False  # the answer runs to the next card; settled by the reader


def matching_lines(src: SourceLines, pattern: re.Pattern[str]) -> list[int]:
    """Indexes of the body lines that ``pattern`` matches at their start. The pattern begins
    with ``\\n`` (a literal the regex engine searches for quickly, where a MULTILINE ``^``
    is tried at every position); the first body line is matched on its own."""
    doc = src.doc
    text = doc.text
    first = doc.body_start
    found: list[int] = []
    if first < len(doc.lines) and pattern.match("\n" + doc.lines[first]):
        found.append(first)
    offset = sum(len(line) + 1 for line in doc.lines[:first])
    i, counted = first, offset
    for m in pattern.finditer(text, offset):
        i += text.count("\n", counted, m.start())
        counted = m.start()
        found.append(i + 1)
    return [k for k in found if k < len(doc.lines)]
