"""Finders of the cards written on lines: ``Q::A``, ``Q: / A:`` labels, bold questions,
Obsidian_to_Anki's ``#flashcard`` marker, RemNote's ``front―back`` bullets and numbered
question lists.

Each finder reads ``SourceLines.det`` (comments and fences blanked), takes only lines not yet
in ``taken`` and marks the lines it takes. Tags: ``#tags`` at the start of a card's first
line, and Obsidian Spaced Repetition's ``#flashcards``/``#flashcards/sub`` anywhere on it,
are the card's tags, never question text.
"""

from __future__ import annotations

import re

from . import bold_questions, inline_separators
from .markdown_blocks import is_tag_line, tag_tokens, unique
from .questions import card_kind, strip_numbering
from .source_lines import STRONG, WEAK, Found, SourceLines, matching_lines

_LEADING_TAGS = re.compile(r"[ \t]*(?:#[^\W\d][^\s#]*+[ \t]++)++")
_SR_DECK_TAG = re.compile(r"(?:(?<=[ \t])|^)#flashcards(?:/[^\s#]++)?(?=[ \t]|\Z)")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+")
_PLAIN_Q = re.compile(r"[ ]{0,3}(?:[-*+][ \t]+)?(?:Q|[Qq]uestion)[ \t]?[0-9]{0,4}:[ \t]*(.*)\Z")
_PLAIN_A = re.compile(r"[ ]{0,3}(?:[-*+][ \t]+)?(?:A|[Aa]nswer)[ \t]?[0-9]{0,4}:[ \t]?(.*)\Z")
_O2A_MARK = re.compile(r"(?:(?<=[ \t])|^)#flashcard[ \t]*\Z")
_TARGET_DECK = re.compile(r"[ \t]*TARGET DECK[ \t]*:?[ \t]*(.*)\Z")
_REMNOTE = re.compile(r"([ \t]*)[-*+][ \t]+([^\u2015]*)\u2015(.*)\Z")
_BULLET = re.compile(r"([ \t]*)[-*+][ \t]+(.*)\Z")
_NUMBERED = re.compile(r"[ ]{0,3}[0-9]{1,6}[.)][ \t]+(.*[^ \t])[ \t]*\Z")
_IDENT_SEP = re.compile(r"\w::\w")
# Lines that may start a numbered question or a label: found by the regex engine.
_NUMBERED_LINE = re.compile(r"\n {0,3}[0-9]{1,6}[.)][ \t]")
_LABEL_LINE = re.compile(r"\n {0,3}(?:\*\*|(?:[-*+][ \t]+)?(?:Q|[Qq]uestion)[ \t]?[0-9]{0,4}:)")


def take_tags(line: str) -> tuple[str, list[str]]:
    """A first line without its leading ``#tags`` and ``#flashcards`` tags, and those tags."""
    tags: list[str] = []
    if "#" not in line:
        return line, tags
    if "#flashcards" in line:
        tags.extend(t.lstrip("#") for t in _SR_DECK_TAG.findall(line))
        line = _SR_DECK_TAG.sub("", line)
    m = _LEADING_TAGS.match(line)
    if m and line[m.end() :].strip():
        tags.extend(tag_tokens(m.group(0)))
        line = line[m.end() :]
    return line.strip() if tags else line, unique(tags)


def tags_above(src: SourceLines, start: int, taken: bytearray) -> tuple[int, list[str]]:
    """Tag-only lines just above a card's first line: (new first line, their tags).

    Tag lines that open the document (only headings above them) are the deck's tags."""
    tags: list[str] = []
    i = start
    det = src.det
    while i > src.doc.body_start and not taken[i - 1] and is_tag_line(det[i - 1]):
        i -= 1
        tags = [*tag_tokens(det[i]), *tags]
    if tags and all(
        not det[k].strip() or k in src.heading_lines for k in range(src.doc.body_start, i)
    ):
        return start, []
    return i, unique(tags)


