"""What every importer returns: a parsed deck, independent of the database."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class ImportOptions:
    """Personal reading settings of a notes file (Obsidian Spaced Repetition's names).

    Given on the import page, in the API, as ``import_notes`` flags or in a file's front
    matter (``recall: {separator: ":="}``), and remembered per deck for re-imports.
    """

    inline_separator: str = "::"
    inline_reversed_separator: str = ":::"
    multiline_separator: str = "?"
    multiline_reversed_separator: str = "??"
    cloze_highlight: bool = True  # ==deletion==
    cloze_bold: bool = False  # **deletion**
    cloze_curly: bool = False  # {{deletion}} (Anki's {{c1::...}} is always read)
    # None: decided from the file (headings are context when it uses explicit card syntax).
    headings_as_cards: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """Only the settings that differ from the defaults (what a deck remembers)."""
        default = ImportOptions()
        return {k: v for k, v in asdict(self).items() if getattr(default, k) != v}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ImportOptions:
        """Validated options; a ValueError's message says which setting is wrong and why."""
        if not data:
            return cls()
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown import option(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls(), name)
            if isinstance(default, str):
                if not isinstance(value, str) or not value.strip() or len(value) > 8:
                    raise ValueError(f"{name} must be 1 to 8 characters, not {value!r}")
                if "\n" in value:
                    raise ValueError(f"{name} must fit on one line")
                values[name] = value.strip()
            elif value is not None and not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false, not {value!r}")
            elif value is None and name != "headings_as_cards":
                raise ValueError(f"{name} must be true or false")
            else:
                values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SkippedLine:
    """A line that looks like a card but was not taken; shown in previews and results."""

    line: int  # 1-based
    text: str  # the line, shortened for display
    reason: str


@dataclass(frozen=True)
class SourceSchedule:
    """A schedule written in the notes (Obsidian's ``<!--SR:!2024-01-02,4,270-->``)."""

    due: datetime.date
    interval_days: int
    ease: int  # per mille, as the plugin writes it (250 = 2.5)


@dataclass
class ParsedCard:
    question: str
    answer: str
    line: int | None = None  # 1-based line of the question in the source file
    tags: list[str] = field(default_factory=list)
    kind: str = "basic"  # one of decks.models.CardKind
    syntax: str = ""  # which card syntax it was written in, e.g. "inline", "cloze"
    heading_path: list[str] = field(default_factory=list)  # headings above it, outermost first
    schedule: SourceSchedule | None = None


@dataclass
class ParsedReference:
    url: str
    title: str = ""


@dataclass
class ParsedDeck:
    source_name: str
    title: str = ""
    description: str = ""
    cards: list[ParsedCard] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    layout: str = ""  # which importer understood the file
    skipped: list[SkippedLine] = field(default_factory=list)
    options: ImportOptions = field(default_factory=ImportOptions)  # as applied (front matter too)


class ImportFormatError(Exception):
    """The file cannot be imported; the message names the file, the line and the problem."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        location = source + (f":{line}" if line else "")
        super().__init__(f"{location}: {message}" if location else message)
        self.source = source
        self.line = line
        self.reason = message
