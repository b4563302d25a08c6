"""The key points of a reference answer: its sentences, list items and code identifiers.

An interview answer is graded point by point against the note's answer, so the note is cut
into the statements a good spoken answer would make. Prose becomes one point per sentence,
a list item one point, and the identifiers a reader must be able to name (``select_related``,
``is_valid()``, ``ProcessPoolExecutor``) one point each. Bare links, headings, and questions
the notes ask back ("Would you like an example?") are not points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from recall.core.text import markdown_plain_text
from recall.decks.prompts import sub_cloze

SENTENCE, ITEM, CODE = "sentence", "item", "code"

_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_HEADING_RE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]")
_ITEM_RE = re.compile(r"^[ \t]*(?:[-+*]|\d{1,3}[.)])[ \t]+(.*)$")
_QUOTE_RE = re.compile(r"^[ \t]*>+[ \t]?")
_URL_RE = re.compile(r"https?://\S+")
_LINK_RE = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)")
_CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
_EMPHASIS_RE = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
# Split after . ! ? ; followed by space and an upper-case letter, digit or code: sentences.
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9`\"(])")
# Something a programmer would type: a dotted name, snake_case, CamelCase, a call, a
# constant. Plain words ("Fields") and shell lines are not identifiers.
# (No repeat nested in another, so no backtracking blow-up on user text: the dotted parts
# are checked in _is_identifier.)
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(?:\(\))?")
# The last part of a dotted name is found on its own (\b after the dot).
_BLOCK_NAME_RE = re.compile(r"\b(?:[a-z][a-z0-9]*_[a-z0-9_]+|[A-Z][a-z0-9]+[A-Z]\w*)\b")
_DEFINED_RE = re.compile(r"\b(?:class|def)\s+([A-Za-z_]\w*)")
_DATA_LANGUAGES = {"sql", "bash", "sh", "shell", "console", "json", "ini", "toml", "yaml", "text"}
_STRING_RE = re.compile(r"([\"'])(?:(?!\1).)*\1")
_MIN_POINT_WORDS = 2
# A list item this short, with neither code nor a full stop ("Meta options"), is a label:
# an outline of what follows, not a statement an answer must make ("`select_related`
# joins." is one).
_MIN_LABEL_WORDS = 3
# A code block contributes at most this many names: the answer is judged on ideas first.
_NAMES_PER_BLOCK = 2


@dataclass(frozen=True)
class KeyPoint:
    """One statement of the reference answer; ``kind`` is sentence, item or code."""

    text: str
    kind: str
    # Names taken from the notes' code blocks are shown (said or not) but not scored: the
    # blocks are examples, and a good spoken answer rarely recites them.
    scored: bool = True

    @property
    def weight(self) -> float:
        if not self.scored:
            return 0.0
        # Naming an identifier counts, but less than stating an idea.
        return 0.5 if self.kind == CODE else 1.0


def _is_identifier(text: str) -> bool:
    text = text.strip()
    if not _IDENTIFIER_RE.fullmatch(text):
        return False
    # Each dotted part is a name: "a.b" and "a.b()", not "a..b", "a." or "a.1".
    if any(not part or part[0].isdigit() for part in text.removesuffix("()").split(".")):
        return False
    # A plain word in backticks is used as emphasis, not as code to name.
    return any(c in text for c in "._()") or text.isupper() or text != text.capitalize()


def _plain(text: str) -> str:
    text = _LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub("", text)
    text = _CODE_SPAN_RE.sub(lambda m: m.group(2), text)
    text = _EMPHASIS_RE.sub("", text)
    return " ".join(text.split()).strip(" :-")


def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT_RE.split(paragraph) if s.strip()]


def _worth_a_point(text: str) -> bool:
    # A question asked back is chat, not content.
    return len(text.split()) >= _MIN_POINT_WORDS and not text.rstrip().endswith("?")


def _is_label(item: str) -> bool:
    text = item.strip()
    return len(text.split()) < _MIN_LABEL_WORDS and "`" not in text and not text.endswith(".")


def _block_names(info: str, lines: list[str]) -> list[str]:
    """The library names a code block uses (``select_related``, ``ProcessPoolExecutor``).

    Names the block defines itself (``class TimingMiddleware``) are the example's own, and
    queries, shell lines and data name tables and files, not things to know: skipped.
    """
    if info.strip().lower() in _DATA_LANGUAGES:
        return []
    defined = {m.group(1) for line in lines for m in _DEFINED_RE.finditer(line)}
    names: list[str] = []
    for line in lines:
        code = _STRING_RE.sub("", line).split("#", 1)[0]
        for found in _BLOCK_NAME_RE.findall(code):
            name = found.rsplit(".", 1)[-1]
            if name not in defined and name not in names:
                names.append(name)
    return names[:_NAMES_PER_BLOCK]


def key_points(markdown: str, question: str = "") -> list[KeyPoint]:
    """The key points of ``markdown`` in reading order, without repeats.

    An identifier the ``question`` itself names (``select_related`` in "select_related()
    vs prefetch_related()") is no point: any answer on the topic says it.
    """
    reader = _Reader(asked=question.lower().replace("()", ""))
    for raw in markdown.splitlines():
        reader.read(raw)
    return reader.finish()


class _Reader:
    """Reads a note line by line into key points: the state of ``key_points``."""

    def __init__(self, asked: str) -> None:
        self.asked = asked
        self.points: list[KeyPoint] = []
        self.seen: set[str] = set()
        self.prose: list[str] = []
        # The open code fence (its backticks or tildes), its info string and its lines.
        self.fence: str | None = None
        self.info = ""
        self.block: list[str] = []
        self.heading = ""

    def add(self, text: str, kind: str, scored: bool = True) -> None:
        key = text.lower()
        if kind == CODE and key.rstrip("()").rsplit(".", 1)[-1] in self.asked:
            return
        if key and key not in self.seen:
            self.seen.add(key)
            self.points.append(KeyPoint(text=text, kind=kind, scored=scored))

    def flush(self) -> None:
        paragraph = _plain(" ".join(self.prose))
        self.prose.clear()
        for sentence in _sentences(paragraph):
            if _worth_a_point(sentence):
                self.add(sentence, SENTENCE)

    def add_block_names(self) -> None:
        for name in _block_names(self.info, self.block):
            self.add(name, CODE, scored=False)

    def read(self, raw: str) -> None:
        opened = _FENCE_RE.match(raw)
        if self.fence is not None:
            if (
                opened
                and opened.group(1)[0] == self.fence[0]
                and not raw.strip().strip(self.fence[0])
            ):
                self.add_block_names()
                self.fence, self.block = None, []
            else:
                self.block.append(raw)
            return
        if opened and raw.strip().count(opened.group(1)) < 2:
            self.flush()
            self.fence = opened.group(1)
            self.info = raw.strip()[len(self.fence) :]
            return
        self.read_line(_QUOTE_RE.sub("", raw))

    def read_line(self, line: str) -> None:
        """A line outside code fences, quote marks taken off."""
        for span in _CODE_SPAN_RE.finditer(line):
            if _is_identifier(span.group(2)):
                self.add(span.group(2).strip(), CODE)
        if _HEADING_RE.match(line):
            self.flush()
            # Items under a heading read as "heading: item", the way the notes mean them.
            self.heading = _plain(_ITEM_RE.sub(r"\1", line.lstrip(" #"))).rstrip(":")
            return
        item = _ITEM_RE.match(line)
        if item:
            self.flush()
            text = _plain(item.group(1))
            if _worth_a_point(text) and not _is_label(item.group(1)):
                self.add(f"{self.heading}: {text}" if self.heading else text, ITEM)
        elif not line.strip() or _CODE_SPAN_RE.fullmatch(line.strip()):
            # A blank line ends a paragraph; a line of code alone (``` 1. Fields ```) is a
            # label.
            self.flush()
        else:
            self.prose.append(line)

    def finish(self) -> list[KeyPoint]:
        self.flush()
        if self.fence is not None:
            self.add_block_names()
        return self.points


def cloze_points(text: str, ordinal: int) -> list[KeyPoint]:
    """A cloze card's key points: the deletions it blanks (``{{cN::...}}`` with N = ordinal)."""
    points: list[KeyPoint] = []

    def collect(number: int, inner: str, hint: str | None) -> str:
        body = _plain(inner)
        if number == ordinal and body and body.lower() not in {p.text.lower() for p in points}:
            points.append(KeyPoint(text=body, kind=CODE if _is_identifier(body) else SENTENCE))
        return inner

    sub_cloze(text, collect)
    return points


def answer_points(markdown: str, question: str = "") -> list[KeyPoint]:
    """``key_points``, or the whole answer as one point when it has none of its own (a
    reversed card's back is the note's question, a single word, or a question)."""
    points = key_points(markdown, question)
    if any(p.scored for p in points):
        return points
    whole = markdown_plain_text(markdown)
    return [*points, KeyPoint(text=whole, kind=SENTENCE)] if whole else points
