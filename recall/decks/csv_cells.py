"""Formula-safe CSV/TSV cells: what the exporter writes and the importer reads back.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula: a card reading ``=HYPERLINK(...)`` would become a
live link, or worse (OWASP, "CSV Injection"). Such cells are written with a leading
single quote, which spreadsheets show as "text, not a formula" and hide. A cell that
itself starts with a quote gets one more, so reading a file back takes exactly one quote
off a cell whose next character is one of these: the round trip loses nothing.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Also a line feed: importing turns "\r\n" into "\n" before the cells are read.
_ESCAPED = (*FORMULA_STARTS, "\n", "'")


def formula_safe(cell: str) -> str:
    """The cell as it is written to a CSV/TSV file."""
    return "'" + cell if cell.startswith(_ESCAPED) else cell


def from_formula_safe(cell: str) -> str:
    """A cell as read from a CSV/TSV file: the exporter's (and spreadsheets') quote undone."""
    if cell.startswith("'") and cell[1:].startswith(_ESCAPED):
        return cell[1:]
    return cell
