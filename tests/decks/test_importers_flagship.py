"""The flagship notes parse into exactly 17 questions, 7 reference items and every code block."""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

import pytest

from recall.decks.importers import parse_document
from recall.decks.importers.base import ParsedDeck

QUESTIONS = [
    "OOPs in python:",
    "API vs REST API vs RESTful API",
    "what is celery.",
    "what is redis.",
    "what is ElasticSearch  and how to use.",
    "what is docker and how that work with django.",
    "What is AsyncIO.",
    "What is asgi.py and wsgi.py in djnago and what is diffrent between them?",
    "CPU-bound task vs I/O-bound task:",
    "What is GIL and muti-threading and how they work.",
    "annotate() vs aggregate()",
    "What is signals.",
    "Nginx, Supervisor, gunicorn",
    "What is diffrent between @classmethod, @staticmethos, @abstractmethod in django",
    "what is diffrent between Forms and serializers.",
    "where i can use multiprocess and where i can use multithreding",
    "What is Rest Framework ?",
]


@pytest.fixture
def raw(flagship_path: Path) -> str:
    return flagship_path.read_text(encoding="utf-8")


@pytest.fixture
def deck(flagship_path: Path, raw: str) -> ParsedDeck:
    return parse_document(flagship_path.name, raw)


def numbered_heading_lines(raw: str) -> list[int]:
    """Independent of the parser: 1-based lines of "# N. ..." headings, skipping ``` fences."""
    found, fenced = [], False
    for number, line in enumerate(raw.split("\n"), start=1):
        if re.match(r" {0,3}```\s*\w*\s*$", line):
            fenced = not fenced
        elif not fenced and re.match(r"# \d+\. ", line):
            found.append(number)
    return found


def fenced_blocks(raw: str) -> list[str]:
    """Independent of the parser: each ``` fenced block, fences included, as it is in the file."""
    blocks, current = [], None
    for line in raw.split("\n"):
        if current is None:
            if re.match(r" {0,3}```[^`]*$", line):
                current = [line]
        else:
            current.append(line)
            if re.match(r" {0,3}```\s*$", line):
                blocks.append("\n".join(current))
                current = None
    assert current is None, "the flagship file has no unclosed fence"
    return blocks


def test_flagship_has_exactly_the_17_numbered_questions(deck: ParsedDeck) -> None:
    assert deck.layout == "markdown-headings"
    assert [card.question for card in deck.cards] == QUESTIONS


def test_flagship_cards_record_the_line_of_their_heading(deck: ParsedDeck, raw: str) -> None:
    lines = raw.split("\n")
    assert [card.line for card in deck.cards] == numbered_heading_lines(raw)
    for card in deck.cards:
        assert card.line is not None
        assert lines[card.line - 1].startswith("# ")
        assert lines[card.line - 1].endswith(card.question)


def test_flagship_title_from_file_name_and_no_description(deck: ParsedDeck) -> None:
    assert deck.title == "Python Django Revision Notes"
    assert deck.description == ""
    assert deck.source_name == "python-django-revision-notes.md"


def test_comment_lines_inside_code_blocks_are_not_questions(deck: ParsedDeck) -> None:
    questions = {card.question for card in deck.cards}
    for comment in (
        "CPU-bound task example in a Django view",
        "I/O-bound task example in a Django view",
        "Aggregate example: calculate the total amount for all orders",
    ):
        assert not any(comment in q for q in questions)
        assert sum(f"# {comment}" in card.answer for card in deck.cards) == 1


def test_every_fenced_code_block_is_in_an_answer_byte_for_byte(deck: ParsedDeck, raw: str) -> None:
    blocks = fenced_blocks(raw)
    assert len(blocks) == 13
    for block in blocks:
        assert any(block in card.answer for card in deck.cards), block[:60]


def test_answers_are_the_source_between_question_headings(deck: ParsedDeck, raw: str) -> None:
    lines = raw.split("\n")
    starts = [card.line or 0 for card in deck.cards]
    ends = [*starts[1:], len(lines) + 1]
    for card, start, end in zip(deck.cards, starts, ends, strict=True):
        section = lines[start : end - 1]
        while section and not section[0].strip():
            section.pop(0)
        while section and not section[-1].strip():
            section.pop()
        assert card.answer == "\n".join(section)
    # The lower-level headings of question 16 stay inside its answer.
    assert (
        "### **Key Differences Between Multiprocessing and Multithreading**"
        in deck.cards[15].answer
    )
    assert "#### 2. **I/O-bound Tasks**:" in deck.cards[15].answer
    assert deck.cards[15].answer.endswith("need specific examples for your current use case?")


def test_section_titles_are_not_cards(deck: ParsedDeck) -> None:
    questions = [card.question for card in deck.cards]
    assert "Revision Questions" not in questions
    assert "Reference Python-Django" not in questions
    assert "Reference Python-Django" not in deck.cards[-1].answer


def test_flagship_references_keep_the_7_items_and_their_urls(deck: ParsedDeck) -> None:
    groups = [
        (title, [r.url for r in refs])
        for title, refs in groupby(deck.references, key=lambda r: r.title)
    ]
    assert groups == [
        ("For CBV", ["https://ccbv.co.uk/"]),
        ("For DRF", ["https://www.cdrf.co/"]),
        (
            "For all type of decorator",
            ["https://www.w3resource.com/python-exercises/decorator/index.php"],
        ),
        (
            "DRF cheet sheet",
            [
                "https://github.com/Nifled/drf-cheat-sheet?tab=readme-ov-file",
                "https://djangocentral.com/django-rest-framework-cheat-sheet/",
            ],
        ),
        (
            "Django interview questions",
            [
                "https://codersdaily.in/courses/django-rest-framework-tutorial/introduction-to-django-rest-framework"
            ],
        ),
        (
            "Django celery with redis",
            [
                "https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html",
                "https://youtu.be/kmyOgB4h5uk?si=CgEYKs8m5UBwV9rr",
            ],
        ),
        ("IDX related", ["https://www.youtube.com/@EverythingIDX"]),
    ]


def test_flagship_with_windows_line_endings_parses_the_same(deck: ParsedDeck, raw: str) -> None:
    crlf = parse_document("python-django-revision-notes.md", raw.replace("\n", "\r\n"))
    assert [(c.question, c.answer, c.line) for c in crlf.cards] == [
        (c.question, c.answer, c.line) for c in deck.cards
    ]
    assert crlf.references == deck.references