def split_inline(line: str, basic: str, reverse: str) -> tuple[str, str, str] | None:
    """(question, answer, kind) of a ``Q::A`` / ``Q:::A`` line (any separators), else None."""
    if basic not in line and reverse not in line:
        return None
    if "{{" in line and inline_separators._CLOZE.search(line):
        return None
    masked = inline_separators.mask_code(line)
    at_b, at_r = masked.find(basic), masked.find(reverse)
    if at_b < 0 and at_r < 0:
        return None  # only inside inline code
    if at_r >= 0 and (at_b < 0 or at_r <= at_b):
        at, width, kind = at_r, len(reverse), "reversed"
    else:
        at, width, kind = at_b, len(basic), "basic"
    if basic == "::" and len(_IDENT_SEP.findall(masked)) > 1:
        return None  # a path such as std::vec::Vec, not a separator
    marker = _LIST_MARKER.match(line)
    question = line[marker.end() if marker else 0 : at].strip()
    answer = line[at + width :].strip()
    if not question and not answer:
        return None
    return question, answer, kind


def find_inline(src: SourceLines, taken: bytearray, headings: set[int]) -> list[Found]:
    opts = src.options
    basic, reverse = opts.inline_separator, opts.inline_reversed_separator
    if basic not in src.doc.text and reverse not in src.doc.text:
        return []
    found = []
    for i in range(src.doc.body_start, len(src.det)):
        line = src.det[i]
        if taken[i] or i in headings or (basic not in line and reverse not in line):
            continue
        parts = split_inline(line, basic, reverse)
        if parts is None:
            continue
        question, answer, kind = parts
        question, tags = take_tags(question)
        if not question or not answer:
            src.skip(i, "question without an answer" if question else "answer without a question")
            continue
        answer = _strip_sr_tags(answer, tags)
        start, above = tags_above(src, i, taken)
        taken[start : i + 1] = b"\x01" * (i + 1 - start)
        found.append(
            Found(i, i + 1, "inline", question, answer, card_kind(question, kind),
                  tags=unique([*above, *tags]))
        )  # fmt: skip
    return found


def _strip_sr_tags(answer: str, tags: list[str]) -> str:
    if "#flashcards" in answer:
        tags.extend(t.lstrip("#") for t in _SR_DECK_TAG.findall(answer))
        answer = _SR_DECK_TAG.sub("", answer).strip()
    return answer


def find_flashcard_marker(src: SourceLines, taken: bytearray) -> list[Found]:
    """Obsidian_to_Anki: a paragraph ending in `` #flashcard``, the answer lines below it."""
    if "#flashcard" not in src.doc.text:
        return []
    det, found = src.det, []
    n = len(det)
    for i in range(src.doc.body_start, n):
        if taken[i] or "#flashcard" not in det[i] or not _O2A_MARK.search(det[i]):
            continue
        start = i
        while start > src.doc.body_start and det[start - 1].strip() and not taken[start - 1]:
            start -= 1
        end = i + 1
        while end < n and det[end].strip() and not taken[end]:
            end += 1
        question_lines = [*src.text[start:i], _O2A_MARK.sub("", det[i]).rstrip()]
        question, tags = take_tags("\n".join(question_lines).strip())
        answer = "\n".join(src.text[i + 1 : end]).strip()
        if not answer:
            src.skip(i, "question without an answer")
            continue
        taken[start:end] = b"\x01" * (end - start)
        found.append(Found(start, end, "flashcard-tag", question, answer, tags=tags))
    return found


_FIELD = re.compile(r"([A-Z][A-Za-z ]{0,30}):[ \t]?(.*)\Z")
_NOTE_TYPES = {"basic": "basic", "basic (and reversed card)": "reversed", "cloze": "cloze"}


