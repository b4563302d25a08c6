"""The study API: queue, grade, undo, stats and parameters, with their errors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from recall.decks.models import Visibility
from recall.study.models import CardState, ReviewLog
from tests.factories import CardFactory, DeckFactory, UserFactory

URLS = ["queue", "grade", "undo", "stats", "parameters"]


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name):
    return reverse(f"api:study:{name}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", URLS)
def test_anonymous_requests_are_refused(name):
    client = APIClient()
    response = (
        client.get(url(name))
        if name in ("queue", "stats", "parameters")
        else client.post(url(name), {}, format="json")
    )
    assert response.status_code in (401, 403)
    assert "error" in response.json()


@pytest.mark.django_db
def test_queue_shows_cards_with_their_version_and_grade_previews(
    api, deck, cards, django_assert_num_queries
):
    # The deck, today's counts, the due learning cards (a query each); the scope and the day
    # queue, read by the first call only (the decks; the reviews and new cards: three), then
    # checked by id (one per kind served); then the counts: the learning cards are those the
    # serving query saw, each list's valid cards are those just picked whole (none for an
    # empty list), then brought up to date from the review log (one query); and the user's
    # exams (recall.study.exam_queue), read once until the cache knows them. On SQLite,
    # building the day queue also looks whether cards and states grew enough to analyze
    # (three).
    with django_assert_num_queries(11 if connection.vendor == "sqlite" else 8):
        api.get(url("queue"), {"deck": deck.pk, "limit": 2})
    with django_assert_num_queries(5):
        response = api.get(url("queue"), {"deck": deck.pk, "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"learning": 0, "review": 0, "new": 3, "exam": 0, "total": 3}
    assert [c["id"] for c in body["cards"]] == [cards[0].pk, cards[1].pk]
    first = body["cards"][0]
    assert first["queue"] == "new" and first["version"] == 0 and first["state"] == "new"
    assert set(first["previews"]) == {"again", "hard", "good", "easy"}
    assert first["previews"]["again"] < first["previews"]["easy"]
    assert first["question_html"].startswith("<p>")


@pytest.mark.django_db
def test_studying_a_deck_you_cannot_read_is_404_and_a_public_one_works(api):
    author = UserFactory(username="someone")
    private = DeckFactory(owner=author, visibility=Visibility.PRIVATE)
    public = DeckFactory(owner=author, visibility=Visibility.PUBLIC)
    secret = CardFactory(deck=private)
    shared = CardFactory(deck=public)
    assert api.get(url("queue"), {"deck": private.pk}).status_code == 404
    assert api.get(url("queue"), {"deck": 999999}).status_code == 404
    response = api.post(url("grade"), {"card": secret.pk, "grade": 3}, format="json")
    assert response.status_code == 404
    assert api.get(url("queue"), {"deck": public.pk}).json()["cards"][0]["id"] == shared.pk
    assert api.post(url("grade"), {"card": shared.pk, "grade": 3}, format="json").status_code == 200


@pytest.mark.django_db
def test_bad_input_is_a_clear_400(api, cards):
    response = api.get(url("queue"), {"deck": "abc"})
    assert response.status_code == 400 and "deck" in response.json()["error"]["fields"]
    for body in (
        {"card": cards[0].pk, "grade": 7},
        {"grade": 3},
        {"card": cards[0].pk, "grade": 3, "duration_ms": -5},
    ):
        response = api.post(url("grade"), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["fields"]
    assert not ReviewLog.objects.exists()


@pytest.mark.django_db
def test_grade_then_the_same_grade_again_is_a_409(api, user, cards):
    body = {"card": cards[0].pk, "grade": 3, "duration_ms": 5000, "version": 0}
    response = api.post(url("grade"), body, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "learning" and data["version"] == 1 and data["reps"] == 1
    again = api.post(url("grade"), body, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert "already graded" in again.json()["error"]["message"]
    assert ReviewLog.objects.count() == 1
    assert CardState.objects.get(user=user, card=cards[0]).version == 1


@pytest.mark.django_db
def test_undo_restores_and_then_there_is_nothing_left(api, user, cards):
    graded = api.post(url("grade"), {"card": cards[0].pk, "grade": 4}, format="json").json()
    response = api.post(url("undo"), {"review": graded["review"]}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "review": graded["review"],
        "card": cards[0].pk,
        "state": "new",
        "due": None,
        "version": 0,
    }
    assert not CardState.objects.filter(user=user).exists()
    response = api.post(url("undo"), {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "There is no review to undo."


@pytest.mark.django_db
def test_stats_and_parameters(api, user, cards, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            url("grade"), {"card": cards[0].pk, "grade": 3, "duration_ms": 2500}, format="json"
        )
    stats = api.get(url("stats")).json()
    assert stats["today"]["reviews"] == 1
    assert stats["average_time"]["average_ms"] == 2500
    assert stats["decks"][0]["learning"] == 1
    assert set(stats) >= {"reviews_per_day", "true_retention", "due_forecast", "streaks"}
    params = api.get(url("parameters")).json()
    assert params["is_default"] is True and len(params["parameters"]) == 21
    assert params["reviews"] == 1 and params["can_optimize"] is False


@pytest.mark.django_db
def test_the_schema_documents_the_study_endpoints(api):
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for name in URLS:
        assert f"/api/v1/study/{name}/" in paths
    grade = paths["/api/v1/study/grade/"]["post"]
    assert grade["summary"] == "Grade a card"
    assert "409" in grade["responses"]
    assert grade["requestBody"]["content"]["application/json"]["examples"]
