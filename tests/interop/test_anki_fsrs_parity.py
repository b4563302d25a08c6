"""Recall's schedule checked against the official anki package's, grade after grade.

The same grade sequences go to Recall (its grade service and previews, on the database) and
to Anki (FSRS on, its default parameters, retention 0.9, steps 1m 10m, relearning 10m,
fuzz off on both sides): fixed cases, random ones at one hour of the day, random ones at
varying hours, with early, on-time and late reviews and lapses. Intervals after each grade
and the four buttons' previews are compared; every difference is printed with its sequence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from recall.decks.models import Card
from recall.study import selectors, services
from recall.study.models import CardState
from tests.factories import CardFactory, DeckFactory, UserFactory

from .anki_parity import AnkiSide, Report, fixed_sequences, fmt, random_sequences, run

pytestmark = [pytest.mark.anki, pytest.mark.django_db]

# The share of grades and of previews that must equal Anki's exactly.
REQUIRED = 0.99


class RecallSide:
    def __init__(self) -> None:
        self.user: Any = UserFactory(time_zone="UTC", day_starts_at_hour=4)
        self.deck = DeckFactory(owner=self.user)

    def new_card(self) -> int:
        return int(CardFactory(deck=self.deck).pk)

    def previews(self, card_id: int, now: datetime) -> dict[int, datetime]:
        card = Card.objects.get(pk=card_id)
        return selectors.grade_previews(user=self.user, card=card, now=now)

    def grade(
        self, card_id: int, grade: int, now: datetime
    ) -> tuple[datetime, tuple[float, float]]:
        services.card_grade(user=self.user, card_id=card_id, grade=grade, duration_ms=1000, now=now)
        state = CardState.objects.get(user=self.user, card_id=card_id)
        assert state.stability is not None and state.difficulty is not None
        return state.due, (state.stability, state.difficulty)


def _memory_gaps(report: Report) -> tuple[float, float]:
    """The largest relative stability and absolute difficulty gaps after a grade."""
    s_gap = max(abs(ours[0] - theirs[0]) / theirs[0] for _, _, ours, theirs in report.memory)
    d_gap = max(abs(ours[1] - theirs[1]) for _, _, ours, theirs in report.memory)
    return s_gap, d_gap


def _summary(report: Report) -> str:
    lines = []
    for kind in ("grade", "preview"):
        rows = report.of(kind)
        same = sum(c.equal for c in rows)
        lines.append(f"{kind}s: {same} of {len(rows)} equal to Anki's ({same / len(rows):.1%})")
    for c in report.differences():
        lines.append(
            f"  {c.sequence} #{c.index} ({c.context}) {c.what}: "
            f"Recall {fmt(c.recall)}, Anki {fmt(c.anki)}: {c.explanation() or 'UNEXPLAINED'}"
        )
    s_gap, d_gap = _memory_gaps(report)
    lines.append(
        f"memory states after {len(report.memory)} grades: stability within {s_gap:.1e} "
        f"(relative), difficulty within {d_gap:.1e} of Anki's"
    )
    return "\n".join(lines)


def test_recall_schedules_as_anki_does(tmp_path, settings):
    settings.RECALL_FSRS_FUZZ = False
    sequences = fixed_sequences()
    sequences |= random_sequences(20, seed=11, vary_hours=False)
    sequences |= random_sequences(22, seed=23, vary_hours=True)
    assert len(sequences) >= 50
    anki = AnkiSide(tmp_path / "anki")
    try:
        report = run(sequences, anki, RecallSide())
    finally:
        anki.close()
    summary = _summary(report)
    print(summary)
    grades, previews = report.of("grade"), report.of("preview")
    assert len(grades) >= 300
    assert sum(c.equal for c in grades) >= REQUIRED * len(grades), summary
    assert sum(c.equal for c in previews) >= REQUIRED * len(previews), summary
    assert all(c.explanation() for c in report.differences()), summary
    # Stored memory states equal Anki's to the precision both store (4 and 3 decimals).
    s_gap, d_gap = _memory_gaps(report)
    assert len(report.memory) >= 300
    assert s_gap < 1e-4, summary
    assert d_gap < 1e-3, summary
