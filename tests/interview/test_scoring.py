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
    ("score", "grade"), [(100, 4), (85, 4), (84, 3), (55, 3), (54, 2), (15, 2), (14, 1), (0, 1)]
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
