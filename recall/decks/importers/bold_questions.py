"""Bold questions: ``**Q1. What is X?**`` lines, or ``**Q:** ...`` / ``**A:** ...`` pairs.

A question starts on a line (outside code fences) that is either

* wholly bold and question-like: ``**Q1. What is X?**``, ``**3) Why?**``,
  ``**What is X?**`` (numbered, ``Q``-prefixed or ending in ``?``); or
* a bold ``Q``/``Question`` label followed by the question: ``**Q:** What is X?``,
  ``**Q1.** What is X?``, or alone, with the question on the next line(s).

Its answer runs to the next card (``reader``). When the answer starts with a bold
``A``/``Answer`` label (``**A:** ...``) the label is dropped and any lines
between the question line and the label continue the question. A heading
followed by nothing but blank lines before the next heading or question is a
section title and ends the answer; other headings stay in the answer. A last
line made only of ``#tags`` gives the card's tags. Numbering is stripped from
the question as in the heading layout.
"""

from __future__ import annotations

import re

from .questions import looks_like_question, strip_numbering

NAME = "bold"

_WHOLE_BOLD = re.compile(r"[ ]{0,3}\*\*(?!\*)(.+?)\*\*[ \t]*\Z")
_Q_LABEL = re.compile(
    r"[ ]{0,3}\*\*(?:Q|Question)[ \t]?\d{0,6}[ \t]?[.:)]?\*\*[ \t]*+((?:.*[^ \t\n])?)[ \t]*\Z", re.I
)
_A_LABEL = re.compile(r"[ ]{0,3}\*\*(?:A|Answer)[ \t]?\d{0,6}[ \t]?[.:)]?\*\*[ \t]?(.*)\Z", re.I)


def question_at(line: str) -> str | None:
    """The question a line starts, or None. Cheap for the common case of ordinary lines."""
    if "**" not in line[:6]:
        return None
    m = _Q_LABEL.match(line)
    if m:
        return m.group(1)
    m = _WHOLE_BOLD.match(line)
    if m and "**" not in m.group(1) and looks_like_question(m.group(1)):
        return strip_numbering(m.group(1).strip())
    return None


def answer_label(line: str) -> str | None:
    """The rest of a ``**A:**`` line, or None."""
    if "**" not in line[:6]:
        return None
    m = _A_LABEL.match(line)
    return m.group(1) if m else None
