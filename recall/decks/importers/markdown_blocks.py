"""Fence-aware line scanner for Markdown: headings, code fences, front matter and tag lines.

Why a scanner and not markdown-it-py: the importers need only the block skeleton
(which lines are ATX headings, which lines belong to a fenced code block), and a
markdown-it-py block parse alone costs about three times this whole importer
(``bench/parse_documents.py`` prints both), eating most of the 5,000 cards/s
import budget. This single pass follows the CommonMark rules that matter for
that skeleton:

* a fence opens on a line indented by at most 3 spaces with 3 or more backticks
  or tildes; a backtick fence's info string cannot contain a backtick, so
  "```1. Class and object```" is inline code in a paragraph, not a fence;
* it closes on a line indented by at most 3 spaces with a run of the same
  character at least as long as the opening one and nothing but spaces after;
  an unclosed fence runs to the end of the document;
* an ATX heading is 1 to 6 ``#`` indented by at most 3 spaces, followed by a
  space, a tab or the end of the line; its optional closing ``#`` sequence must
  be preceded by a space or tab. A line inside a fence is never a heading.

Known simplification: container blocks (block quotes, list items) are not
tracked, so a fence that CommonMark would close when its list item ends stays
open here until its closing fence. Setext headings are not recognised, because
``---`` is the card separator of the multi-line layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_CANDIDATE = re.compile(r"^ {0,3}[#`~]", re.MULTILINE)
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)")
# The text ends at its last non-blank character: a lazy ".*?" before "[ \t]*\Z" rescanned
# the trailing blanks from every position (quadratic in a line of spaces).
_ATX = re.compile(r"(#{1,6})(?:[ \t]++((?:.*[^ \t\n])?))?[ \t]*\Z")
# Blanks are tried from the start of their run only, not again from inside it.
_ATX_CLOSING = re.compile(r"(?:^|(?<![ \t])[ \t]+)#+[ \t]*\Z")
# A tag line holds only hashtags: "#python #django/orm". A tag must contain a
# non-digit so that "#1" (an issue number, a rank) is not taken for a tag.
_TAG_TOKEN = re.compile(r"#([\w][^\s#]*)")
_TAG_LINE = re.compile(r"[ ]{0,3}#[\w][^\s#]*+(?:[ \t]++#[\w][^\s#]*+)*+[ \t]*\Z")


@dataclass(slots=True)
class Heading:
    index: int  # 0-based line index
    level: int
    text: str  # content without the ``#`` markers and closing sequence, stripped


@dataclass(slots=True)
class Fence:
    start: int  # 0-based index of the opening line
    end: int  # 0-based index of the closing line, or the last line when unclosed
    closed: bool


@dataclass
class MarkdownDocument:
    """The block skeleton of one Markdown text; line indexes are 0-based into ``lines``."""

    lines: list[str]
    text: str = ""  # the whole document, newlines normalised: for quick "any marker?" checks
    body_start: int = 0  # first line after the front matter
    front_matter: dict[str, str | list[str]] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    fences: list[Fence] = field(default_factory=list)
    in_fence: bytearray = field(default_factory=bytearray)  # 1 for fence lines, delimiters included

    def is_blank(self, index: int) -> bool:
        return not self.lines[index].strip()

    def slice_text(self, start: int, end: int) -> str:
        """Lines ``start`` to ``end`` (exclusive), trimmed of leading and trailing blank lines."""
        start, end = trim_blank(self.lines, start, end)
        return "\n".join(self.lines[start:end])


def split_lines(text: str) -> list[str]:
    """Split on CommonMark line endings (LF, CRLF, CR) only, unlike ``str.splitlines``."""
    return normalise_newlines(text).split("\n")


def trim_blank(lines: list[str], start: int, end: int) -> tuple[int, int]:
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end


def heading_text(raw: str) -> str:
    """Strip an ATX heading's optional closing sequence, as CommonMark does."""
    return _ATX_CLOSING.sub("", raw).strip()


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def scan(text: str, *, front_matter: bool = True) -> MarkdownDocument:
    """The skeleton of a document; pass ``front_matter=False`` for a fragment such as an
    answer, whose leading ``---`` line is a thematic break, not front matter."""
    text = normalise_newlines(text)
    lines = text.split("\n")
    doc = MarkdownDocument(lines=lines, text=text, in_fence=bytearray(len(lines)))
    if front_matter:
        doc.body_start, doc.front_matter = _front_matter(lines)
    in_fence = doc.in_fence
    headings = doc.headings
    fences = doc.fences
    fence_char = ""
    fence_len = 0
    fence_start = 0
    # Only lines starting (after up to 3 spaces) with '#', '`' or '~' can open or
    # close a fence or be a heading: let the regex engine find them, so the
    # Python loop runs once per candidate line, not once per line.
    offset = sum(len(line) + 1 for line in lines[: doc.body_start])
    i = doc.body_start
    counted = offset
    for match in _CANDIDATE.finditer(text, offset):
        i += text.count("\n", counted, match.start())
        counted = match.start()
        line = lines[i]
        stripped = line.lstrip(" ")
        first = stripped[0]
        if fence_char:
            closes = stripped.startswith(fence_char * fence_len)
            if closes and not stripped.lstrip(fence_char).strip():
                fences.append(Fence(fence_start, i, True))
                in_fence[fence_start : i + 1] = b"\x01" * (i + 1 - fence_start)
                fence_char = ""
            continue
        if first == "#":
            m = _ATX.match(stripped)
            if m:
                headings.append(Heading(i, len(m.group(1)), heading_text(m.group(2) or "")))
        else:
            m = _FENCE_OPEN.match(stripped)
            if m and not (first == "`" and "`" in m.group(2)):
                fence_char = first
                fence_len = len(m.group(1))
                fence_start = i
    if fence_char:
        fences.append(Fence(fence_start, len(lines) - 1, False))
        in_fence[fence_start:] = b"\x01" * (len(lines) - fence_start)
    return doc


