"""Issue 20: one pass reads every card syntax and dialect of a file, in order, and says what it
skipped. Each fixture in tests/fixtures/syntaxes/ is small and written for these tests; the
expected cards are read by eye from the fixture."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.decks.importers import ImportOptions, parse_document
from recall.decks.importers.base import ImportFormatError, ParsedDeck, SourceSchedule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "syntaxes"

Card = tuple[int, str, str, str, str, list[str], list[str]]


def cards(deck: ParsedDeck) -> list[Card]:
    """(line, syntax, kind, question, answer, tags, heading path) of every card."""
    return [
        (c.line or 0, c.syntax, c.kind, c.question, c.answer, c.tags, c.heading_path)
        for c in deck.cards
    ]


def skipped(deck: ParsedDeck) -> list[tuple[int, str, str]]:
    return [(s.line, s.text, s.reason) for s in deck.skipped]


def read(name: str, options: ImportOptions | None = None) -> ParsedDeck:
    return parse_document(name, (FIXTURES / name).read_text(), options)


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- the mixed file: every syntax at once -------------------------------------------------------


def test_a_mixed_file_gives_exactly_the_cards_its_author_wrote() -> None:
    deck = read("mixed.md")
    assert deck.title == "Mixed revision notes"
    assert deck.tags == ["revision", "flashcards"]
    assert deck.description == "Notes for the week: every card syntax in one file."
    assert [r.url for r in deck.references] == ["https://docs.djangoproject.com/"]
    python, django = ["Python"], ["Django"]
    assert cards(deck) == [
        (11, "heading", "basic", "What is a generator?", "A function that yields values lazily.",
         [], python),
        (15, "inline", "basic", "Capital of France", "Paris", [], python),
        (16, "inline", "reversed", "Red", "Rouge", ["flashcards/geo"], python),
        (19, "multiline", "basic", "What is\na closure?",
         "A function with its\ncaptured variables.", [], python),
        (27, "multiline", "reversed", "Translate: chat", "cat", ["flashcards/vocab"], python),
        (31, "multiline", "basic", "**What is a heap?**",
         "A tree where each parent orders before its children.", [], python),
        (37, "bold", "basic", "What is the ORM?", "It maps tables to classes.", [], django),
        (40, "labels", "basic", "What does `select_related` do?",
         "It follows foreign keys with a JOIN.", [], django),
        (43, "labels", "basic", "What is a migration?", "A versioned change to the schema.", [],
         django),
        (47, "details", "basic", "What is middleware?", "Hooks around every request.", [], django),
        (52, "cloze", "cloze", "The {{c1::GIL}} lets one thread run Python bytecode at a time.", "",
         [], django),
        (54, "cloze", "cloze",
         "Use {{c2::`select_for_update()`}} to lock rows; Anki style: {{c1::F() expressions}}.",
         "", [], django),
    ]  # fmt: skip
    assert skipped(deck) == [
        (17, "<!--Hidden question::hidden answer-->", "commented out"),
        (
            57,
            "# not cards: a::b and a lone question mark",
            "`::` in a fenced code block is not read",
        ),
        (58, "x = a::b", "`::` in a fenced code block is not read"),
        (59, "?", "a '?' line in a fenced code block is not read"),
    ]
    assert [c.schedule for c in deck.cards if c.schedule] == [
        SourceSchedule(datetime.date(2026, 12, 5), 4, 270)
    ]
    assert deck.layout == "mixed"


# --- one fixture per syntax ---------------------------------------------------------------------


def test_question_headings() -> None:
    deck = read("headings.md")
    assert deck.title == "Python notes"
    assert cards(deck) == [
        (3, "heading", "basic", "What is a list?", "An ordered, mutable sequence.", [], []),
        (7, "heading", "basic", "What is a tuple?",
         "An ordered, immutable sequence.\n\n```python\npoint = (1, 2)\n```", [], []),
    ]  # fmt: skip
    assert deck.skipped == []


def test_bold_questions_and_a_question_mark_line_below_a_bold_question() -> None:
    assert cards(read("bold.md")) == [
        (1, "multiline", "basic", "**What is a heap?**",
         "A tree where each parent orders before its children.", [], []),
        (5, "bold", "basic", "What is a stack?", "Last in, first out.", [], []),
        (8, "bold", "basic", "What is a queue?", "First in, first out.", [], []),
    ]  # fmt: skip


def test_plain_q_and_a_lines_are_read_and_an_unanswered_one_is_reported() -> None:
    deck = read("plain-qa.md")
    assert cards(deck) == [
        (3, "labels", "basic", "What is a closure?",
         "A function that remembers the variables of its scope.", [], []),
        (6, "labels", "basic", "What is a decorator?",
         "A callable that wraps another callable.\nIt returns the wrapper.", [], []),
    ]  # fmt: skip
    assert skipped(deck) == [(10, "Q: What is left unanswered?", "question without an answer")]


def test_details_blocks() -> None:
    assert cards(read("details.md")) == [
        (1, "details", "basic", "What is REST?", "An architectural style for web services.",
         [], []),
        (6, "details", "basic", "What is idempotence?", "Doing it twice equals doing it once.",
         [], []),
    ]  # fmt: skip


def test_inline_separators() -> None:
    assert cards(read("inline.md")) == [
        (1, "inline", "basic", "Capital of France", "Paris", [], []),
        (2, "inline", "reversed", "red", "rouge", [], []),
        (3, "inline", "basic", "`a::b` in Rust", "path separator", [], []),
    ]


def test_multiline_cards_end_at_blank_lines() -> None:
    assert cards(read("multiline.md")) == [
        (1, "multiline", "basic", "What is\na closure?", "A function with\ncaptured variables.",
         [], []),
        (7, "multiline", "reversed", "chat", "cat", [], []),
    ]  # fmt: skip


def test_multiline_cards_end_at_dashes_when_the_file_uses_them() -> None:
    assert cards(read("multiline-dashed.md")) == [
        (1, "multiline", "basic", "What is a monad?\n\nExplain briefly.",
         "A value with a bind operation.\n\nIt chains computations.", [], []),
        (9, "multiline", "basic", "Why use one?", "To sequence effects.", [], []),
    ]  # fmt: skip


def test_cloze_paragraphs_with_code_inside_a_deletion() -> None:
    deck = read("cloze.md")
    assert cards(deck) == [
        (1, "cloze", "cloze", "The capital of {{c1::France}} is {{c2::Paris}}.", "", [], []),
        (3, "cloze", "cloze", "Anki {{c2::style::hint}} plus {{c3::more}}.", "", [], []),
        (5, "cloze", "cloze", "Use {{c1::`git rebase -i`}} to squash commits.", "", [], []),
    ]
    assert skipped(deck) == [
        (8, "==not read== in code", "cloze markers in a fenced block are not read")
    ]


def test_csv_as_before() -> None:
    deck = read("qa.csv")
    assert cards(deck) == [(2, "delimited", "basic", "What is HTTP?", "A protocol for the web",
                            ["web"], [])]  # fmt: skip


# --- dialects -----------------------------------------------------------------------------------


def test_obsidian_to_anki() -> None:
    deck = read("obsidian-to-anki.md")
    assert deck.title == "Biology / Cells"
    assert cards(deck) == [
        (3, "flashcard-tag", "basic", "What is the powerhouse of the cell?", "The mitochondrion.",
         [], []),
        (7, "flashcard-tag", "basic", "Name the three parts\nof a nucleotide",
         "A phosphate, a sugar\nand a base.", [], []),
    ]  # fmt: skip
    assert deck.skipped == []


def test_obsidian_to_anki_note_blocks() -> None:
    deck = read("obsidian-to-anki-blocks.md")
    assert cards(deck) == [
        (3, "note-block", "basic", "What is osmosis?",
         "Water moving across a membrane\ntowards the higher concentration.",
         ["biology", "cells"], []),
        (12, "note-block", "reversed", "ATP", "adenosine triphosphate", [], []),
        (18, "note-block", "cloze", "The {{c1::ribosome}} builds proteins.", "In the cytoplasm.",
         [], []),
    ]  # fmt: skip
    assert deck.skipped == []


def test_mdanki() -> None:
    deck = read("mdanki.md")
    assert deck.title == "Networking"
    assert cards(deck) == [
        (3, "mdanki", "basic", "What does DNS do?", "It turns names into addresses.", [], []),
        (9, "mdanki", "basic", "TCP or UDP\nfor video calls?", "UDP: a late packet is useless.",
         [], []),
    ]  # fmt: skip


def test_anki_for_vs_code() -> None:
    deck = read("anki-vscode.md")
    assert deck.title == "Languages / Rust"
    assert cards(deck) == [
        (3, "heading", "basic", "What does the borrow checker enforce?",
         "One mutable reference or many shared ones, never both.", [], []),
        (7, "heading", "basic", "Ownership",
         "Each value has one owner; it is dropped when the owner goes out of scope.", [], []),
    ]  # fmt: skip


def test_remnote_export() -> None:
    assert cards(read("remnote.md")) == [
        (3, "remnote", "basic", "pH of pure water", "7", [], ["Chemistry", "Acids"]),
        (4, "cloze", "cloze", "An acid donates {{c1::protons}}", "", [], ["Chemistry", "Acids"]),
        (6, "remnote", "basic", "Litmus turns", "blue", [], ["Chemistry", "Bases"]),
    ]


def test_numbered_question_lists_with_gaps_and_indented_answers() -> None:
    deck = read("numbered-list.md")
    assert deck.title == "Linux interview questions"
    assert cards(deck) == [
        (3, "numbered-list", "basic", "What is a daemon?",
         "- A background process\n- usually started at boot", [], []),
        (6, "numbered-list", "basic", "What is a zombie process?",
         "- A finished child whose parent has not read its exit status", [], []),
        (8, "numbered-list", "basic", "What does `nice` change?",
         "- The scheduling priority of a process", [], []),
        (11, "numbered-list", "basic", "What is an inode?", "The record of a file's metadata.",
         [], []),
    ]  # fmt: skip


def test_obsidian_spaced_repetition_tags_schedules_block_ids_and_comments() -> None:
    deck = read("obsidian-sr.md")
    assert cards(deck) == [
        (1, "inline", "basic", "Q5", "A5", ["flashcards"], []),
        (2, "inline", "basic", "Unit of force", "newton", ["flashcards/physics"], []),
        (5, "multiline", "basic", "What is entropy?", "A measure of disorder.", ["flashcards"], []),
    ]
    assert [c.schedule for c in deck.cards] == [
        SourceSchedule(datetime.date(2026, 12, 5), 3, 250),
        None,
        SourceSchedule(datetime.date(2026, 12, 20), 10, 230),
    ]
    assert skipped(deck) == [(10, "<!--question::answer-->", "commented out")]


def test_obsidian_sr_custom_separators_and_bold_cloze_from_front_matter() -> None:
    deck = read("obsidian-sr-custom.md")
    assert cards(deck) == [
        (6, "inline", "basic", "Speed of light", "299,792,458 m/s", [], []),
        (8, "cloze", "cloze", "The {{c1::mitochondrion}} makes ATP.", "", [], []),
    ]
    assert deck.options.inline_separator == ":="
    assert deck.options.cloze_bold is True


def test_options_passed_by_the_user_override_the_front_matter() -> None:
    deck = read("obsidian-sr-custom.md", ImportOptions(inline_separator="::", cloze_bold=False))
    # "::" is the default, so passing it does not override the file's ":=" (documented).
    assert deck.options.inline_separator == ":="
    assert deck.options.cloze_bold is True
    deck = read("obsidian-sr-custom.md", ImportOptions(inline_separator=":-"))
    assert deck.options.inline_separator == ":-"
    assert [c.syntax for c in deck.cards] == ["cloze"]


def test_options_apply_without_front_matter_and_in_block_form() -> None:
    text = "Sky;;blue\n\nThe {{sun}} is a star.\n"
    deck = parse_document("o.md", text, ImportOptions(inline_separator=";;", cloze_curly=True))
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("Sky", "blue"),
        ("The {{c1::sun}} is a star.", ""),
    ]
    block = (
        "---\nrecall:\n  separator: ';;'\n  multiline_separator: '%%'\n---\nSky;;blue\n\nQ\n%%\nA\n"
    )
    assert [(c.question, c.answer) for c in parse_document("b.md", block).cards] == [
        ("Sky", "blue"),
        ("Q", "A"),
    ]


def test_a_wrong_front_matter_setting_names_it() -> None:
    with pytest.raises(ImportFormatError, match="front matter 'recall': cloze must be"):
        parse_document("w.md", "---\nrecall: {cloze: purple}\n---\nQ::A\n")


def test_headings_as_cards_option_forces_either_reading() -> None:
    text = "## Capitals\nFrance::Paris\n"
    forced = parse_document("h.md", text, ImportOptions(headings_as_cards=True))
    assert [(c.question, c.answer) for c in forced.cards] == [("Capitals", "France::Paris")]
    assert [s.reason for s in forced.skipped] == ["`::` inside a heading section answer"]
    flagship_like = "## What is X?\nX.\n## What is Y?\nY.\n"
    with pytest.raises(ImportFormatError, match="no questions found"):
        parse_document("n.md", flagship_like, ImportOptions(headings_as_cards=False))


# --- the bad cases of the issue -----------------------------------------------------------------


def test_flashcards_tag_before_an_inline_card_is_a_tag() -> None:
    deck = parse_document("t.md", "Intro.\n\n#flashcards Q5::A5\n")
    assert cards(deck) == [(3, "inline", "basic", "Q5", "A5", ["flashcards"], [])]


def test_flashcards_line_above_a_question_mark_card_is_a_tag() -> None:
    deck = parse_document("t.md", "Intro.\n\n#flashcards/sub\nWhat is X?\n?\nX.\n")
    assert cards(deck) == [(4, "multiline", "basic", "What is X?", "X.", ["flashcards/sub"], [])]


def test_commented_out_card_is_not_a_card_and_is_reported() -> None:
    deck = parse_document("c.md", "<!--q::a-->\nReal::card\n")
    assert cards(deck) == [(2, "inline", "basic", "Real", "card", [], [])]
    assert skipped(deck) == [(1, "<!--q::a-->", "commented out")]


def test_sr_comments_and_block_ids_are_not_in_answers() -> None:
    deck = parse_document("s.md", "Q?\n?\nThe answer ^abc-1\n<!--SR:!2026-01-02,4,270-->\n")
    assert cards(deck) == [(1, "multiline", "basic", "Q?", "The answer", [], [])]


def test_section_headings_in_explicit_files_are_context_not_cards() -> None:
    text = md(
        """
        # Chemistry
        ## Questions
        Acid pH::below 7
        ## See Also
        - [[Bases]]
        - https://en.wikipedia.org/wiki/Acid
        """
    )
    deck = parse_document("chem.md", text)
    assert cards(deck) == [(3, "inline", "basic", "Acid pH", "below 7", [], ["Questions"])]
    assert deck.title == "Chemistry"


def test_bold_question_then_question_mark_line() -> None:
    deck = parse_document("h.md", "**What is a heap?**\n?\nA tree.\n")
    assert cards(deck) == [(1, "multiline", "basic", "**What is a heap?**", "A tree.", [], [])]


def test_highlighted_code_is_a_deletion() -> None:
    deck = parse_document("c.md", "Run ==`make test`== before pushing.\n")
    assert cards(deck) == [
        (1, "cloze", "cloze", "Run {{c1::`make test`}} before pushing.", "", [], [])
    ]


def test_stray_card_syntax_in_a_question_heading_answer_stays_and_is_reported() -> None:
    text = "## What is X?\nX is a thing.\nSee also a::b here.\n## What is Y?\nY.\n"
    deck = parse_document("s.md", text)
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("What is X?", "X is a thing.\nSee also a::b here."),
        ("What is Y?", "Y."),
    ]
    assert skipped(deck) == [(3, "See also a::b here.", "`::` inside a heading section answer")]


def test_incomplete_cards_are_reported() -> None:
    deck = parse_document("i.md", "Good::card\nNo answer::\n\n?\norphan answer\n")
    assert cards(deck) == [(1, "inline", "basic", "Good", "card", [], [])]
    assert skipped(deck) == [
        (2, "No answer::", "question without an answer"),
        (4, "?", "a '?' line with no question above it"),
    ]


# --- robustness: the new syntax pieces in any order ---------------------------------------------

_PIECES = [
    "\n", "\n\n", " ", "    ", "- ", "1. ", "13. ", "## ", "# ", "%", "?", "??", "---", "::", ":::",
    ":=", "==", "`", "```", "{{", "}}", "{{c1::", "\u2015", "#flashcard", "#flashcards",
    "#flashcards/a", "<!--", "-->", "<!--SR:!2026-01-02,4,270-->", "<!--SR:!2026-13-40,1,1-->",
    "<!--ID: 12-->", "^id-1", "TARGET DECK", "Q:", "A:", "**Q:**", "**A:**", "**What?**",
    "<details>", "<summary>", "</summary>", "</details>", "---\nrecall: {separator: ':='}\n---\n",
    "a", "What?", "\t", "*", "#tag",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_any_mix_of_syntaxes_gives_cards_or_a_format_error(text: str) -> None:
    try:
        deck = parse_document("mix.md", text)
    except ImportFormatError as exc:
        assert exc.source == "mix.md"
        return
    line_count = text.count("\n") + 1
    assert deck.cards
    for card in deck.cards:
        assert card.question.strip()
        assert card.line is not None and 1 <= card.line <= line_count
        assert card.kind in {"basic", "reversed", "cloze"}
        assert card.syntax
    lines = [c.line or 0 for c in deck.cards]
    assert lines == sorted(lines)
    for skip in deck.skipped:
        assert 1 <= skip.line <= line_count and skip.reason


def test_question_heading_among_explicit_cards_keeps_its_own_text_as_a_card() -> None:
    text = md(
        """
        ## 1. Cell biology
        Intro text.
        A::B
        C::D
        ## 2. What is a cell?
        The unit of life.

        E::F
        G::H
        """
    )
    assert [
        (c.line, c.question, c.answer, c.heading_path) for c in parse_document("c.md", text).cards
    ] == [
        (3, "A", "B", ["1. Cell biology"]),
        (4, "C", "D", ["1. Cell biology"]),
        (5, "What is a cell?", "The unit of life.", []),
        (8, "E", "F", []),
        (9, "G", "H", []),
    ]


def test_a_separator_only_inside_inline_code_is_no_card() -> None:
    deck = parse_document("c.md", "## What is PEP 8?\nThe style guide. Use `a::b`? No.\n")
    assert cards(deck) == [
        (1, "heading", "basic", "What is PEP 8?", "The style guide. Use `a::b`? No.", [], [])
    ]
    assert deck.skipped == []


def test_a_table_of_contents_section_is_not_a_card() -> None:
    text = md(
        """
        # Python Interview Questions
        ## Table of Contents
        1. [What is Python?](#what-is-python)
        2. [What is PEP 8?](#pep8)
        ### What is Python?
        An interpreted language.
        ### What is PEP 8?
        The style guide.
        """
    )
    deck = parse_document("toc.md", text)
    assert [(c.question, c.answer, c.heading_path) for c in deck.cards] == [
        ("What is Python?", "An interpreted language.", []),
        ("What is PEP 8?", "The style guide.", []),
    ]
    assert deck.references == []


def test_an_answer_label_under_a_question_heading_is_dropped() -> None:
    text = (
        "## Q1: What is Docker?\n**Answer:** A container platform.\n\n"
        "## Q2: What is an image?\nA:\nA read-only template.\n"
    )
    assert [(c.question, c.answer) for c in parse_document("d.md", text).cards] == [
        ("What is Docker?", "A container platform."),
        ("What is an image?", "A read-only template."),
    ]


def test_a_declared_heading_layout_reads_answers_verbatim():
    # The exporter's output (question_level): a "%" or "::" line in an answer is text, and a
    # section before it does not swallow the card.
    text = "---\nquestion_level: 2\n---\n## References\n\n- x\n\n## What?\n\n%\nanswer with a::b\n"
    deck = parse_document("export.md", text)
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("References", "- x"),
        ("What?", "%\nanswer with a::b"),
    ]


def test_a_question_heading_taken_by_another_syntax_is_no_error():
    # Found by the export round-trip property test: once raised ValueError (a 500).
    deck = parse_document("notes.md", "---\nquestion_level: 2\n---\n## 1. 0\n\n%\n0\n")
    assert [(c.question, c.answer) for c in deck.cards] == [("0", "%\n0")]
    deck = parse_document("notes.md", "## 1. 0\n\n%\n0\n")
    assert [(c.question, c.answer, c.syntax) for c in deck.cards] == [("0", "0", "mdanki")]
