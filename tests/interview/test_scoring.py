"""Scoring typed answers: by meaning with the semantic extra, by word stems without it."""

from __future__ import annotations

import pytest

from recall.interview import scoring
from recall.interview.keypoints import key_points
from recall.semantic import embeddings

REFERENCE = (
    "Short answer: threads for waiting, processes for computing.\n\n"
    "- Threads suit I/O-bound work: the GIL is released while waiting.\n"
    "- Processes suit CPU-bound work: each process has its own interpreter and its own GIL.\n\n"
    "Use `ProcessPoolExecutor` to spread the work.\n"
)
GOOD = (
    "Use threads when the program spends its time waiting on the network or the disk, since "
    "the global interpreter lock is dropped during I/O. For heavy computation use several "
    "processes: every process gets a separate interpreter with its own GIL. "
    "ProcessPoolExecutor makes that easy."
)
WRONG = "Nginx serves static files and terminates TLS in front of gunicorn."

needs_model = pytest.mark.skipif(
    not embeddings.is_available(), reason="the semantic extra is not installed"
)


@pytest.mark.parametrize(
    ("score", "grade"), [(100, 4), (85, 4), (84, 3), (45, 3), (44, 2), (5, 2), (4, 1), (0, 1)]
)
def test_grade_for_score(score, grade):
    assert scoring.grade_for_score(score) == grade


def test_stems_meet_across_word_forms_and_stop_words_are_ignored():
    assert scoring.content_stems("The rows are joined") == scoring.content_stems("join row")
    assert scoring.content_stems("select_related") == {"select_relat", "select", "relat"}


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("I would use select_related here", True),
        ("select related does a join", True),
        ("selected relations", False),
        ("", False),
    ],
)
def test_identifiers_are_matched_by_name(answer, said):
    assert scoring.identifier_said("select_related()", answer) is said


def test_lexical_fallback_is_used_without_the_extra(monkeypatch):
    monkeypatch.setenv("RECALL_SEMANTIC", "0")
    points = key_points(REFERENCE)
    good = scoring.score_answer(points, GOOD)
    assert good.method == scoring.LEXICAL
    wrong = scoring.score_answer(points, WRONG)
    assert wrong.method == scoring.LEXICAL
    assert wrong.score < good.score
    assert wrong.suggested_grade == 1
    assert [p.text for p in good.covered if p.kind == "code"] == ["ProcessPoolExecutor"]


def test_an_empty_answer_covers_nothing():
    result = scoring.score_answer(key_points(REFERENCE), "   ", method=scoring.LEXICAL)
    assert result.score == 0
    assert result.suggested_grade == 1
    assert result.covered == []
    assert len(result.missed) == 5


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        scoring.score_answer(key_points(REFERENCE), GOOD, method="telepathy")


@needs_model
def test_semantic_matching_finds_a_paraphrase_the_words_do_not_share():
    points = key_points(REFERENCE)
    semantic = scoring.score_answer(points, GOOD, method=scoring.SEMANTIC)
    lexical = scoring.score_answer(points, GOOD, method=scoring.LEXICAL)
    assert semantic.method == scoring.SEMANTIC
    assert semantic.score >= 55
    assert semantic.suggested_grade >= 3
    assert semantic.score > lexical.score
    covered = {p.text for p in semantic.covered}
    assert "Short answer: threads for waiting, processes for computing." in covered


@needs_model
def test_semantic_matching_says_what_was_missed():
    points = key_points(REFERENCE)
    half = "Threads are fine for I/O-bound work because the GIL is released while waiting."
    result = scoring.score_answer(points, half, method=scoring.SEMANTIC)
    missed = {p.text for p in result.missed}
    assert any("CPU-bound" in text for text in missed)
    assert any("I/O-bound" in p.text for p in result.covered)
    assert 15 <= result.score < 85
    wrong = scoring.score_answer(points, WRONG, method=scoring.SEMANTIC)
    assert wrong.suggested_grade == 1


MIGRATION = (
    "A migration is a file that records a change to the models so that every database can "
    "be brought to the same schema."
)
ECHO = "A migration is when you migrate your data from MySQL to PostgreSQL."


def test_words_that_echo_the_question_earn_nothing():
    points = key_points(MIGRATION, "What is a migration?")
    unasked = scoring.score_answer(points, ECHO, method=scoring.LEXICAL)
    assert unasked.points[0].similarity > 0  # without the question, "migration" counts
    asked = scoring.score_answer(
        points, ECHO, method=scoring.LEXICAL, question="What is a migration?"
    )
    assert asked.points[0].similarity == 0
    # A point made only of the question's words keeps them: there is nothing else to say.
    asked_stems = scoring.content_stems("a migration")
    assert scoring.own_stems("migrations", asked_stems) == asked_stems


@needs_model
def test_meaning_that_echoes_the_question_earns_nothing():
    points = key_points(MIGRATION, "What is a migration?")
    asked = scoring.score_answer(
        points, ECHO, method=scoring.SEMANTIC, question="What is a migration?"
    )
    unasked = scoring.score_answer(points, ECHO, method=scoring.SEMANTIC)
    assert asked.score < unasked.score
    assert asked.suggested_grade == 1
    right = scoring.score_answer(
        points,
        "A file describing a change to the models, so every database ends up with the same schema.",
        method=scoring.SEMANTIC,
        question="What is a migration?",
    )
    assert right.suggested_grade >= 3


def test_the_question_raises_the_start_of_the_ramp():
    assert scoring.credit_for(0.45, (0.3, 0.6)) == pytest.approx(0.5)
    assert scoring.credit_for(0.45, (0.3, 0.6), floor=0.45) == 0.0
    # Never past the end of the ramp: an exact answer still earns the point.
    assert scoring.credit_for(0.6, (0.3, 0.6), floor=0.9) == 1.0
