"""The interview API: score a typed answer, record it with its grade, run a mock interview."""

from __future__ import annotations

from typing import Any

import pytest

from recall.decks.models import Card, Visibility
from recall.study.models import CardState, ReviewLog
from tests.api_support import token_client
from tests.factories import UserFactory

from .conftest import import_flagship

pytestmark = pytest.mark.django_db

BEAT_ANSWER = (
    "Celery beat is the scheduler that sends periodic tasks to the broker, and the workers "
    "run them. Only one beat process should run per schedule."
)


def _card(deck, question: str) -> Card:
    return Card.objects.get(deck=deck, question=question)


def test_score_then_record_with_an_overriding_grade_updates_fsrs_and_keeps_the_answer(lexical):
    user: Any = UserFactory(username="candidate")
    deck = import_flagship(user)
    card = _card(deck, "what is celery beat.")
    client = token_client(user)

    scored = client.post(
        "/api/v1/interview/score/", {"card": card.pk, "answer": BEAT_ANSWER}, format="json"
    )
    assert scored.status_code == 200, scored.content
    body = scored.json()
    assert body["method"] == "lexical"
    assert 0 < body["score"] <= 100
    covered = [p["text"] for p in body["covered"]]
    assert "Only one beat process should run per schedule." in covered
    assert any("database scheduler" in p["text"] for p in body["missed"])
    assert ReviewLog.objects.count() == 0  # scoring alone records nothing

    recorded = client.post(
        "/api/v1/interview/record/",
        {"card": card.pk, "answer": BEAT_ANSWER, "grade": 2, "duration_ms": 42000},
        format="json",
    )
    assert recorded.status_code == 200, recorded.content
    data = recorded.json()
    assert data["grade"] == 2
    assert data["score"] == body["score"]
    log = ReviewLog.objects.get(pk=data["review"])
    assert log.typed_answer == BEAT_ANSWER
    assert log.interview_score == body["score"]
    assert log.grade == 2
    assert log.duration_ms == 42000
    state = CardState.objects.get(user=user, card=card)
    assert state.reps == 1
    assert state.version == data["version"] == 1