def find_note_blocks(src: SourceLines, taken: bytearray) -> list[Found]:
    """Obsidian_to_Anki's blocks: ``START``, a note type line (``Basic``, ``Basic (and
    reversed card)``, ``Cloze``), fields (``Front:``/``Back:``/``Text:``/``Extra:``; the first
    may go without its name), an optional ``Tags:`` line, then ``END``."""
    if "START" not in src.doc.text or "END" not in src.doc.text:
        return []
    det, found = src.det, []
    n = len(det)
    i = src.doc.body_start
    while i < n:
        if taken[i] or det[i].strip() != "START":
            i += 1
            continue
        end = next((k for k in range(i + 1, n) if det[k].strip() == "END"), None)
        if end is None:
            src.skip(i, "START without END")
            break
        card = _note_block(src, i, end)
        if card is not None:
            taken[i : end + 1] = b"\x01" * (end + 1 - i)
            found.append(card)
        i = end + 1
    return found


def _note_block(src: SourceLines, start: int, end: int) -> Found | None:
    kind = _NOTE_TYPES.get(src.det[start + 1].strip().lower()) if start + 1 < end else None
    if kind is None:
        src.skip(start, "a START block of a note type this importer does not know")
        return None
    fields: dict[str, list[str]] = {}
    name = ""
    for line in src.text[start + 2 : end]:
        m = _FIELD.match(line)
        if m and m.group(1).lower() in {"front", "back", "text", "extra", "tags"}:
            name = m.group(1).lower()
            fields[name] = [m.group(2)]
        else:
            fields.setdefault(name or ("text" if kind == "cloze" else "front"), []).append(line)
            name = name or ("text" if kind == "cloze" else "front")
    text = {k: "\n".join(v).strip() for k, v in fields.items()}
    tags = split_tags_line(text.get("tags", ""))
    if kind == "cloze":
        question, answer = text.get("text", ""), text.get("extra", "")
    else:
        question, answer = text.get("front", ""), text.get("back", "")
    if not question or (kind != "cloze" and not answer):
        src.skip(start, "question without an answer")
        return None
    return Found(start + 2, end + 1, "note-block", question, answer,
                 card_kind(question, kind), tags=tags)  # fmt: skip


def split_tags_line(value: str) -> list[str]:
    return unique(t.lstrip("#") for t in value.replace(",", " ").split() if t.lstrip("#"))


def target_deck(src: SourceLines, taken: bytearray) -> str:
    """Obsidian_to_Anki's ``TARGET DECK`` line (name on it or on the next line): the title."""
    if "TARGET DECK" not in src.doc.text:
        return ""
    det = src.det
    for i in range(src.doc.body_start, len(det)):
        m = _TARGET_DECK.match(det[i]) if "TARGET DECK" in det[i] else None
        if m is None or taken[i]:
            continue
        name, last = m.group(1).strip(), i
        if not name and i + 1 < len(det) and det[i + 1].strip():
            name, last = det[i + 1].strip(), i + 1
        taken[i : last + 1] = b"\x01" * (last + 1 - i)
        return name.replace("::", " / ")
    return ""


def find_remnote(src: SourceLines, taken: bytearray) -> list[Found]:
    """RemNote exports: ``- front―back`` bullets (U+2015); parent bullets are context."""
    if "\u2015" not in src.doc.text:
        return []
    det, found = src.det, []
    for i in range(src.doc.body_start, len(det)):
        if taken[i] or "\u2015" not in det[i]:
            continue
        m = _REMNOTE.match(det[i])
        if m is None:
            continue
        indent = len(m.group(1).expandtabs(4))
        question, tags = take_tags(m.group(2).strip())
        answer, end = m.group(3).strip(), i + 1
        if not answer:  # the back is the nested bullets below
            while end < len(det) and _indent(det[end]) > indent and det[end].strip():
                end += 1
            answer = _dedent(src.text[i + 1 : end])
        if not question or not answer:
            src.skip(i, "question without an answer" if question else "answer without a question")
            continue
        taken[i:end] = b"\x01" * (end - i)
        found.append(
            Found(i, end, "remnote", question, answer, tags=tags,
                  context=parent_bullets(det, i, indent, src.doc.body_start))
        )  # fmt: skip
    return found


