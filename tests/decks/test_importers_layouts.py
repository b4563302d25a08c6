"""Marker layouts (bold, details, inline, multi-line, cloze) and how a layout is chosen."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.decks.importers import parse_document
from recall.decks.importers.base import ImportFormatError, ParsedDeck


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def qa(deck: ParsedDeck) -> list[tuple[str, str]]:
    return [(c.question, c.answer) for c in deck.cards]


# --- bold questions ---------------------------------------------------------------------------


def test_whole_line_bold_numbered_questions() -> None:
    deck = parse_document(
        "bold.md",
        md(
            """
            # Interview Questions

            **Q1. What is X?**
            X is a thing.

            **Important:** not a question, stays in the answer.

            **Q2) Why Y**
            Because.
            ```python
            **Q3. inside code is not a question**
            ```
            """
        ),
    )
    assert deck.layout == "bold-questions"
    assert deck.title == "Interview Questions"
    assert qa(deck) == [
        ("What is X?", "X is a thing.\n\n**Important:** not a question, stays in the answer."),
        ("Why Y", "Because.\n```python\n**Q3. inside code is not a question**\n```"),
    ]
    assert [c.line for c in deck.cards] == [3, 8]


def test_bold_q_and_a_labels() -> None:
    deck = parse_document(
        "qa.md",
        md(
            """
            **Q:** What is a generator?
            **A:** A function that yields.

            More detail.

            **Q2.** Question over
            two lines
            **A:**
            Answer below the label.
            #python #generators
            """
        ),
    )
    assert deck.layout == "bold-questions"
    assert qa(deck) == [
        ("What is a generator?", "A function that yields.\n\nMore detail."),
        ("Question over\ntwo lines", "Answer below the label."),
    ]
    assert deck.cards[1].tags == ["python", "generators"]
    assert [c.line for c in deck.cards] == [1, 6]


def test_section_title_heading_ends_a_bold_answer() -> None:
    deck = parse_document(
        "b.md",
        "## Python\n\n**What is PEP 8?**\nStyle.\n\n"
        "## Django\n\n**What is ORM?**\nMapping.\n### Example\ncode\n",
    )
    assert qa(deck) == [
        ("What is PEP 8?", "Style."),
        ("What is ORM?", "Mapping.\n### Example\ncode"),
    ]


# --- details blocks ---------------------------------------------------------------------------


def test_details_blocks() -> None:
    deck = parse_document(
        "details.md",
        md(
            """
            # Deck

            <details>
            <summary>1. What is X?</summary>

            X is **x**.

            <details><summary>Hint</summary>nested stays</details>
            </details>

            ```html
            <details><summary>In code</summary>no</details>
            ```

            <details open><summary>Y?</summary>Yes</details>
            <details>
            <summary>
            Multi-line
            summary
            </summary>
            Body
            """
        ),
    )
    assert deck.layout == "details-blocks"
    assert deck.title == "Deck"
    assert qa(deck) == [
        ("What is X?", "X is **x**.\n\n<details><summary>Hint</summary>nested stays</details>"),
        ("Y?", "Yes"),
        ("Multi-line\nsummary", "Body"),
    ]
    assert [c.line for c in deck.cards] == [4, 15, 17]


def test_details_without_summary_is_not_a_card() -> None:
    with pytest.raises(ImportFormatError, match="no questions found"):
        parse_document("d.md", "<details>\nno summary\n</details>\n")


# --- inline separators ------------------------------------------------------------------------


def test_inline_double_and_triple_colon() -> None:
    deck = parse_document(
        "inline.md",
        md(
            """
            #vocab
            Capital of France::Paris
            - Red:::Rouge
            `a::b` in Rust::path separator
            ::no question
            ```
            not::a card
            ```
            """
        ),
    )
    assert deck.layout == "inline-separators"
    assert deck.tags == ["vocab"]
    assert [(c.question, c.answer, c.kind, c.line) for c in deck.cards] == [
        ("Capital of France", "Paris", "basic", 2),
        ("Red", "Rouge", "reversed", 3),
        ("`a::b` in Rust", "path separator", "basic", 4),
    ]


# --- multi-line with ? ------------------------------------------------------------------------


def test_multiline_cards_separated_by_blank_lines() -> None:
    deck = parse_document(
        "multi.md",
        md(
            """
            What is
            a closure?
            ?
            A function with
            captured variables.

            Translate: red
            ??
            rouge

            no mark here
            """
        ),
    )
    assert deck.layout == "multiline-question-mark"
    assert [(c.question, c.answer, c.kind, c.line) for c in deck.cards] == [
        ("What is\na closure?", "A function with\ncaptured variables.", "basic", 1),
        ("Translate: red", "rouge", "reversed", 7),
    ]


def test_multiline_cards_separated_by_dashes_may_hold_blank_lines_and_code() -> None:
    deck = parse_document(
        "multi.md",
        md(
            """
            Question line one

            line two
            ?
            Answer

            ```python

            ?
            ```
            ---
            Second
            ?
            Two
            """
        ),
    )
    assert qa(deck) == [
        ("Question line one\n\nline two", "Answer\n\n```python\n\n?\n```"),
        ("Second", "Two"),
    ]


# --- cloze ------------------------------------------------------------------------------------


def test_cloze_highlights_and_anki_syntax_are_normalised() -> None:
    deck = parse_document(
        "cloze.md",
        md(
            """
            # Cloze deck

            The capital of ==France== is ==Paris==.

            Anki {{C2::style::hint}} plus ==more==, but `x ==y== z` is code
            and a == b is not a deletion.

            A plain paragraph is not a card.
            """
        ),
    )
    assert deck.layout == "cloze"
    assert deck.title == "Cloze deck"
    assert [(c.question, c.answer, c.kind, c.line) for c in deck.cards] == [
        ("The capital of {{c1::France}} is {{c2::Paris}}.", "", "cloze", 3),
        (
            "Anki {{c2::style::hint}} plus {{c3::more}}, but `x ==y== z` is code\n"
            "and a == b is not a deletion.",
            "",
            "cloze",
            5,
        ),
    ]


# --- detection --------------------------------------------------------------------------------


def test_layout_with_most_cards_wins_over_grouping_headings() -> None:
    deck = parse_document(
        "mixed.md",
        "## Python\n\n**Q1. What is a list?**\nA sequence.\n\n"
        "**Q2. What is a set?**\nUnique items.\n",
    )
    assert deck.layout == "bold-questions"
    assert [c.question for c in deck.cards] == ["What is a list?", "What is a set?"]


def test_stray_markers_inside_heading_answers_do_not_hijack_the_file() -> None:
    deck = parse_document(
        "h.md",
        md(
            """
            ## What is scope?
            Rust paths look like std::vec::Vec.
            ## What is ==?
            **Is it equality?**
            Yes, a == b.
            ## Third?
            three
            """
        ),
    )
    assert deck.layout == "markdown-headings"
    assert [c.question for c in deck.cards] == ["What is scope?", "What is ==?", "Third?"]


def test_equal_counts_prefer_question_like_questions() -> None:
    spoilers = md(
        """
        ## What is a decorator?
        <details><summary>Answer</summary>A callable wrapping a callable.</details>
        ## What is a closure?
        <details><summary>Answer</summary>A function with captured variables.</details>
        """
    )
    deck = parse_document("spoilers.md", spoilers)
    assert deck.layout == "markdown-headings"
    assert deck.cards[0].question == "What is a decorator?"
    grouped = "## Python\n\n**What is PEP 8?**\nStyle.\n\n## Django\n\n**What is ORM?**\nMapping.\n"
    assert parse_document("grouped.md", grouped).layout == "bold-questions"


def test_a_heading_over_explicit_cards_is_their_context_not_a_card() -> None:
    # Issue 20: "most cards wins" used to make this one heading card; the heading only
    # groups the card written in explicit syntax below it.
    deck = parse_document("t.md", "## Capitals\nFrance::Paris\n")
    assert deck.layout == "inline-separators"
    assert qa(deck) == [("France", "Paris")]
    assert deck.cards[0].heading_path == ["Capitals"]


def test_no_cards_error_names_the_file_and_never_another_exception() -> None:
    with pytest.raises(ImportFormatError) as info:
        parse_document("folder/notes.txt", "Just some prose.\n\nNothing to study.\n")
    assert info.value.source == "folder/notes.txt"
    assert str(info.value).startswith("folder/notes.txt: no questions found")


# --- robustness -------------------------------------------------------------------------------

_PIECES = [
    "#", "## ", "# 1. Q?", "```", "~~~", "````", "```py`", "<details>", "<summary>", "</summary>",
    "</details>", "**Q1. a?**", "**Q:**", "**A:**", "?", "??", "---", "::", ":::", "==", "{{c1::",
    "}}", "`", "\n", "\n\n", " ", "    ", ">", "- ", "1. ", "http://x.y/z", "#tag", '"', ",", "\t",
    ";", "\r", "\r\n", "\\", "a", "Q3.", "question,answer\n", "tags:", "title: x",
    "question_level: 2", "[", "]", "\ufeff", "\x00",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    filename=st.sampled_from(["n.md", "n.csv", "n.tsv", "n.txt"]),
)
def test_any_text_gives_cards_or_import_format_error(text: str, filename: str) -> None:
    try:
        deck = parse_document(filename, text)
    except ImportFormatError as exc:
        assert exc.source == filename
        return
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert deck.cards
    for card in deck.cards:
        assert card.question.strip()
        assert card.line is not None and 1 <= card.line <= line_count
        assert card.kind in {"basic", "reversed", "cloze"}


def test_bold_labels_alone_on_their_lines() -> None:
    deck = parse_document(
        "labels.md",
        "**Q:**\nWhat is WSGI?\n**A:**\nA server interface.\n\n"
        "**Q:**\nWhat is ASGI?\nIts async sibling.\n",
    )
    assert qa(deck) == [
        ("What is WSGI?", "A server interface."),
        ("What is ASGI?", "Its async sibling."),
    ]
