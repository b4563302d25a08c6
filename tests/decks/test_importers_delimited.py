"""CSV and TSV files: header detection, quoting, multi-line fields, tags and bad records."""

from __future__ import annotations

import pytest

from recall.decks.importers import parse_document
from recall.decks.importers.base import ImportFormatError, ParsedDeck


def rows(deck: ParsedDeck) -> list[tuple[str, str, list[str], int | None]]:
    return [(c.question, c.answer, c.tags, c.line) for c in deck.cards]


def test_csv_with_header_quoting_and_multiline_answer() -> None:
    text = (
        "Question,Answer,Tags\n"
        '"What is a tuple, really?","An immutable sequence.",python basics\n'
        '"Say ""hi""","Line one\n\n    code\nline four",\n'
        "\n"
        'Plain?,Yes,"a,b; c  #d"\n'
    )
    deck = parse_document("deck.csv", text)
    assert deck.layout == "delimited"
    assert deck.title == "Deck"
    assert rows(deck) == [
        ("What is a tuple, really?", "An immutable sequence.", ["python", "basics"], 2),
        ('Say "hi"', "Line one\n\n    code\nline four", [], 3),
        ("Plain?", "Yes", ["a", "b", "c", "d"], 8),
    ]


def test_header_columns_in_any_order_with_extra_columns_and_kind() -> None:
    text = "notes,back,front,kind\nx,Paris,Capital of France,reversed\ny,B,A,\n"
    deck = parse_document("d.csv", text)
    assert [(c.question, c.answer, c.kind) for c in deck.cards] == [
        ("Capital of France", "Paris", "reversed"),
        ("A", "B", "basic"),
    ]


def test_without_header_columns_are_question_answer_tags() -> None:
    deck = parse_document("d.csv", "What is 2+2?,4,math\nCapital?,Paris,geo travel\n")
    assert rows(deck) == [
        ("What is 2+2?", "4", ["math"], 1),
        ("Capital?", "Paris", ["geo", "travel"], 2),
    ]


def test_tsv_uses_tabs_and_keeps_commas_and_crlf_is_normalised() -> None:
    text = 'question\tanswer\r\nA, B?\tC; D\r\n"multi\r\nline"\tok\r\n'
    deck = parse_document("cards.tsv", text)
    assert rows(deck) == [("A, B?", "C; D", [], 2), ("multi\nline", "ok", [], 3)]


def test_semicolon_separated_csv_is_detected_from_the_first_line() -> None:
    deck = parse_document("eu.csv", 'question;answer\n"a;b";1,5\n')
    assert rows(deck) == [("a;b", "1,5", [], 2)]


def test_cloze_syntax_in_a_csv_question_makes_a_cloze_card() -> None:
    deck = parse_document("c.csv", "question,answer\n{{c1::Paris}} is the capital,\n")
    assert deck.cards[0].kind == "cloze"


def test_row_with_wrong_column_count_names_file_and_line() -> None:
    with pytest.raises(ImportFormatError) as info:
        parse_document("bad.csv", 'question,answer\nq1,a1\n"q2\nstill q2",a2,extra\n')
    assert info.value.line == 3
    assert str(info.value) == "bad.csv:3: expected 2 columns, found 3"


def test_unterminated_quote_names_file_and_the_line_where_the_record_starts() -> None:
    with pytest.raises(ImportFormatError) as info:
        parse_document("bad.csv", 'question,answer\nq1,a1\nq2,"never closed\nmore\n')
    assert info.value.line == 3
    assert info.value.source == "bad.csv"
    assert "unterminated quoted field" in str(info.value)


def test_text_after_a_closing_quote_is_malformed() -> None:
    with pytest.raises(ImportFormatError, match=r"bad\.csv:2: malformed record"):
        parse_document("bad.csv", 'q,a\n"q1"x,a1\n')


def test_single_column_is_rejected() -> None:
    with pytest.raises(ImportFormatError, match=r"one\.csv:1: expected at least two columns"):
        parse_document("one.csv", "just one\ncolumn\n")


def test_empty_question_is_rejected_with_its_line() -> None:
    with pytest.raises(ImportFormatError, match=r"e\.csv:3: the question cell is empty"):
        parse_document("e.csv", "question,answer\nq,a\n  ,orphan answer\n")


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ImportFormatError, match="unknown card kind 'flip'"):
        parse_document("k.csv", "question,answer,kind\nq,a,flip\n")


@pytest.mark.parametrize("text", ["", "question,answer\n", ",,\n\n"])
def test_csv_without_rows_has_no_questions(text: str) -> None:
    with pytest.raises(ImportFormatError, match=r"empty\.csv: no questions found"):
        parse_document("empty.csv", text)


def test_a_field_beyond_csv_s_own_cap_is_read_whole() -> None:
    # No cryptic "field larger than field limit": the import refuses a card over the card
    # limit by name (tests/decks/test_security_field_limits.py).
    deck = parse_document("big.csv", 'question,answer\nq,"' + "x" * 200_000 + '"\n')
    assert [(c.question, len(c.answer)) for c in deck.cards] == [("q", 200_000)]


def test_anki_plain_text_export_is_read_as_tsv() -> None:
    text = (
        "#separator:tab\n#html:false\n"
        "What is DRF?\tA toolkit for Web APIs\tdjango api\nWSGI?\tA server interface\t\n"
    )
    deck = parse_document("Default.txt", text)
    assert deck.layout == "delimited"
    assert rows(deck) == [
        ("What is DRF?", "A toolkit for Web APIs", ["django", "api"], 3),
        ("WSGI?", "A server interface", [], 4),
    ]


def test_tabs_in_a_markdown_file_do_not_make_it_tsv() -> None:
    with pytest.raises(ImportFormatError, match="no questions found"):
        parse_document("notes.md", "a\tb\nc\td\n")
