"""manage.py interview: a terminal session fed by standard input."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recall.decks import services as deck_services
from recall.study.models import CardState, ReviewLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _deck(user: Any):
    deck = deck_services.deck_create(owner=user, title="Celery", slug="celery")
    deck_services.note_create(
        deck=deck,
        question="What is celery beat?",
        answer="Beat is the scheduler that sends periodic tasks to the broker.",
    )
    deck_services.note_create(
        deck=deck,
        question="What does a worker do?",
        answer="A worker takes tasks from the broker and runs them.",
    )
    return deck


def _run(monkeypatch, stdin: str, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("interview", *args, stdout=out)
    return out.getvalue()


def test_a_terminal_interview_records_answers_and_prints_the_report(monkeypatch):
    user: Any = UserFactory(username="terminal")
    _deck(user)
    # Each answer ends with an empty line; then the grade: a typo (re-asked), then an
    # override; the second keeps the suggested grade (Enter). The first answer covers both
    # questions, whichever the draw asks first.
    first = (
        "Beat is the scheduler: it sends periodic tasks to the broker.\n"
        "A worker takes the tasks from the broker and runs them."
    )
    stdin = f"{first}\n\n9\n4\nno idea\n\n\n"
    output = _run(
        monkeypatch, stdin, "celery", "--user", "terminal", "--questions", "2", "--lexical"
    )
    assert "matched by words (lexical)" in output
    assert "Question 1/2" in output and "Question 2/2" in output
    assert "Type 1, 2, 3 or 4" in output
    assert "Report" in output and "Reread:" in output
    logs = list(ReviewLog.objects.filter(user=user).order_by("id"))
    assert len(logs) == 2
    by_answer = {log.typed_answer: log for log in logs}
    good = by_answer[first]
    assert good.grade == 4
    assert good.interview_score is not None and good.interview_score >= 55
    blank = by_answer["no idea"]
    assert blank.grade == 1  # the suggestion for an answer that says nothing
    assert blank.interview_score == 0
    assert CardState.objects.filter(user=user).count() == 2


def test_input_ending_early_stops_and_keeps_what_was_answered(monkeypatch):
    user: Any = UserFactory(username="quitter")
    deck = _deck(user)
    output = _run(
        monkeypatch, "Beat sends periodic tasks.\n\n\n", str(deck.pk), "--user", "quitter"
    )
    assert "Input ended" in output
    assert ReviewLog.objects.filter(user=user).count() == 1


def test_another_users_private_deck_is_refused(monkeypatch):
    owner: Any = UserFactory(username="owner1")
    deck = _deck(owner)
    UserFactory(username="intruder")
    with pytest.raises(CommandError, match="may read"):
        _run(monkeypatch, "", str(deck.pk), "--user", "intruder")
    with pytest.raises(CommandError, match="no user"):
        _run(monkeypatch, "", str(deck.pk), "--user", "nobody")


def test_the_lexical_switch_does_not_outlive_the_command(monkeypatch):
    import os

    monkeypatch.delenv("RECALL_SEMANTIC", raising=False)
    user: Any = UserFactory(username="switch")
    _deck(user)
    _run(monkeypatch, "", "celery", "--user", "switch", "--lexical")
    assert "RECALL_SEMANTIC" not in os.environ
