"""The heading layout and the fence-aware Markdown scanner it stands on."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall.decks.importers import parse_document
from recall.decks.importers.base import ImportFormatError
from recall.decks.importers.markdown_blocks import is_tag_line, scan


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- scanner ----------------------------------------------------------------------------------


def test_hash_lines_inside_backtick_and_tilde_fences_are_not_headings() -> None:
    doc = scan(
        md(
            """
            # Real
            ```python
            # comment
            ```
            ~~~~
            # also code
            ```
            # still code: a ``` line cannot close a ~~~~ fence
            ~~~~
            ## After
            """
        )
    )
    assert [(h.index, h.level, h.text) for h in doc.headings] == [(0, 1, "Real"), (9, 2, "After")]
    assert [(f.start, f.end, f.closed) for f in doc.fences] == [(1, 3, True), (4, 8, True)]
    assert list(doc.in_fence) == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]


def test_fences_may_be_indented_up_to_three_spaces_but_not_four() -> None:
    doc = scan("   ```\n# in code\n   ```\n    ```\n# heading\n")
    assert [h.text for h in doc.headings] == ["heading"]
    assert [(f.start, f.end) for f in doc.fences] == [(0, 2)]


def test_backtick_line_with_backticks_in_its_info_string_is_not_a_fence() -> None:
    doc = scan("```1. Class and object```\n# Heading\n```python\n# code\n```\n")
    assert [h.text for h in doc.headings] == ["Heading"]
    assert [(f.start, f.end) for f in doc.fences] == [(2, 4)]


def test_closing_fence_must_be_at_least_as_long_and_bare() -> None:
    doc = scan("````\n```\n# code\n```` trailing\n# code too\n`````\n# heading\n")
    assert [h.text for h in doc.headings] == ["heading"]
    assert [(f.start, f.end) for f in doc.fences] == [(0, 5)]


def test_unclosed_fence_runs_to_the_end_of_the_document() -> None:
    doc = scan("# One\n```\n# code\n## not a heading\n")
    assert [h.text for h in doc.headings] == ["One"]
    assert [(f.start, f.end, f.closed) for f in doc.fences] == [(1, 4, False)]


def test_atx_heading_rules() -> None:
    doc = scan(
        "#hashtag\n####### seven\n    # indented code\n   ### Three ###\n#\n## C#\n## Use # #\n"
    )
    assert [(h.level, h.text) for h in doc.headings] == [
        (3, "Three"),
        (1, ""),
        (2, "C#"),
        (2, "Use #"),
    ]


def test_crlf_and_cr_line_endings_count_as_lines() -> None:
    doc = scan("# A\r\nx\r# B\n")
    assert [(h.index, h.text) for h in doc.headings] == [(0, "A"), (2, "B")]


def test_front_matter_is_read_and_skipped() -> None:
    doc = scan('---\ntitle: "My deck"\ntags: [a, b]\nlist:\n  - x\n  - y\n---\n# Q?\nA\n')
    assert doc.body_start == 7
    assert doc.front_matter == {"title": "My deck", "tags": ["a", "b"], "list": ["x", "y"]}
    assert [h.index for h in doc.headings] == [7]


# --- heading layout ---------------------------------------------------------------------------


def test_numbering_is_stripped_and_wording_kept() -> None:
    deck = parse_document(
        "n.md",
        md(
            """
            ## 3. What is X?
            x
            ## 4) Why:
            y
            ## Q5. How.
            z
            ## Q6: When
            w
            ## 3.14 is pi, isn't it ?
            v
            """
        ),
    )
    assert deck.layout == "markdown-headings"
    assert [c.question for c in deck.cards] == [
        "What is X?",
        "Why:",
        "How.",
        "When",
        "3.14 is pi, isn't it ?",
    ]
    assert [c.line for c in deck.cards] == [1, 3, 5, 7, 9]
    assert [c.answer for c in deck.cards] == ["x", "y", "z", "w", "v"]


@pytest.mark.parametrize("level", [1, 2, 3])
def test_questions_at_any_heading_level(level: int) -> None:
    marks = "#" * level
    deck = parse_document("any.md", f"{marks} First?\n\none\n\n{marks} Second?\n\ntwo\n")
    assert [(c.question, c.answer, c.line) for c in deck.cards] == [
        ("First?", "one", 1),
        ("Second?", "two", 5),
    ]


def test_sections_without_body_are_titles_and_deeper_headings_stay_in_answers() -> None:
    deck = parse_document(
        "s.md",
        md(
            """
            # Revision Questions
            # 1. First
            intro

            ### Details
            more
            #### 1. step
            # 2. Second
            two
            """
        ),
    )
    assert [c.question for c in deck.cards] == ["First", "Second"]
    assert deck.cards[0].answer == "intro\n\n### Details\nmore\n#### 1. step"


def test_level_carrying_the_questions_is_detected_under_section_headings() -> None:
    deck = parse_document(
        "s.md",
        md(
            """
            # Python
            ## What is a list?
            A sequence.
            ## What is a dict?
            A mapping.
            # Django
            ## What is a view?
            A callable.
            """
        ),
    )
    assert [c.question for c in deck.cards] == [
        "What is a list?",
        "What is a dict?",
        "What is a view?",
    ]
    assert deck.cards[1].answer == "A mapping."


def test_section_with_its_own_text_is_kept_as_a_card_not_lost() -> None:
    deck = parse_document(
        "c.md", "# Chapter\nIntro.\n## Q1?\na\n## Q2?\nb\n# Chapter 2\n## Q3?\nc\n"
    )
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("Chapter", "Intro."),
        ("Q1?", "a"),
        ("Q2?", "b"),
        ("Q3?", "c"),
    ]


def test_answer_is_source_byte_for_byte_trimmed_of_blank_lines_only() -> None:
    answer = (
        "  indented line  \n\n    code block\n\t* tab item\n```\n\n# not heading\n```\ntrailing \\"
    )
    deck = parse_document("b.md", f"## Q?\n\n\n{answer}\n\n   \n## R?\nr\n")
    assert deck.cards[0].answer == answer


def test_single_top_level_heading_is_the_deck_title_and_its_text_the_description() -> None:
    deck = parse_document(
        "file-name.md",
        "# Python Basics\n\nShort notes for interviews.\n\n"
        "## What is PEP 8?\nA style guide.\n## GIL?\nA lock.\n",
    )
    assert deck.title == "Python Basics"
    assert deck.description == "Short notes for interviews."
    assert [c.question for c in deck.cards] == ["What is PEP 8?", "GIL?"]


def test_title_from_file_name_when_no_title_heading() -> None:
    deck = parse_document("notes/my_AWS-notes.md", "## A?\na\n## B?\nb\n")
    assert deck.title == "My AWS Notes"
    assert deck.description == ""
    assert deck.source_name == "notes/my_AWS-notes.md"


def test_one_heading_file_is_one_card_not_a_title() -> None:
    deck = parse_document("one.md", "# What is X?\n\nX.\n")
    assert [(c.question, c.answer) for c in deck.cards] == [("What is X?", "X.")]
    assert deck.title == "One"


def test_link_list_section_becomes_references_not_a_card() -> None:
    deck = parse_document(
        "r.md",
        md(
            """
            ## Links
            - Python docs: https://docs.python.org/3/
            - [Django](https://www.djangoproject.com/)
            * https://example.org/a.
            ## 1. What?
            - see https://example.com/
            """
        ),
    )
    assert [(r.title, r.url) for r in deck.references] == [
        ("Python docs", "https://docs.python.org/3/"),
        ("Django", "https://www.djangoproject.com/"),
        ("", "https://example.org/a"),
    ]
    assert [c.question for c in deck.cards] == ["What?"]
    assert deck.cards[0].answer == "- see https://example.com/"


def test_question_like_heading_with_a_link_list_answer_stays_a_card() -> None:
    deck = parse_document(
        "r.md", "## Where are the docs?\n- https://docs.python.org/\n## Why?\nBecause.\n"
    )
    assert [c.question for c in deck.cards] == ["Where are the docs?", "Why?"]
    assert deck.references == []


def test_front_matter_tags_title_and_hashtag_lines() -> None:
    deck = parse_document(
        "t.md",
        md(
            """
            ---
            title: Deck From Front Matter
            description: About things
            tags: [python, "web dev"]
            ---
            #interview #python

            ## What?
            That.

            #card-tag #other
            ## Why?
            Ranked:
            #1
            """
        ),
    )
    assert deck.title == "Deck From Front Matter"
    assert deck.description == "About things"
    assert deck.tags == ["python", "web dev", "interview"]
    assert [(c.question, c.answer, c.tags, c.line) for c in deck.cards] == [
        ("What?", "That.", ["card-tag", "other"], 8),
        ("Why?", "Ranked:\n#1", [], 12),
    ]


def test_front_matter_tags_as_plain_text_are_split() -> None:
    deck = parse_document("t.md", "---\ntags: a, b;c d\n---\n## Q?\nA\n")
    assert deck.tags == ["a", "b", "c", "d"]


def test_question_level_hint_overrides_detection() -> None:
    text = (
        "---\nquestion_level: 2\n---\n## Plain\nbody\n### 1. Step?\n### 2. Step?\n## Other\nmore\n"
    )
    deck = parse_document("h.md", text)
    assert [c.question for c in deck.cards] == ["Plain", "Other"]
    assert deck.cards[0].answer == "body\n### 1. Step?\n### 2. Step?"


def test_unclosed_fence_swallows_the_rest_without_crashing() -> None:
    deck = parse_document("u.md", "## A?\n```python\n# code\n## B?\nb\n")
    assert [c.question for c in deck.cards] == ["A?"]
    assert deck.cards[0].answer == "```python\n# code\n## B?\nb"


def test_exporter_escapes_round_trip() -> None:
    """The escapes documented in importers/__init__.py for the Markdown exporter."""
    text = md(
        r"""
        ---
        question_level: 2
        ---
        ## 1. 3. foo
        a
        ## 3\. bar
        b
        ## 3\\. baz
        c
        ## Q\: qux
        d
        ## Ends with C# #
        e
        ## Has # inside and #tag-like words
        f
        """
    )
    deck = parse_document("e.md", text)
    assert [c.question for c in deck.cards] == [
        "3. foo",
        "3. bar",
        "3\\. baz",
        "Q: qux",
        "Ends with C#",
        "Has # inside and #tag-like words",
    ]


def test_cloze_syntax_in_a_heading_question_makes_a_cloze_card() -> None:
    deck = parse_document("c.md", "## The {{c1::GIL}} serialises bytecode\nextra\n## Plain?\nx\n")
    assert [c.kind for c in deck.cards] == ["cloze", "basic"]


def test_headings_with_empty_bodies_only_is_no_questions_error() -> None:
    with pytest.raises(ImportFormatError) as info:
        parse_document("empty-notes.md", "# Title\n\n## Section\n\n## Another\n")
    assert "empty-notes.md" in str(info.value)
    assert "no questions found" in str(info.value)


@pytest.mark.parametrize("text", ["", "\n\n", "just a paragraph\n", "\ufeff", "\x00\x01binary\x02"])
def test_text_without_cards_raises_import_format_error(text: str) -> None:
    with pytest.raises(ImportFormatError, match="no questions found"):
        parse_document("x.md", text)


def test_bom_is_dropped() -> None:
    deck = parse_document("bom.md", "\ufeff# Q?\nA\n")
    assert deck.cards[0].question == "Q?"


def test_ten_thousand_cards_parse_in_order_with_lines() -> None:
    blocks = [
        f"## {i}. Question {i}?\n\nAnswer {i}.\n\n```python\n# comment {i}\n```\n"
        for i in range(1, 10001)
    ]
    deck = parse_document("big.md", "\n".join(blocks))
    assert len(deck.cards) == 10000
    assert deck.cards[9999].question == "Question 10000?"
    assert deck.cards[9999].answer == "Answer 10000.\n\n```python\n# comment 10000\n```"
    assert deck.cards[1].line == 9


def test_question_level_front_matter_keeps_marker_lines_inside_answers() -> None:
    text = "---\nquestion_level: 2\n---\n## 1. Words\nred::rouge\nblue::bleu\ngreen::vert\n"
    deck = parse_document("exported.md", text)
    assert deck.layout == "markdown-headings"
    assert [(c.question, c.answer) for c in deck.cards] == [
        ("Words", "red::rouge\nblue::bleu\ngreen::vert")
    ]
    assert parse_document("plain.md", text.split("---\n", 2)[2]).layout == "inline-separators"


# --- the exporter contract, as a property --------------------------------------------------

_ESCAPE = re.compile(r"((?:Q|Question)[ \t]?\d{0,6}[ \t]?|\d{1,6})(\\*[.):])", re.IGNORECASE)
_QUESTION_CHARS = st.sampled_from(
    ["a", "Q", "uestion", "3", "14", ".", ")", ":", "\\", "#", " ", "?", "*", "`"]
)
_ANSWER_LINES = st.sampled_from(
    ["text", "", "   ", "### h3", "#### 1. sub", "```", "~~~", "# in code?", "- item", "#tag",
     "  indented", "3. x", "**Q1. a?**", "a::b", "?", "---", "<details>", "==hi=="]
)  # fmt: skip
_TAG = st.from_regex(r"[a-z][a-z0-9+\-]{0,8}", fullmatch=True)


def _heading(question: str) -> str:
    m = _ESCAPE.match(question)
    if m:
        question = m.group(1) + "\\" + m.group(2) + question[m.end() :]
    if question.endswith("#"):
        question += " #"
    return "## " + question


def _trimmed(lines: list[str]) -> str:
    """An answer as the importer returns it: no blank first or last line."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _acceptable_answer(answer: str) -> bool:
    doc = scan(answer, front_matter=False)
    lines = answer.split("\n")
    return (
        bool(answer.strip())
        and lines[0].strip() != ""
        and lines[-1].strip() != ""
        and all(f.closed for f in doc.fences)
        and all(h.level > 2 for h in doc.headings)
        and not is_tag_line(lines[-1])
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cards=st.lists(
        st.tuples(
            st.lists(_QUESTION_CHARS, min_size=1, max_size=8)
            .map(lambda parts: "".join(parts).strip())
            .filter(bool),
            st.lists(_ANSWER_LINES, min_size=1, max_size=6)
            .map(_trimmed)
            .filter(_acceptable_answer),
            st.lists(_TAG, max_size=3, unique=True),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_documented_export_format_parses_back_to_the_same_cards(
    cards: list[tuple[str, str, list[str]]],
) -> None:
    out = ["---", 'title: "Round trip"', "question_level: 2", "---", ""]
    for question, answer, tags in cards:
        out += [_heading(question), "", answer, ""]
        if tags:
            out += [" ".join(f"#{t}" for t in tags), ""]
    deck = parse_document("export.md", "\n".join(out))
    assert deck.title == "Round trip"
    assert [(c.question, c.answer, c.tags) for c in deck.cards] == cards


def test_fragments_can_be_scanned_without_front_matter() -> None:
    fragment = "---\nkey: value\n---\n```\n# code"
    assert scan(fragment).front_matter == {"key": "value"}
    doc = scan(fragment, front_matter=False)
    assert (doc.body_start, doc.front_matter) == (0, {})
    assert [(f.start, f.closed) for f in doc.fences] == [(3, False)]


def test_dashes_around_text_that_is_not_yaml_are_not_front_matter() -> None:
    deck = parse_document("m.md", "---\nWhat is X?\n?\nX.\n---\nWhy?\n?\nBecause.\n")
    assert deck.layout == "multiline-question-mark"
    assert [(c.question, c.line) for c in deck.cards] == [("What is X?", 2), ("Why?", 6)]


def test_nested_link_lists_group_urls_under_their_item() -> None:
    deck = parse_document(
        "r.md",
        "# Resources\n- Django:\n  - https://a.example/\n  - <https://b.example/>\n- https://c.example/\n"
        "# What?\nthat\n",
    )
    assert [(r.title, r.url) for r in deck.references] == [
        ("Django", "https://a.example/"),
        ("Django", "https://b.example/"),
        ("", "https://c.example/"),
    ]
    assert [c.question for c in deck.cards] == ["What?"]


def test_repeated_step_numbers_in_answers_do_not_outvote_the_questions() -> None:
    sections = "".join(
        f"## {n}. Topic {n}\nIntro.\n#### 1. First\na\n#### 2. Second\nb\n#### 3. Third\nc\n"
        for n in (1, 2)
    )
    deck = parse_document("steps.md", sections)
    assert [c.question for c in deck.cards] == ["Topic 1", "Topic 2"]
    assert deck.cards[0].answer.endswith("#### 3. Third\nc")


def test_a_table_of_contents_before_the_questions_is_not_a_description() -> None:
    toc = "| No. | Question |\n|---|---|\n| 1 | [What is X?](#what-is-x) |\n"
    deck = parse_document("toc.md", f"# Interview\n\n{toc}\n## 1. What is X?\nX.\n## 2. Why?\nY.\n")
    assert deck.title == "Interview"
    assert deck.description == ""
    assert [c.question for c in deck.cards] == ["What is X?", "Why?"]
