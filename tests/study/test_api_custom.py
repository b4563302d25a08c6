"""The custom study API: review ahead, cram (read-only), exams and their plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recall.decks.models import Visibility
from recall.study import scheduling, services
from recall.study.models import CardState, Exam, ReviewLog
from tests.factories import CardFactory, DeckFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name, **kwargs):
    return reverse(f"api:study:{name}", kwargs=kwargs or None)


@pytest.fixture
def studied(user, deck, cards):
    at = timezone.now() - timedelta(days=2)
    for card in cards[:4]:
        services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=1, now=at)
    return cards


def test_anonymous_requests_are_refused():
    client = APIClient()
    for name in ("ahead", "cram", "exams"):
        assert client.get(url(name)).status_code in (401, 403)
    assert client.get(url("exam-detail", pk=1)).status_code in (401, 403)


def test_review_ahead_lists_cards_due_later_and_grading_them_is_real(api, user, deck, studied):
    body = api.get(url("ahead"), {"days": 90, "deck": deck.pk, "limit": 10}).json()
    assert body["days"] == 90 and body["count"] == 4 == len(body["cards"])
    first = body["cards"][0]
    assert set(first["previews"]) == {"again", "hard", "good", "easy"}
    dues = [c["due"] for c in body["cards"]]
    assert dues == sorted(dues)
    response = api.post(
        url("grade"), {"card": first["id"], "grade": 3, "version": first["version"]}, format="json"
    )
    assert response.status_code == 200
    assert ReviewLog.objects.filter(card_id=first["id"]).count() == 2
    # Nothing due in the next day.
    assert api.get(url("ahead"), {"days": 1}).json()["count"] == 0


def test_review_ahead_bad_input(api, user):
    assert api.get(url("ahead"), {"days": 0}).status_code == 400
    assert api.get(url("ahead"), {"days": 9999}).status_code == 400
    other = DeckFactory(owner=UserFactory(username="x"), visibility=Visibility.PRIVATE)
    response = api.get(url("ahead"), {"deck": other.pk})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_cram_lists_cards_of_a_deck_or_tag_and_writes_nothing(api, user, deck, studied):
    tag = TagFactory(owner=user, name="orm")
    tagged = CardFactory(deck=deck, tags=[tag], question="Tagged?")
    before = list(CardState.objects.values_list("id", "version", "due"))
    body = api.get(url("cram"), {"deck": deck.pk}).json()
    assert body["count"] == 9 and body["cards"][0]["id"] == studied[0].pk
    body = api.get(url("cram"), {"tag": "ORM"}).json()
    assert [c["id"] for c in body["cards"]] == [tagged.pk]
    assert api.get(url("cram"), {"deck": deck.pk, "limit": 2}).json()["count"] == 2
    assert list(CardState.objects.values_list("id", "version", "due")) == before


def test_cram_needs_a_scope(api, user):
    response = api.get(url("cram"))
    assert response.status_code == 400
    assert "Choose a deck, a tag or a search" in response.json()["error"]["message"]


def test_exam_create_read_plan_and_delete(api, user, deck, cards):
    today = scheduling.study_day(user, timezone.now())
    day = today + timedelta(days=12)
    response = api.post(
        url("exams"),
        {"deck": deck.pk, "date": day.isoformat(), "target_retention": 0.92},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    exam_id = body["exam"]["id"]
    assert body["exam"]["deck"] == deck.pk and body["exam"]["date"] == day.isoformat()
    plan = body["plan"]
    assert plan["total_cards"] == 8 and plan["target"] == 0.92
    assert len(plan["per_day"]) == 12 and plan["per_day"][0]["day"] == today.isoformat()
    assert sum(d["reviews"] for d in plan["per_day"]) == plan["reviews"]
    assert all(c["recall"] >= 0.92 for c in plan["cards"] if c["reachable"])
    assert api.get(url("exams")).json()[0]["id"] == exam_id
    assert api.get(url("exam-detail", pk=exam_id)).json()["plan"] == plan
    # Setting it again moves it: still one exam per deck.
    later = (day + timedelta(days=3)).isoformat()
    assert (
        api.post(url("exams"), {"deck": deck.pk, "date": later}, format="json").status_code == 201
    )
    assert Exam.objects.get().date.isoformat() == later
    assert api.delete(url("exam-detail", pk=exam_id)).status_code == 204
    assert api.get(url("exam-detail", pk=exam_id)).status_code == 404


def test_exam_bad_input(api, user, deck):
    today = scheduling.study_day(user, timezone.now())
    response = api.post(url("exams"), {"deck": deck.pk, "date": today.isoformat()}, format="json")
    assert response.status_code == 400 and "date" in response.json()["error"]["fields"]
    far = (today + timedelta(days=1000)).isoformat()
    response = api.post(url("exams"), {"deck": deck.pk, "date": far}, format="json")
    assert response.status_code == 400 and "date" in response.json()["error"]["fields"]
    soon = (today + timedelta(days=3)).isoformat()
    response = api.post(
        url("exams"), {"deck": deck.pk, "date": soon, "target_retention": 1.2}, format="json"
    )
    assert response.status_code == 400 and "target_retention" in response.json()["error"]["fields"]
    secret = DeckFactory(owner=UserFactory(username="y"), visibility=Visibility.PRIVATE)
    response = api.post(url("exams"), {"deck": secret.pk, "date": soon}, format="json")
    assert response.status_code == 404
    assert api.get(url("exam-detail", pk=2**70)).status_code == 404
    assert not Exam.objects.exists()


def test_the_queue_api_serves_planned_cards_as_exam(api, user, deck, cards):
    today = scheduling.study_day(user, timezone.now())
    exam_day = (today + timedelta(days=3)).isoformat()
    assert (
        api.post(url("exams"), {"deck": deck.pk, "date": exam_day}, format="json").status_code
        == 201
    )
    body = api.get(url("queue"), {"deck": deck.pk, "limit": 10}).json()
    # Three new cards a day in this deck; the plan learns four today.
    assert body["counts"] == {"learning": 0, "review": 0, "new": 3, "exam": 1, "total": 4}
    assert [c["queue"] for c in body["cards"]] == ["new", "new", "new", "exam"]


def test_an_exam_on_a_public_deck_made_private_drops_out(api, user):
    author = UserFactory(username="author")
    public = DeckFactory(owner=author, visibility=Visibility.PUBLIC)
    CardFactory(deck=public)
    day = (scheduling.study_day(user, timezone.now()) + timedelta(days=5)).isoformat()
    response = api.post(url("exams"), {"deck": public.pk, "date": day}, format="json")
    assert response.status_code == 201
    exam_id = response.json()["exam"]["id"]
    assert response.json()["plan"]["total_cards"] == 1
    public.visibility = Visibility.PRIVATE
    public.save()
    assert api.get(url("exam-detail", pk=exam_id)).status_code == 404
    assert api.get(url("exams")).json() == []
    assert api.get(url("queue"), {"limit": 5}).json()["counts"]["exam"] == 0