def test_record_without_a_grade_uses_the_suggested_one(lexical):
    user: Any = UserFactory(username="quiet")
    deck = import_flagship(user)
    card = _card(deck, "what is celery beat.")
    response = token_client(user).post(
        "/api/v1/interview/record/", {"card": card.pk, "answer": "no idea"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["suggested_grade"] == 1
    assert ReviewLog.objects.get().grade == 1


def test_score_uses_the_semantic_extra_when_installed():
    from recall.semantic import embeddings

    if not embeddings.is_available():
        pytest.skip("the semantic extra is not installed")
    user: Any = UserFactory(username="semantic")
    deck = import_flagship(user)
    card = _card(deck, "what is celery beat.")
    response = token_client(user).post(
        "/api/v1/interview/score/",
        {"card": card.pk, "answer": "Like cron for Celery: it queues periodic jobs."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["method"] == "semantic"


def test_bad_input_is_a_4xx_with_a_message(lexical):
    user: Any = UserFactory(username="sloppy")
    deck = import_flagship(user)
    card = _card(deck, "what is celery beat.")
    client = token_client(user)
    too_long = client.post(
        "/api/v1/interview/score/", {"card": card.pk, "answer": "x" * 10_001}, format="json"
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["fields"]["answer"]
    bad_grade = client.post(
        "/api/v1/interview/record/", {"card": card.pk, "answer": "a", "grade": 7}, format="json"
    )
    assert bad_grade.status_code == 400
    assert ReviewLog.objects.count() == 0
    missing = client.post("/api/v1/interview/score/", {"answer": "a"}, format="json")
    assert missing.status_code == 400
    assert client.post("/api/v1/interview/score/", {}, format="json").status_code == 400


def test_no_interview_on_another_users_private_deck(lexical):
    owner = UserFactory(username="keeper")
    deck = import_flagship(owner)
    card = _card(deck, "what is celery beat.")
    stranger = token_client(UserFactory(username="stranger"))
    for url in ("/api/v1/interview/score/", "/api/v1/interview/record/"):
        response = stranger.post(url, {"card": card.pk, "answer": BEAT_ANSWER}, format="json")
        assert response.status_code == 404
        assert "No such card" in response.json()["error"]["message"]
    started = stranger.post(
        "/api/v1/interview/sessions/", {"decks": [deck.pk], "questions": 2}, format="json"
    )
    assert started.status_code == 404
    # By default the stranger's interview draws from their own decks: they have none.
    assert stranger.post("/api/v1/interview/sessions/", {}, format="json").status_code == 400
    # Once public, anyone may be interviewed on it.
    deck.visibility = Visibility.PUBLIC
    deck.save()
    assert (
        stranger.post(
            "/api/v1/interview/score/", {"card": card.pk, "answer": "x"}, format="json"
        ).status_code
        == 200
    )
    assert ReviewLog.objects.count() == 0


def test_a_mock_interview_by_api_ends_with_a_report(lexical):
    user: Any = UserFactory(username="mock")
    deck = import_flagship(user)
    client = token_client(user)
    started = client.post(
        "/api/v1/interview/sessions/",
        {"decks": [deck.pk], "questions": 3, "time_limit_seconds": 120},
        format="json",
    )
    assert started.status_code == 201, started.content
    session = started.json()
    assert [q["position"] for q in session["questions"]] == [1, 2, 3]
    base = f"/api/v1/interview/sessions/{session['id']}"

    question = client.get(f"{base}/question/").json()
    assert question["position"] == 1 and question["total"] == 3
    assert 0 < question["seconds_left"] <= 120
    # Confirming before answering is refused, and nothing is recorded.
    early = client.post(f"{base}/confirm/", {"position": 1}, format="json")
    assert early.status_code == 409

    answers = {1: "I do not know.", 2: BEAT_ANSWER, 3: "Something about Django."}
    for position in (1, 2, 3):
        current = client.get(f"{base}/question/").json()
        assert current["position"] == position
        answered = client.post(
            f"{base}/answer/", {"position": position, "answer": answers[position]}, format="json"
        )
        assert answered.status_code == 200, answered.content
        assert answered.json()["overtime"] is False
        again = client.post(f"{base}/answer/", {"position": position, "answer": "x"}, format="json")
        assert again.status_code == 409
        # A bad override is refused with a message; the typed answer is kept.
        bad = client.post(f"{base}/confirm/", {"position": position, "grade": 9}, format="json")
        assert bad.status_code == 400
        body = {"position": position} if position != 3 else {"position": 3, "grade": 4}
        confirmed = client.post(f"{base}/confirm/", body, format="json")
        assert confirmed.status_code == 200, confirmed.content
        assert confirmed.json()["finished"] is (position == 3)

    assert client.get(f"{base}/question/").json()["done"] is True
    report = client.get(f"{base}/report/").json()
    assert report["finished"] is True
    rows = report["questions"]
    assert [r["typed_answer"] for r in rows] == [answers[1], answers[2], answers[3]]
    assert rows[0]["score"] == 0 and rows[0]["grade"] == 1 and rows[0]["missed"]
    assert rows[2]["grade"] == 4  # the override, not the suggestion
    assert rows[0]["note_url"] in [r["url"] for r in report["reread"]]
    assert rows[2]["note_url"] not in [r["url"] for r in report["reread"]]
    logs = ReviewLog.objects.filter(user=user).order_by("id")
    assert [log.typed_answer for log in logs] == [answers[1], answers[2], answers[3]]
    assert [log.grade for log in logs] == [r["grade"] for r in rows]
    assert CardState.objects.filter(user=user).count() == 3


def test_another_users_session_is_not_found(lexical):
    user: Any = UserFactory(username="mine")
    deck = import_flagship(user)
    started = token_client(user).post(
        "/api/v1/interview/sessions/", {"decks": [deck.pk], "questions": 1}, format="json"
    )
    pk = started.json()["id"]
    other = token_client(UserFactory(username="nosy"))
    for suffix in ("", "question/", "report/"):
        assert other.get(f"/api/v1/interview/sessions/{pk}/{suffix}").status_code == 404
    answer = other.post(
        f"/api/v1/interview/sessions/{pk}/answer/", {"position": 1, "answer": "x"}, format="json"
    )
    assert answer.status_code == 404


def test_json_types_are_the_schemas(lexical):
    user: Any = UserFactory(username="strict")
    deck = import_flagship(user)
    card = _card(deck, "what is celery beat.")
    client = token_client(user)
    for body in (
        {"card": str(card.pk), "answer": "x"},
        {"card": card.pk, "answer": 7},
        {"card": True, "answer": "x"},
    ):
        response = client.post("/api/v1/interview/score/", body, format="json")
        assert response.status_code == 400, body
    record = client.post(
        "/api/v1/interview/record/", {"card": card.pk, "answer": "x", "grade": "3"}, format="json"
    )
    assert record.status_code == 400
    assert ReviewLog.objects.count() == 0
