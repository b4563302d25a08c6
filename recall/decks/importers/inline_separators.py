"""Helpers of the inline syntax (``Question::Answer``, ``Question:::Answer``; see ``line_cards``).

A separator inside inline code does not split a line, and lines holding Anki cloze syntax
(``{{c1::...}}``) belong to the cloze finder.
"""

from __future__ import annotations

import re

# A span opens only at the start of a run of backticks (as in CommonMark): trying every
# backtick inside a long run made finding spans quadratic in the run's length.
_CODE_SPAN = re.compile(r"(?<!`)(`++).*?(?<!`)\1")
_CLOZE = re.compile(r"\{\{c\d+::", re.IGNORECASE)


def mask_code(line: str) -> str:
    """The line with its inline code spans blanked out (same length), so positions agree."""
    return _CODE_SPAN.sub(lambda m: "\0" * len(m.group(0)), line) if "`" in line else line
