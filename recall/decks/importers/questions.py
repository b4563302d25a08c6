"""Small rules shared by the layouts: question numbering, deck titles, URLs, card tags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .base import ParsedCard, ParsedReference
from .markdown_blocks import is_tag_line, tag_tokens, trim_blank, unique

# "3. ", "3) ", "3: ", "Q3. ", "Q3: ", "Q 3) ", "Q: ", "Question 3: " - one prefix, followed by
# white space so that "3.14 is pi" keeps its number.
_NUMBERING = re.compile(
    r"(?:(?:Q|Question)[ \t]?\d{0,6}[ \t]?[.):]|\d{1,6}[.):])[ \t]+", re.IGNORECASE
)
# The exporter's escape for a question that itself starts like a number: 3\. foo reads as
# 3. foo; exactly one backslash is removed, so 3\\. foo reads as 3\. foo.
_ESCAPED_NUMBER = re.compile(
    r"((?:Q|Question)[ \t]?\d{0,6}[ \t]?|\d{1,6})\\(\\*[.):])", re.IGNORECASE
)
_CLOZE = re.compile(r"\{\{c\d+::", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
_URL_TRAILING = ".,;:!?\\*_"


def strip_numbering(text: str) -> str:
    """Drop one question-number prefix, then undo the exporter's ``3\\.`` escape."""
    m = _NUMBERING.match(text)
    if m and m.end() < len(text):
        text = text[m.end() :]
    m = _ESCAPED_NUMBER.match(text)
    if m:
        text = m.group(1) + m.group(2) + text[m.end() :]
    return text


def question_number(text: str) -> str | None:
    """The number of a numbered question ("" for a bare "Q:"), or None."""
    m = _NUMBERING.match(text)
    if m is None or m.end() >= len(text):
        return None
    return "".join(ch for ch in m.group(0) if ch.isdigit())


def is_numbered(text: str) -> bool:
    m = _NUMBERING.match(text)
    return m is not None and m.end() < len(text)


def looks_like_question(text: str) -> bool:
    """Numbered, or ends with a question mark (before closing emphasis or a colon)."""
    return is_numbered(text) or text.rstrip(" \t*_:").endswith("?")


# The Markdown export's marker of a note's kind, the line under its heading; an HTML comment,
# so other Markdown readers show nothing. A cloze section's extra text follows EXTRA_MARK.
_KIND_MARK = re.compile(r"<!--[ \t]*recall:[ \t]*(basic|reversed|cloze)[ \t]*-->")
EXTRA_MARK = "<!-- recall: extra -->"


def kind_mark(kind: str) -> str:
    return f"<!-- recall: {kind} -->"


def read_kind_mark(
    question: str, lines: list[str], start: int, end: int
) -> tuple[str, str, str] | None:
    """(kind, question, answer) of a section whose first line is a kind marker, else None.

    A cloze section's body is the cloze text (the heading only names it), up to an
    ``EXTRA_MARK`` line; what follows that line is the note's extra text.
    """
    if start >= end:
        return None
    m = _KIND_MARK.fullmatch(lines[start].strip())
    if m is None:
        return None
    kind = m.group(1)
    start, end = trim_blank(lines, start + 1, end)
    body = lines[start:end]
    if kind != "cloze":
        return kind, question, "\n".join(body)
    at = next((i for i, line in enumerate(body) if line.strip() == EXTRA_MARK), len(body))
    text_start, text_end = trim_blank(body, 0, at)
    extra_start, extra_end = trim_blank(body, min(at + 1, len(body)), len(body))
    return (
        kind,
        "\n".join(body[text_start:text_end]),
        "\n".join(body[extra_start:extra_end]),
    )


def card_kind(question: str, default: str = "basic") -> str:
    return "cloze" if _CLOZE.search(question) else default


