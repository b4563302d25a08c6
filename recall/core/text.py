"""Plain text of a card's Markdown, for one-line titles in lists (no syntax, no code blocks)."""

from __future__ import annotations

import re

# {{c1::text}} and {{c1::text::hint}}: the opener and the hint are dropped, the text stays.
CLOZE_OPEN_RE = re.compile(r"\{\{c\d+::", re.IGNORECASE)
_CLOZE_HINT_RE = re.compile(r"::[^{}\n]*+\}\}")
_FENCE_RE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")
_LINE_SYNTAX_RE = re.compile(r"^[ \t]*+(?:#{1,6}+|>++|[-+*]|\d++[.)])[ \t]++")
_LINK_RE = re.compile(r"!?\[([^\]\n]*+)\]\([^)\s]*+\)")
_EMPHASIS_RE = re.compile(r"\*\*|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def uncloze(text: str) -> str:
    """Cloze deletions shown as their text: ``{{c1::404::status}}`` becomes ``404``."""
    if not CLOZE_OPEN_RE.search(text):
        return text  # most cards: a cheap test first
    text = CLOZE_OPEN_RE.sub("", text)
    return _CLOZE_HINT_RE.sub("", text).replace("}}", "")


def markdown_plain_text(markdown: str) -> str:
    """A card's Markdown as one line of plain text: fenced code blocks dropped, code spans
    as their code, cloze deletions as their text, links as their label; no heading, quote,
    list or emphasis marks. A text of code alone keeps its code (a title is never empty).
    """
    lines: list[str] = []
    code: list[str] = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE_RE.match(line):
            fenced = not fenced
            continue
        (code if fenced else lines).append(line)
    text = " ".join(_LINE_SYNTAX_RE.sub("", line) for line in lines)
    if not text.strip():
        text = " ".join(code)
    text = _LINK_RE.sub(r"\1", uncloze(text))
    text = _EMPHASIS_RE.sub("", text.replace("`", ""))
    return " ".join(text.split())


# Words that say how a question is asked, not what about: a search whose words are ORed
# would match nearly every card with them, and a typed answer earns nothing for them.
STOP_WORDS = frozenset(
    re.split(
        r"\s+",
        """a about above after again all also am an and any are as at be because been before
    being both but by can could did do does doing each for from further had has have having
    here how i if in into is it its itself just me more most my no nor not of off on once
    one only or other our out over own same she should so some such than that the their them
    then there these they this those through to too two under until up very vs versus was we
    were what when where which while who whom why will with would you your""".strip(),
    )
)
