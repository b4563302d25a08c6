"""View tests of the study pages and the dashboard: grade, undo, progress, all done, stats."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from recall.study.models import ReviewLog
from tests.factories import CardFactory, DeckFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="sam")


@pytest.fixture
def deck(user):
    deck = DeckFactory(owner=user, title="Python")
    for i in range(3):
        CardFactory(deck=deck, position=i, question=f"Question {i}?", answer=f"Answer **{i}**")
    return deck


@pytest.fixture
def sam(client, user):
    client.force_login(user)
    return client


def _grade(client, card_id, grade=3, **extra):
    return client.post(
        reverse("study:grade"), {"card_id": card_id, "grade": grade, "duration_ms": 1500, **extra}
    )


def test_study_page_shows_the_first_card_with_grade_previews(sam, deck):
    response = sam.get(reverse("study:session"))
    html = response.content.decode()
    card = response.context["card"]
    assert card.question == "Question 0?"
    assert [p["grade"] for p in response.context["previews"]] == [1, 2, 3, 4]
    assert all(p["due"] is not None for p in response.context["previews"])
    # The answer is in the page but hidden until revealed; every grade shows its interval.
    assert 'id="study-answer" hidden' in html
    assert html.count('class="grade-interval"') == 4
    assert 'aria-live="polite"' in html
    assert response.context["remaining"] == 3


def test_grading_records_a_review_and_moves_on(sam, deck, user):
    first = sam.get(reverse("study:session")).context["card"]
    response = _grade(sam, first.pk, 3, version=0)
    assert response.status_code == 302
    assert response["Location"] == reverse("study:session")
    log = ReviewLog.objects.get(user=user)
    assert (log.card_id, log.grade, log.duration_ms) == (first.pk, 3, 1500)
    page = sam.get(reverse("study:session"))
    assert page.context["card"].pk != first.pk
    assert page.context["done"] == 1


def test_a_double_submit_is_refused_not_counted_twice(sam, deck, user):
    first = sam.get(reverse("study:session")).context["card"]
    _grade(sam, first.pk, 3, version=0)
    again = _grade(sam, first.pk, 3, version=0)
    assert again.status_code == 302
    assert ReviewLog.objects.filter(user=user).count() == 1
    page = sam.get(reverse("study:session"))
    assert page.context["done"] == 1
    assert any("already" in str(m).lower() for m in page.context["messages"])


def test_undo_takes_back_the_last_grade(sam, deck, user):
    first = sam.get(reverse("study:session")).context["card"]
    _grade(sam, first.pk, 1, version=0)
    response = sam.post(reverse("study:undo"))
    assert response.status_code == 302
    assert ReviewLog.objects.filter(user=user).count() == 0
    page = sam.get(reverse("study:session"))
    assert page.context["card"].pk == first.pk
    assert page.context["done"] == 0


def test_undo_with_nothing_to_undo_says_so(sam, deck):
    response = sam.post(reverse("study:undo"), follow=True)
    assert response.status_code == 200
    assert any("no review to undo" in str(m).lower() for m in response.context["messages"])


@pytest.mark.parametrize(
    "data",
    [
        {"card_id": "", "grade": 3},
        {"card_id": 1, "grade": 5},
        {"card_id": 1, "grade": "good"},
        {"card_id": 1, "grade": 3, "duration_ms": -4},
    ],
)
def test_bad_grade_posts_are_refused_with_a_message(sam, deck, user, data):
    response = sam.post(reverse("study:grade"), data, follow=True)
    assert response.status_code == 200
    assert ReviewLog.objects.filter(user=user).count() == 0
    assert any("could not be recorded" in str(m) for m in response.context["messages"])


def test_grading_someone_elses_private_card_is_refused(sam, user):
    other = CardFactory(deck=DeckFactory(owner=UserFactory(username="zed")))
    response = _grade(sam, other.pk, 3)
    assert response.status_code == 302
    assert ReviewLog.objects.filter(user=user).count() == 0


def test_study_a_single_deck_and_come_back_to_it(sam, deck, user):
    other = DeckFactory(owner=user, title="Other")
    CardFactory(deck=other, question="Elsewhere?")
    page = sam.get(reverse("study:deck", args=[other.pk]))
    card = page.context["card"]
    assert card.question == "Elsewhere?"
    response = _grade(sam, card.pk, 4, deck=other.pk)
    assert response["Location"] == reverse("study:deck", args=[other.pk])
    done = sam.get(reverse("study:deck", args=[other.pk]))
    assert done.context["card"] is None
    assert "All done for today" in done.content.decode()
    assert done.context["next_due"] is not None


def test_all_done_with_nothing_scheduled(sam, user):
    page = sam.get(reverse("study:session"))
    assert page.context["card"] is None
    assert page.context["next_due"] is None
    assert "All done for today" in page.content.decode()


def test_study_pages_need_login():
    client = Client()
    for url in (reverse("study:session"), reverse("study:undo")):
        assert client.get(url).status_code == 302
    assert client.post(reverse("study:grade"), {"card_id": 1, "grade": 3}).status_code == 302


def test_dashboard_counts_todays_reviews_and_draws_the_charts(sam, deck, user):
    for _ in range(2):
        card = sam.get(reverse("study:session")).context["card"]
        _grade(sam, card.pk, 3, version=0)
    response = sam.get(reverse("home"))
    html = response.content.decode()
    assert response.context["today_stats"]["reviews"] == 2
    assert 'data-stat="reviews-today">2<' in html
    assert 'class="heatmap"' in html and 'class="forecast"' in html
    assert "2 reviews on 1 day" in html
    rows = {row["title"]: row for row in response.context["deck_counts"]}
    assert rows["Python"]["new"] == 1


def test_times_are_shown_in_the_users_time_zone(client):
    from datetime import UTC, datetime

    from django.utils import timezone
    from rest_framework.test import APIClient

    from recall.accounts.tokens import api_token_create
    from recall.study.models import CardState

    tokyo: Any = UserFactory(username="kenji", time_zone="Asia/Tokyo")
    deck = DeckFactory(owner=tokyo, title="Tokyo")
    card = CardFactory(deck=deck, question="Konnichiwa?")
    client.force_login(tokyo)
    _grade(client, card.pk, 4)
    # 03:05 UTC is 12:05 in Tokyo (UTC+9, no summer time).
    CardState.objects.filter(user=tokyo).update(due=datetime(2031, 1, 2, 3, 5, tzinfo=UTC))
    html = client.get(reverse("study:session")).content.decode()
    assert "Thu 2 Jan, 12:05" in html and "03:05" not in html
    assert 'datetime="2031-01-02T12:05:00+09:00"' in html
    assert timezone.get_current_timezone_name() == "UTC"  # reset after the request

    # A token-authenticated API request (seen as anonymous by the middleware) too.
    _, key = api_token_create(user=tokyo, name="zone")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get(f"/api/v1/cards/{card.pk}/").json()
    assert body["created_at"].endswith("+09:00")
    assert timezone.get_current_timezone_name() == "UTC"


def _act(client, card_id, action, **extra):
    return client.post(
        reverse("study:card-action"), {"card_id": card_id, "action": action, **extra}
    )


def test_study_actions_suspend_bury_and_flag_the_shown_card(sam, deck):
    page = sam.get(reverse("study:session"))
    html = page.content.decode()
    first = page.context["card"]
    assert 'value="suspend"' in html and 'value="bury"' in html and 'value="flag"' in html
    assert reverse("decks:card-edit", args=[first.note_id]) in html
    assert _act(sam, first.pk, "flag").status_code == 302
    first.refresh_from_db()
    assert first.flagged and not first.suspended
    assert _act(sam, first.pk, "suspend")["Location"] == reverse("study:session")
    page = sam.get(reverse("study:session"))
    second = page.context["card"]
    assert second.pk != first.pk and page.context["remaining"] == 2
    response = _act(sam, second.pk, "bury", deck=deck.pk)
    assert response["Location"] == reverse("study:deck", kwargs={"deck_pk": deck.pk})
    page = sam.get(reverse("study:session"))
    assert page.context["card"].pk not in (first.pk, second.pk)
    assert page.context["remaining"] == 1


@pytest.mark.parametrize("action", ["", "delete", "suspend"])
def test_bad_or_foreign_card_actions_are_refused(sam, user, action):
    foreign = CardFactory(deck=DeckFactory(visibility="public"))
    response = _act(sam, foreign.pk if action else "x", action or "suspend")
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert not foreign.suspended and foreign.buried_until is None
    assert "cannot be changed" in sam.get(response["Location"]).content.decode()
