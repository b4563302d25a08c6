"""CSV and TSV layout: one card per record, with an optional header row.

* A ``.txt`` file in which no Markdown layout finds a card, and whose every
  line holds a tab, is read as TSV too, after Anki's ``#separator:tab``-style
  header lines ("Notes in Plain Text" exports).
* Delimiter: a tab for ``.tsv``/``.tab`` files; for ``.csv`` the first of
  comma, semicolon or tab that occurs most often in the first line outside quotes.
* Header: the first record is a header when one of its cells names the question
  column (``question``, ``front``, ``q``, ``prompt``, ``term``) and one names the
  answer column (``answer``, ``back``, ``a``, ``response``, ``definition``),
  case-insensitive; ``tags``/``tag``/``labels`` and ``kind``/``type`` columns are
  optional, other columns are ignored. Without a header the columns are
  question, answer and (optionally) tags.
* Quoting follows RFC 4180: quoted fields may hold delimiters, doubled quotes
  and line breaks (a multi-line answer).
* Tags are split on spaces, commas and semicolons; a leading ``#`` is dropped.
* A cell starting with a single quote followed by ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return or another quote loses that first quote: the formula-safe form the
  exporter (and spreadsheets) write (``recall.decks.csv_cells``).
* Questions and one-line answers are trimmed; a multi-line answer keeps its
  indentation (code) and loses only blank leading and trailing lines.
* Blank records are skipped. A record with a different number of cells than
  the first record, an unterminated quote, an empty question or an unknown
  kind raises ImportFormatError naming the file and the record's first line.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePosixPath

from recall.decks.csv_cells import from_formula_safe

from .base import ImportFormatError, ParsedCard, ParsedDeck
from .markdown_blocks import split_tags, trim_blank
from .questions import card_kind, title_from_filename

NAME = "delimited"
_CSV_CELL_LIMIT = 2**31 - 1  # the largest every platform's csv module accepts
EXTENSIONS = {".csv": ",", ".tsv": "\t", ".tab": "\t"}

_QUESTION = {"question", "front", "q", "prompt", "term"}
_ANSWER = {"answer", "back", "a", "response", "definition"}
_TAGS = {"tags", "tag", "labels"}
_KIND = {"kind", "type"}
_KINDS = {"basic", "reversed", "cloze"}
_ANKI_DIRECTIVE = re.compile(r"#[a-z][a-z ]*:\S*\Z", re.IGNORECASE)


def handles(filename: str) -> bool:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower() in EXTENSIONS


def parse(filename: str, text: str, *, delimiter: str = "") -> ParsedDeck:
    delimiter = delimiter or _delimiter(filename, text)
    records = _records(filename, text, delimiter)
    deck = ParsedDeck(source_name=filename, title=title_from_filename(filename), layout=NAME)
    if not records:
        return deck
    first_line, header = records[0]
    columns = _header_columns(header)
    if columns is None:
        columns = {"question": 0, "answer": 1}
        if len(header) >= 3:
            columns["tags"] = 2
        body = records
    else:
        body = records[1:]
    width = len(header)
    if width < 2:
        raise ImportFormatError(
            f"expected at least two columns (question, answer) separated by {_name(delimiter)}",
            source=filename,
            line=first_line,
        )
    for line, row in body:
        if len(row) != width:
            raise ImportFormatError(
                f"expected {width} columns, found {len(row)}", source=filename, line=line
            )
        question = from_formula_safe(row[columns["question"]]).strip()
        answer = _clean_answer(from_formula_safe(row[columns["answer"]]))
        if not question:
            raise ImportFormatError("the question cell is empty", source=filename, line=line)
        tags = split_tags(from_formula_safe(row[columns["tags"]])) if "tags" in columns else []
        kind = card_kind(question)
        if "kind" in columns and row[columns["kind"]].strip():
            kind = row[columns["kind"]].strip().lower()
            if kind not in _KINDS:
                raise ImportFormatError(
                    f"unknown card kind {kind!r} (expected basic, reversed or cloze)",
                    source=filename,
                    line=line,
                )
        deck.cards.append(
            ParsedCard(question=question, answer=answer, line=line, tags=tags, kind=kind)
        )
    return deck


def looks_tab_separated(filename: str, text: str) -> bool:
    """A ``.txt`` file whose every line (after Anki's ``#key:value`` header) holds a tab."""
    if PurePosixPath(filename.replace("\\", "/")).suffix.lower() != ".txt":
        return False
    lines = text.split("\n")
    body = [line for line in lines[_directives(lines) :] if line.strip()]
    return bool(body) and all("\t" in line for line in body)


def parse_plain_text(filename: str, text: str) -> ParsedDeck:
    """Anki's "Notes in Plain Text" export: TSV after optional ``#separator:tab`` lines."""
    lines = text.split("\n")
    skip = _directives(lines)
    # Blank the header lines rather than drop them, so record line numbers stay true.
    return parse(filename, "\n" * skip + "\n".join(lines[skip:]), delimiter="\t")


def _directives(lines: list[str]) -> int:
    count = 0
    while count < len(lines) and _ANKI_DIRECTIVE.match(lines[count]):
        count += 1
    return count


def _clean_answer(cell: str) -> str:
    """Trim a one-line answer; a multi-line answer loses only its blank first and last lines."""
    if "\n" not in cell.strip():
        return cell.strip()
    lines = cell.split("\n")
    start, end = trim_blank(lines, 0, len(lines))
    return "\n".join(lines[start:end])


def _delimiter(filename: str, text: str) -> str:
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix != ".csv":
        return EXTENSIONS.get(suffix, "\t")
    first = text.split("\n", 1)[0]
    outside = "".join(first.split('"')[::2])
    counts = {d: outside.count(d) for d in ",;\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(filename: str, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every non-blank record with the 1-based line it starts on."""
    # csv's own cap (128 K characters a cell) would refuse a long answer with a cryptic
    # error, or one the card limit (RECALL_MAX_FIELD_KB) allows: the upload limit bounds the
    # file already, and the import checks each card against the card limit by name.
    csv.field_size_limit(_CSV_CELL_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message or "EOF" in message:
                message = "unterminated quoted field"
            raise ImportFormatError(
                f"malformed record: {message}", source=filename, line=start
            ) from exc
        if any(cell.strip() for cell in row):
            records.append((start, row))
    return records


def _header_columns(row: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower().lstrip("\ufeff") for cell in row]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        for key, aliases in (
            ("question", _QUESTION),
            ("answer", _ANSWER),
            ("tags", _TAGS),
            ("kind", _KIND),
        ):
            if name in aliases and key not in columns:
                columns[key] = index
    if "question" in columns and "answer" in columns:
        return columns
    return None


def _name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}[delimiter]
