"""Issue 20 in the import service: a note's heading path is stored, shown and searched; skipped
lines are in the result; a schedule written in the notes file starts a new card's FSRS state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from recall.decks.models import Card, Note
from recall.decks.services import notes_import
from recall.search.selectors import search_cards
from recall.search.services import search_index_cards
from recall.study import scheduling
from recall.study.models import CardState, State
from recall.study.seeding import difficulty_from_ease
from recall.study.selectors import study_session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTES = """\
# Networking notes

## Transport layer

Port of HTTPS::443
<!--q::a-->

```text
not::read
```
"""


def scheduled_notes(tomorrow: str, yesterday: str) -> str:
    return (
        f"Due tomorrow::a <!--SR:!{tomorrow},4,250-->\n"
        f"Due yesterday::b <!--SR:!{yesterday},4,250-->\n"
        "Never studied::c\n"
    )


def test_heading_path_is_stored_shown_and_searched() -> None:
    user: Any = UserFactory()
    summary = notes_import(owner=user, filename="net.md", data=NOTES.encode())
    note = Note.objects.get()
    assert (note.question, note.context) == ("Port of HTTPS", "Transport layer")
    assert summary.as_dict()["skipped"] == [
        {"file": "net.md", "line": 6, "text": "<!--q::a-->", "reason": "commented out"},
        {"file": "net.md", "line": 9, "text": "not::read",
         "reason": "`::` in a fenced code block is not read"},
    ]  # fmt: skip

    search_index_cards(card_ids=[note.pk])
    hits = search_cards(user=user, query="transport").hits
    assert [h.card_id for h in hits] == [note.pk]

    from django.test import Client

    client = Client()
    client.force_login(user)
    page = client.get(reverse("decks:card-detail", kwargs={"pk": note.pk})).content.decode()
    assert '<nav class="card-context muted"' in page and "<span>Transport layer</span>" in page
    study = client.get(reverse("study:session")).content.decode()
    assert "<span>Transport layer</span>" in study


def test_a_changed_heading_path_updates_the_note_on_reimport() -> None:
    user: Any = UserFactory()
    notes_import(owner=user, filename="net.md", data=NOTES.encode())
    moved = NOTES.replace("## Transport layer", "## Ports")
    summary = notes_import(owner=user, filename="net.md", data=moved.encode())
    assert (summary.updated, summary.unchanged) == (1, 0)
    assert Note.objects.get().context == "Ports"
    again = notes_import(owner=user, filename="net.md", data=moved.encode())
    assert (again.updated, again.unchanged) == (0, 1)


def test_sr_schedule_gives_new_cards_their_starting_state() -> None:
    user: Any = UserFactory()
    now = timezone.now()
    today = scheduling.study_day(user, now)
    text = scheduled_notes(str(today + timedelta(days=1)), str(today - timedelta(days=1)))
    notes_import(owner=user, filename="sr.md", data=text.encode())
    cards = {c.note.question: c for c in Card.objects.select_related("note")}
    states = {s.card_id: s for s in CardState.objects.filter(user=user)}
    assert set(states) == {cards["Due tomorrow"].pk, cards["Due yesterday"].pk}
    tomorrow = states[cards["Due tomorrow"].pk]
    assert tomorrow.state == State.REVIEW
    assert tomorrow.stability == 4.0
    assert tomorrow.difficulty == difficulty_from_ease(250) == 5.0
    assert tomorrow.due == scheduling.day_start(user, today + timedelta(days=1))
    assert tomorrow.last_review == tomorrow.due - timedelta(days=4)

    # Today: the overdue card is a review, the never studied one is new, the one due
    # tomorrow is not served at all.
    cards_now, counts = study_session(user=user, now=now, limit=10)
    served = [c.note.question for c in cards_now]
    assert "Due tomorrow" not in served
    assert {"Due yesterday", "Never studied"} <= set(served)
    assert (counts.review, counts.new) == (1, 1)


def test_reimport_never_overwrites_a_review_history() -> None:
    user: Any = UserFactory()
    today = scheduling.study_day(user, timezone.now())
    first = scheduled_notes(str(today + timedelta(days=1)), str(today - timedelta(days=1)))
    notes_import(owner=user, filename="sr.md", data=first.encode())
    state = CardState.objects.get(card__note__question="Due tomorrow")
    state.stability, state.reps = 12.5, 3
    state.save()
    later = first.replace(
        f"{today + timedelta(days=1)},4,250", f"{today + timedelta(days=30)},30,300"
    )
    later = later.replace("Due tomorrow::a", "Due tomorrow::a, edited")
    summary = notes_import(owner=user, filename="sr.md", data=later.encode())
    assert summary.updated == 1
    state.refresh_from_db()
    assert (state.stability, state.reps) == (12.5, 3)
    # The never studied note, unchanged, gets no state from a file that gives it none.
    assert not CardState.objects.filter(card__note__question="Never studied").exists()