def title_from_filename(filename: str) -> str:
    """``notes/python-django_revision notes.md`` -> ``Python Django Revision Notes``."""
    stem = PurePosixPath(filename.replace("\\", "/")).name
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    words = [w for w in re.split(r"[\s_\-]+", stem) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def find_urls(text: str) -> list[str]:
    """URLs in free text, without trailing punctuation or a Markdown hard-break backslash."""
    urls = []
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_URL_TRAILING)
        if len(url) > len("https://"):
            urls.append(url)
    return urls


def split_trailing_tags(lines: list[str], start: int, end: int) -> tuple[int, int, list[str]]:
    """Trim blank lines; a last line made only of ``#tags`` holds the card's tags."""
    start, end = trim_blank(lines, start, end)
    if end > start and is_tag_line(lines[end - 1]):
        tags = unique(tag_tokens(lines[end - 1]))
        start, end = trim_blank(lines, start, end - 1)
        return start, end, tags
    return start, end, []


_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|\Z)")


def parse_link_list(lines: list[str]) -> list[ParsedReference] | None:
    """Read a (possibly block-quoted, nested) list of links, or return None if it is not one.

    Every top-level item must hold at least one URL, in itself or in its nested
    lines; an item's label (its first line without URLs, trailing ``:`` and
    hard-break backslashes) becomes the title of each of its URLs, or a
    Markdown link's text when the label is empty.
    """
    items: list[tuple[str, list[str]]] = []
    base = -1  # indentation of the top-level items; deeper lines belong to the item above
    for raw in lines:
        line = raw
        while line.lstrip(" ").startswith(">"):
            line = line.lstrip(" ")[1:]
            if line.startswith(" "):
                line = line[1:]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        body = line.strip()
        marker = _LIST_ITEM.match(body)
        top_level = indent <= 3 if base < 0 else indent <= base + 1
        if top_level and (marker or find_urls(body)):
            base = indent if base < 0 else base
            text = body[marker.end() :] if marker else body
            items.append((text, [text]))
        elif items and (indent >= 2 or find_urls(body)):
            items[-1][1].append(body)
        else:
            return None
    refs: list[ParsedReference] = []
    for first, item_lines in items:
        urls = unique(u for part in item_lines for u in find_urls(part))
        if not urls:
            return None
        label = _link_label(first)
        for url in urls:
            refs.append(
                ParsedReference(url=url, title=label or _markdown_link_text(item_lines, url))
            )
    return refs or None


def _link_label(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", "", text)
    text = _URL.sub("", text).replace("<>", "")
    return text.strip().rstrip("\\").strip().rstrip(":-\u2013\u2014").strip()


def _markdown_link_text(lines: list[str], url: str) -> str:
    for line in lines:
        for m in re.finditer(r"\[([^\]]*)\]\(([^)\s]*)", line):
            if m.group(2).rstrip(_URL_TRAILING) == url:
                return m.group(1).strip()
        if url in line:
            label = _link_label(_LIST_ITEM.sub("", line.strip(), count=1))
            if label:
                return label
    return ""


@dataclass
class LayoutResult:
    """What one layout found in a Markdown document, before deck-level fields are settled."""

    cards: list[ParsedCard] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    title: str = ""
    description: str = ""


def read_preamble(lines: list[str], start: int, end: int, result: LayoutResult) -> None:
    """Text before the first card: tag lines, a link list (references), or a description when
    it is plain prose; anything else there (a table of contents, say) is not card content."""
    kept: list[str] = []
    for line in lines[start:end]:
        if is_tag_line(line):
            result.tags = unique([*result.tags, *tag_tokens(line)])
        else:
            kept.append(line)
    a, b = trim_blank(kept, 0, len(kept))
    if a == b:
        return
    refs = parse_link_list(kept[a:b])
    if refs:
        result.references.extend(refs)
    elif not result.description and _is_prose(kept[a:b]):
        result.description = "\n".join(kept[a:b])


_NOT_PROSE = re.compile(r"\s*(?:\||[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~|<|#)")


def _is_prose(lines: list[str]) -> bool:
    """An obvious description: a few short paragraphs, not a table of contents, list or code."""
    return sum(len(line) for line in lines) <= 1000 and not any(
        _NOT_PROSE.match(line) for line in lines
    )
