"""What every importer returns: a parsed deck, independent of the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ParsedCard:
    question: str
    answer: str
    line: int | None = None  # 1-based line of the question in the source file
    tags: list[str] = field(default_factory=list)
    kind: str = "basic"  # one of decks.models.CardKind


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


class ImportFormatError(Exception):
    """The file cannot be imported; the message names the file, the line and the problem."""

    def __init__(self, message: str, *, source: str = "", line: int | None = None) -> None:
        location = source + (f":{line}" if line else "")
        super().__init__(f"{location}: {message}" if location else message)
        self.source = source
        self.line = line
        self.reason = message