def parent_bullets(det: list[str], index: int, indent: int, first: int) -> list[str]:
    """The texts of the bullets a (nested) bullet hangs from, outermost first."""
    parents: list[str] = []
    for j in range(index - 1, first - 1, -1):
        line = det[j]
        if not line.strip():
            break
        m = _BULLET.match(line)
        if m is None:
            continue
        level = len(m.group(1).expandtabs(4))
        if level < indent:
            parents.insert(0, m.group(2).strip())
            indent = level
            if level == 0:
                break
    return parents


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def _dedent(lines: list[str]) -> str:
    width = min((_indent(line) for line in lines if line.strip()), default=0)
    return "\n".join(line.expandtabs(4)[width:] for line in lines).strip("\n")


def find_numbered(src: SourceLines, taken: bytearray) -> list[Found]:
    """``13. What is a daemon?`` followed by ``- answer`` bullets or indented lines (blank
    lines between them allowed, numbering gaps fine)."""
    det, found = src.det, []
    n = len(det)
    for i in matching_lines(src, _NUMBERED_LINE):
        line = det[i]
        if taken[i]:
            continue
        m = _NUMBERED.match(line)
        if m is None or not m.group(1).rstrip("*_ ").endswith("?"):
            continue
        end = i + 1
        while end < n and not taken[end]:
            if _answer_line(det[end]):
                end += 1
                continue
            # Blank lines belong to the answer when it goes on below them.
            k = end
            while k < n and not det[k].strip() and not src.dead[k]:
                k += 1
            if k in (end, n) or taken[k] or not _answer_line(det[k]):
                break
            end = k
        if end == i + 1:
            continue
        question, tags = take_tags(m.group(1))
        taken[i:end] = b"\x01" * (end - i)
        answer = _dedent(src.text[i + 1 : end])
        found.append(Found(i, end, "numbered-list", question, answer, strength=WEAK, tags=tags))
    return found


def _answer_line(line: str) -> bool:
    """A bullet, or an indented line: what a numbered question's answer is made of."""
    return bool(_BULLET.match(line)) or (line[:1] in " \t" and bool(line.strip()))


def label_start(line: str) -> tuple[str, str, int] | None:
    """(question, syntax, strength) when a line starts a labelled or bold question."""
    if "**" in line[:6]:
        question = bold_questions.question_at(line)
        if question is not None:
            labelled = bold_questions._Q_LABEL.match(line) is not None
            return question, "bold", STRONG if labelled else WEAK
        return None
    if ":" in line[:14]:
        m = _PLAIN_Q.match(line)
        if m:
            return m.group(1).strip(), "labels", STRONG
    return None


def answer_start(line: str) -> str | None:
    """The rest of an ``A:`` / ``**A:**`` / ``Answer:`` line, or None."""
    if "**" in line[:6]:
        return bold_questions.answer_label(line)
    if ":" in line[:12]:
        m = _PLAIN_A.match(line)
        return m.group(1) if m else None
    return None


def find_label_starts(src: SourceLines, taken: bytearray, headings: set[int]) -> list[Found]:
    """Starts of the cards whose answer runs to the next card: the reader settles their ends."""
    text = src.doc.text
    if "**" not in text and ":" not in text:
        return []
    found = []
    for i in matching_lines(src, _LABEL_LINE):
        if taken[i] or i in headings:
            continue
        start = label_start(src.det[i])
        if start is None:
            continue
        question, syntax, strength = start
        question, tags = take_tags(strip_numbering(question) if question else question)
        taken[i] = 1
        found.append(Found(i, i + 1, syntax, question, strength=strength, tags=tags, greedy=True))
    return found
