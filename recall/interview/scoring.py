"""Scoring a typed interview answer against the key points of the note's answer.

Each key point (``keypoints.key_points``) is looked for in the typed answer. Ideas
(sentences and list items) are matched by meaning when the optional ``semantic`` extra is
installed: the cosine similarity of the point's embedding with the best passage of the
answer (a sentence, two neighbouring sentences, or the whole answer), blended with the
share of the point's word stems the answer uses, earns it a share of the point
(``SEMANTIC_RAMP``). Without the extra, a lexical fallback compares word stems. What
merely echoes the card's question earns nothing: the question's words are left out of a
point's stems, and the ramp starts no lower than the similarity the question itself has to
the point (an answer restating "what is a migration" is not yet about schemas). Code
identifiers are always matched by name (``select related`` counts for ``select_related``):
an embedding model cannot tell one identifier from another reliably.

The overall score is the earned share of the points' weights (0-100); the suggested FSRS
grade comes from it (``grade_for_score``). The thresholds were calibrated on the hand-graded
answers in ``bench/data/interview_answers.json`` (``bench/interview_agreement.py``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from recall.core.text import STOP_WORDS
from recall.semantic import embeddings

from .keypoints import CODE, KeyPoint

SEMANTIC, LEXICAL = "semantic", "lexical"
# How much of a point an answer earns from its similarity: nothing at or below the first
# figure, all of it at or above the second, in proportion between; a point is "covered"
# from half-way. Semantic: cosine similarity (all-MiniLM-L6-v2); lexical: the share of the
# point's content stems found in the answer.
SEMANTIC_RAMP = (0.3, 0.6)
LEXICAL_RAMP = (0.3, 0.6)
# The semantic similarity blends in the lexical overlap: an embedding alone rates a wrong
# answer on the same topic ("a Form is for GET, a ModelForm for POST") close to a right one.
SEMANTIC_WEIGHT = 0.5
GRADE_THRESHOLDS = ((85, 4), (45, 3), (5, 2))
# A ramp raised by the question's echo keeps at least this width.
_MIN_RAMP = 0.05
GRADE_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
# The hand grades' three buckets, as the suggested grade maps to them.
BUCKETS = {1: "wrong", 2: "partial", 3: "good", 4: "good"}

_WORD_RE = re.compile(r"[a-z0-9_]+")
_ANSWER_SPLIT_RE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


@dataclass(frozen=True)
class PointResult:
    """One key point, whether the answer covers it, and the evidence."""

    text: str
    kind: str
    covered: bool
    similarity: float
    matched: str = ""
    # False for names from the notes' code blocks: shown, not counted in the score.
    scored: bool = True


@dataclass(frozen=True)
class AnswerScore:
    """The grading of one typed answer."""

    method: str
    score: int
    suggested_grade: int
    points: list[PointResult] = field(default_factory=list)

    @property
    def covered(self) -> list[PointResult]:
        return [p for p in self.points if p.covered]

    @property
    def missed(self) -> list[PointResult]:
        return [p for p in self.points if not p.covered and p.scored]

    @property
    def suggested_label(self) -> str:
        return GRADE_LABELS[self.suggested_grade]

    @property
    def bucket(self) -> str:
        return BUCKETS[self.suggested_grade]


def grade_for_score(score: float) -> int:
    """The FSRS grade (1 Again .. 4 Easy) a score suggests."""
    for minimum, grade in GRADE_THRESHOLDS:
        if score >= minimum:
            return grade
    return 1


def stem(word: str) -> str:
    """A light stem: enough for "joins"/"joined"/"joining" to meet, no dictionary needed."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """The stems of the words that carry meaning (stop words out; snake_case split too)."""
    words: list[str] = []
    for word in _WORD_RE.findall(text.lower()):
        words.append(word)
        if "_" in word:
            words.extend(part for part in word.split("_") if part)
    return {stem(w) for w in words if w not in STOP_WORDS and len(w) > 1}


def _normalised(text: str) -> str:
    return " " + " ".join(_WORD_RE.findall(text.lower().replace("_", " "))) + " "


def identifier_said(identifier: str, answer: str) -> bool:
    """True when the answer names the identifier: ``select_related``, "select related",
    ``is_valid()`` as "is valid"; a dotted name by its last part (``Book.objects`` by
    "objects" alone is too weak, so the whole dotted name or its last two parts)."""
    name = identifier.strip().rstrip("()")
    parts = name.split(".")
    candidates = {name, parts[-1]} if len(parts) == 1 else {name, ".".join(parts[-2:])}
    haystack = _normalised(answer)
    return any(
        _normalised(c.replace(".", " ")).strip() and _normalised(c.replace(".", " ")) in haystack
        for c in candidates
    )


def passages(answer: str) -> list[str]:
    """The parts of an answer a point is compared with: each sentence, each pair of
    neighbouring sentences, and the whole answer."""
    sentences = [s.strip() for s in _ANSWER_SPLIT_RE.split(answer) if s and s.strip()]
    out = list(sentences)
    out += [f"{a} {b}" for a, b in itertools.pairwise(sentences)]
    whole = " ".join(answer.split())
    if whole and whole not in out:
        out.append(whole)
    return out


def semantic_available() -> bool:
    return embeddings.is_available()


def own_stems(text: str, asked: set[str]) -> set[str]:
    """``text``'s content stems less those of the question (``asked``): an answer that
    restates the question says nothing yet. All of them when the point only repeats it."""
    stems = content_stems(text)
    return (stems - asked) or stems


def _lexical_matches(
    points: Sequence[KeyPoint], answer: str, question: str = ""
) -> list[tuple[float, str]]:
    answer_stems = content_stems(answer)
    asked = content_stems(question)
    out: list[tuple[float, str]] = []
    for point in points:
        stems = own_stems(point.text, asked)
        if not stems:
            out.append((0.0, ""))
            continue
        shared = stems & answer_stems
        out.append((len(shared) / len(stems), ", ".join(sorted(shared))))
    return out


def _semantic_matches(
    points: Sequence[KeyPoint], answer: str, question: str = ""
) -> list[tuple[float, str, float]]:
    """(blended similarity, best passage, floor) per point. The floor is the semantic part
    of what the question itself would earn as an answer: a point is only credited for
    meaning beyond the question's (its words are already out of the overlap)."""
    parts = passages(answer)
    if not parts:
        return [(0.0, "", 0.0) for _ in points]
    asked = [question] if question.strip() else []
    vectors = embeddings.encode([p.text for p in points] + parts + asked)
    point_vectors = vectors[: len(points)]
    part_vectors = vectors[len(points) : len(points) + len(parts)]
    question_vector = vectors[-1] if asked else None
    lexical = _lexical_matches(points, answer, question)
    out: list[tuple[float, str, float]] = []
    for vector, (overlap, _) in zip(point_vectors, lexical, strict=True):
        sims = [embeddings.cosine(vector, other) for other in part_vectors]
        best = max(range(len(sims)), key=sims.__getitem__)
        blended = SEMANTIC_WEIGHT * sims[best] + (1 - SEMANTIC_WEIGHT) * overlap
        echo = (
            SEMANTIC_WEIGHT * embeddings.cosine(vector, question_vector)
            if question_vector is not None
            else 0.0
        )
        out.append((blended, parts[best], echo))
    return out