def _front_matter(lines: list[str]) -> tuple[int, dict[str, str | list[str]]]:
    """Read a YAML-ish front matter block (``---`` ... ``---``) at the very top.

    Only flat ``key: value`` pairs are understood, where a value may be a
    ``[a, b]`` list or a following block of ``- item`` lines; that is all the
    importers use (``title``, ``description``, ``tags``, ``question_level``).
    A block holding any other unindented line, or no key, is not front matter
    but text between two ``---`` thematic breaks (the multi-line layout's
    separators), and is left to the layouts.
    """
    if not lines or lines[0].rstrip() != "---":
        return 0, {}
    for end in range(1, min(len(lines), 200)):
        if lines[end].rstrip() in {"---", "..."}:
            break
    else:
        return 0, {}
    data: dict[str, str | list[str]] = {}
    key = ""
    for raw in lines[1:end]:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = re.match(r"\s+-\s*(.*)", raw) or re.match(r"-\s+(.*)", raw)
        if item and key:
            current = data.get(key)
            values = current if isinstance(current, list) else []
            values.append(_unquote(item.group(1).strip()))
            data[key] = values
            continue
        pair = re.match(r"([A-Za-z_][\w-]*)\s*:(?:\s+(.*)|\Z)", raw)
        if not pair:
            if raw.startswith((" ", "\t")):
                continue  # a nested YAML value the importers do not use
            return 0, {}  # not YAML: a thematic break and ordinary text
        key = pair.group(1).lower()
        value = (pair.group(2) or "").strip()
        if value.startswith("[") and value.endswith("]"):
            data[key] = [_unquote(v.strip()) for v in value[1:-1].split(",") if v.strip()]
        else:
            data[key] = _unquote(value)
    if not data:
        return 0, {}
    return end + 1, data


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def is_tag_line(line: str) -> bool:
    return bool(_TAG_LINE.match(line)) and any(not t.isdigit() for t in tag_tokens(line))


def tag_tokens(line: str) -> list[str]:
    return _TAG_TOKEN.findall(line)


def split_tags(value: str) -> list[str]:
    """Split a tags field on spaces, commas and semicolons; a leading ``#`` is dropped."""
    return unique(t.lstrip("#") for t in re.split(r"[\s,;]+", value) if t.lstrip("#"))


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
