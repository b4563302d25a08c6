"""Key points of a reference answer: sentences, list items, identifiers; no links or chat."""

from __future__ import annotations

from recall.interview.keypoints import CODE, ITEM, SENTENCE, answer_points, cloze_points, key_points


def _texts(points, kind=None):
    return [p.text for p in points if kind is None or p.kind == kind]


def test_sentences_items_and_inline_identifiers_are_points():
    points = key_points(
        "https://docs.example.org/models/\n\n"
        "A model is a class. Each field is a column; `Book.objects` queries it.\n\n"
        "- `select_related` follows foreign keys with a join.\n"
        "- Another item here.\n"
    )
    assert _texts(points, SENTENCE) == [
        "A model is a class.",
        "Each field is a column;",
        "Book.objects queries it.",
    ]
    assert _texts(points, ITEM) == [
        "select_related follows foreign keys with a join.",
        "Another item here.",
    ]
    assert _texts(points, CODE) == ["Book.objects", "select_related"]
    assert all("http" not in p.text for p in points)


def test_questions_asked_back_and_headings_are_not_points_and_items_keep_their_heading():
    points = key_points(
        "### CPU-bound work\n- Parsing and number crunching.\n\nWould you like an example?\n"
    )
    assert _texts(points) == ["CPU-bound work: Parsing and number crunching."]


def test_code_block_names_are_shown_but_not_scored_and_definitions_are_skipped():
    points = key_points(
        "Pools run work in processes.\n\n"
        "```python\nclass MyThing:\n    pass\nwith ProcessPoolExecutor() as pool:\n"
        "    pool.map(my_func, 'not_a_name')\n```\n"
        "```sql\nSELECT id FROM books_book\n```\n"
    )
    code = [p for p in points if p.kind == CODE]
    assert [p.text for p in code] == ["ProcessPoolExecutor", "my_func"]
    assert not any(p.scored for p in code)
    assert all(p.weight == 0 for p in code)


def test_identifiers_the_question_names_are_not_points():
    answer = "- `select_related` joins.\n- `prefetch_related` runs a query per relation.\n"
    points = key_points(answer, "select_related() vs prefetch_related()")
    assert _texts(points, CODE) == []
    assert len(_texts(points, ITEM)) == 2


def test_a_list_of_labels_is_no_points():
    points = key_points("1. Fields\n2. Managers\n3. Meta options\n4. Meta options are classes.\n")
    assert _texts(points, ITEM) == ["Meta options are classes."]


def test_a_cloze_card_is_graded_on_its_own_deletions():
    text = "{{c1::Beat}} sends {{c2::periodic tasks::what}} to the broker; {{c1::one}} only."
    assert _texts(cloze_points(text, 1)) == ["Beat", "one"]
    assert _texts(cloze_points(text, 2)) == ["periodic tasks"]


def test_an_answer_without_points_of_its_own_is_one_point():
    assert _texts(answer_points("What is a Django model?")) == ["What is a Django model?"]
    assert _texts(answer_points("")) == []