def score_answer(
    points: Sequence[KeyPoint], answer: str, *, method: str | None = None, question: str = ""
) -> AnswerScore:
    """Grade ``answer`` against ``points``; ``method`` forces semantic or lexical matching
    (default: semantic when the extra is installed). ``question`` is the card's question:
    what merely echoes it earns nothing."""
    if method is None:
        method = SEMANTIC if semantic_available() else LEXICAL
    if method not in (SEMANTIC, LEXICAL):
        raise ValueError(f"unknown matching method {method!r}")
    ideas = [p for p in points if p.kind != CODE]
    matches: list[tuple[float, str, float]]
    if not answer.strip():
        matches = [(0.0, "", 0.0) for _ in ideas]
    elif method == SEMANTIC:
        matches = _semantic_matches(ideas, answer, question)
    else:
        matches = [(o, m, 0.0) for o, m in _lexical_matches(ideas, answer, question)]
    ramp = SEMANTIC_RAMP if method == SEMANTIC else LEXICAL_RAMP
    by_point = dict(zip(ideas, matches, strict=True))
    results: list[PointResult] = []
    earned = 0.0
    for point in points:
        if point.kind == CODE:
            said = bool(answer.strip()) and identifier_said(point.text, answer)
            credit, similarity, matched = float(said), float(said), point.text if said else ""
        else:
            similarity, matched, floor = by_point[point]
            credit = credit_for(similarity, ramp, floor)
        covered = credit >= 0.5
        earned += point.weight * credit
        results.append(
            PointResult(
                text=point.text,
                kind=point.kind,
                covered=covered,
                similarity=round(similarity, 3),
                matched=matched if covered else "",
                scored=point.scored,
            )
        )
    total = sum(p.weight for p in points)
    score = round(100 * earned / total) if total else 0
    return AnswerScore(
        method=method, score=score, suggested_grade=grade_for_score(score), points=results
    )


def credit_for(similarity: float, ramp: tuple[float, float], floor: float = 0.0) -> float:
    """The share of a point ``similarity`` earns on ``ramp``, whose start is raised to
    ``floor`` (what the question alone would earn), short of its end."""
    low, high = ramp
    low = min(max(low, floor), high - _MIN_RAMP)
    return min(1.0, max(0.0, (similarity - low) / (high - low)))
