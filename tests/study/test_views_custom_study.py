"""View tests of custom study: the menu, review ahead, cram (nothing written), exam plans."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from recall.study import scheduling, services
from recall.study.models import CardState, Exam, ReviewLog
from tests.factories import CardFactory, DeckFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="cram", time_zone="UTC", day_starts_at_hour=4)


@pytest.fixture
def deck(user):
    tag = TagFactory(owner=user, name="sql")
    deck = DeckFactory(owner=user, title="Databases")
    for i in range(4):
        CardFactory(
            deck=deck,
            position=i,
            question=f"Question {i}?",
            answer=f"Answer {i}",
            tags=[tag] if i % 2 else None,
        )
    return deck


@pytest.fixture
def me(client, user):
    client.force_login(user)
    return client


def _studied(user, deck, days_ago: int = 3) -> list[CardState]:
    """Grade every card of the deck Good twice, some days ago: all in review, due later."""
    at = timezone.now() - timedelta(days=days_ago)
    for card in deck.cards.order_by("position"):
        services.card_grade(user=user, card_id=card.pk, grade=4, duration_ms=1, now=at)
    return list(CardState.objects.filter(user=user).order_by("card__position"))


def _snapshot(user):
    return sorted(
        CardState.objects.filter(user=user).values_list(
            "card_id", "state", "due", "stability", "difficulty", "reps", "version"
        )
    )


def test_the_empty_queue_offers_custom_study(me, deck, user):
    _studied(user, deck)
    html = me.get(reverse("study:deck", kwargs={"deck_pk": deck.pk})).content.decode()
    assert "All done for today" in html
    assert f"{reverse('study:ahead')}?days=7&amp;deck={deck.pk}" in html
    assert 'action="/study/cram/"' in html and f'name="deck" value="{deck.pk}"' in html
    assert f"{reverse('study:custom')}?deck={deck.pk}#exam" in html


def test_custom_page_has_the_three_forms(me, deck):
    response = me.get(reverse("study:custom"), {"deck": deck.pk})
    assert response.status_code == 200
    html = response.content.decode()
    for form in ("ahead-form", "cram-form", "exam-form"):
        assert f'id="{form}"' in html
    assert response.context["exam_form"].initial == {"deck": deck.pk}


def test_review_ahead_grades_for_real(me, deck, user):
    states = _studied(user, deck)
    soonest = min(states, key=lambda s: (s.due, s.pk))
    response = me.get(reverse("study:ahead"), {"days": 60, "deck": deck.pk})
    assert response.status_code == 200
    assert response.context["card"].pk == soonest.card_id
    assert "real reviews" in response.content.decode()
    logs = ReviewLog.objects.count()
    response = me.post(
        reverse("study:custom-grade"),
        {
            "card_id": soonest.card_id,
            "grade": 3,
            "version": soonest.version,
            "days": 60,
            "deck": deck.pk,
        },
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('study:ahead')}?days=60&deck={deck.pk}"
    assert ReviewLog.objects.count() == logs + 1
    after = CardState.objects.get(pk=soonest.pk)
    assert after.version == soonest.version + 1 and after.due > soonest.due


def test_review_ahead_with_nothing_due_says_so_and_bad_days_are_400(me, deck, user):
    _studied(user, deck)
    response = me.get(reverse("study:ahead"), {"days": 1})
    assert response.context["card"] is None
    assert "Nothing more due in the next 1 day" in response.content.decode()
    assert me.get(reverse("study:ahead"), {"days": 0}).status_code == 400
    assert me.get(reverse("study:ahead"), {"days": "soon"}).status_code == 400


def test_cramming_a_tag_goes_through_its_cards_and_writes_nothing(me, deck, user):
    _studied(user, deck)
    before, logs = _snapshot(user), ReviewLog.objects.count()
    response = me.post(reverse("study:cram"), {"tag": "sql"})
    assert response.status_code == 302 and response.url == reverse("study:cram")
    shown = []
    for grade in (1, 3, 3):  # Again on the first: it comes back after the other
        page = me.get(reverse("study:cram"))
        card = page.context["card"]
        assert "never changes your schedule" in page.content.decode()
        shown.append(card.question)
        me.post(reverse("study:cram-answer"), {"card_id": card.pk, "grade": grade})
    assert shown == ["Question 1?", "Question 3?", "Question 1?"]
    page = me.get(reverse("study:cram"))
    assert page.context["card"] is None
    assert "Cram finished" in page.content.decode()
    assert _snapshot(user) == before
    assert ReviewLog.objects.count() == logs


def test_a_stale_cram_answer_is_refused(me, deck):
    me.post(reverse("study:cram"), {"deck": deck.pk})
    first = me.get(reverse("study:cram")).context["card"]
    response = me.post(reverse("study:cram-answer"), {"card_id": first.pk + 100, "grade": 3})
    assert response.status_code == 302
    assert me.get(reverse("study:cram")).context["card"].pk == first.pk


def test_cram_needs_something_to_cram(me, deck):
    response = me.post(reverse("study:cram"), {})
    assert response.status_code == 400
    assert "Choose a deck, a tag or a search" in response.content.decode()
    response = me.post(reverse("study:cram"), {"tag": "nosuchtag"})
    assert response.status_code == 400 and "No cards to cram" in response.content.decode()


def test_setting_an_exam_shows_its_plan(me, deck, user):
    today = scheduling.study_day(user, timezone.now())
    day = today + timedelta(days=10)
    response = me.post(
        reverse("study:exam-create"),
        {"deck": deck.pk, "date": day.isoformat(), "target_retention": "0.9"},
    )
    exam = Exam.objects.get(user=user)
    assert response.status_code == 302 and response.url == reverse("study:exam", args=[exam.pk])
    page = me.get(response.url)
    html = page.content.decode()
    plan = page.context["plan"]
    assert plan.total_cards == 4 and plan.reviews >= 4
    assert '<svg class="forecast"' in html and "Exam plan: " in html
    assert html.count("<tr data-day=") == 10
    assert f'data-plan="reviews">{plan.reviews}<' in html
    # The study page now says what the plan adds.
    study = me.get(reverse("study:deck", kwargs={"deck_pk": deck.pk}))
    assert study.context["counts"].total >= 1


def test_exam_bad_input_is_a_400_with_the_reason(me, deck, user):
    today = scheduling.study_day(user, timezone.now())
    response = me.post(reverse("study:exam-create"), {"deck": deck.pk, "date": today.isoformat()})
    assert response.status_code == 400
    assert "Choose a day after today" in response.content.decode()
    response = me.post(
        reverse("study:exam-create"),
        {
            "deck": deck.pk,
            "date": (today + timedelta(days=3)).isoformat(),
            "target_retention": "1.5",
        },
    )
    assert response.status_code == 400
    assert not Exam.objects.exists()


def test_someone_elses_exam_is_404_and_removing_ours_works(me, deck, user):
    other: Any = UserFactory(username="other")
    their_deck: Any = DeckFactory(owner=other)
    theirs = Exam.objects.create(
        user=other, deck=their_deck, date=timezone.now().date() + timedelta(days=5)
    )
    assert me.get(reverse("study:exam", args=[theirs.pk])).status_code == 404
    assert me.post(reverse("study:exam-delete", args=[theirs.pk])).status_code == 404
    mine = Exam.objects.create(user=user, deck=deck, date=timezone.now().date() + timedelta(days=5))
    assert me.post(reverse("study:exam-delete", args=[mine.pk])).status_code == 302
    assert (
        not Exam.objects.filter(pk=mine.pk).exists() and Exam.objects.filter(pk=theirs.pk).exists()
    )


def test_a_long_plan_lists_only_its_busy_days(me, deck, user):
    today = scheduling.study_day(user, timezone.now())
    day = today + timedelta(days=200)
    me.post(reverse("study:exam-create"), {"deck": deck.pk, "date": day.isoformat()})
    page = me.get(reverse("study:exam", args=[Exam.objects.get().pk]))
    busy = [d for d, n in page.context["plan"].per_day.items() if n]
    assert 0 < page.content.decode().count("<tr data-day=") == len(busy) < 200
    assert "The days with planned reviews." in page.content.decode()
