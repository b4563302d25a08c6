"""The nightly "cards due today" digest and the beat schedule that sends it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from recall.accounts.models import User
from recall.decks.models import Card, Deck
from recall.study.models import CardState, State
from recall.study.tasks import send_daily_digest, send_daily_digests
from tests.factories import CardFactory, DeckFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-11-25"


def make_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


def make_deck(**kwargs: Any) -> Deck:
    return cast(Deck, DeckFactory(**kwargs))


def make_card(**kwargs: Any) -> Card:
    return cast(Card, CardFactory(**kwargs))


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _user_with_due_cards(due: int, *, digest: bool = True, email: str | None = None):
    user = make_user(daily_digest=digest)
    if email is not None:
        user.email = email
        user.save()
    deck = make_deck(owner=user, title="Django")
    past = timezone.now() - timedelta(days=1)
    for _ in range(due):
        card = make_card(deck=deck)
        CardState.objects.create(
            user=user,
            card=card,
            deck=deck,
            state=State.REVIEW,
            due=past,
            stability=3.0,
            difficulty=5.0,
            last_review=past - timedelta(days=3),
            reps=2,
        )
    # A card reviewed recently is not due and must not be counted.
    later = make_card(deck=deck)
    CardState.objects.create(
        user=user,
        card=later,
        deck=deck,
        state=State.REVIEW,
        due=timezone.now() + timedelta(days=10),
        stability=20.0,
        difficulty=5.0,
        reps=3,
    )
    return user


def test_digest_counts_due_cards_and_is_sent_once_per_day():
    user = _user_with_due_cards(3)

    assert send_daily_digest.delay(user.pk, TODAY).get() is True
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "3 cards due today" in message.subject
    assert "Django: 3 due" in message.body

    # A redelivered or repeated task for the same day sends nothing more.
    assert send_daily_digest.delay(user.pk, TODAY).get() is False
    assert len(mail.outbox) == 1
    # The next day is another digest.
    assert send_daily_digest.delay(user.pk, "2026-11-26").get() is True
    assert len(mail.outbox) == 2


def test_only_users_who_opted_in_with_an_address_and_something_to_study_get_mail():
    wanted = _user_with_due_cards(2)
    _user_with_due_cards(2, digest=False)
    _user_with_due_cards(2, email="")
    idle = make_user(daily_digest=True)  # nothing to study

    assert send_daily_digests.delay().get() == 2  # queued for `wanted` and `idle`
    assert [m.to for m in mail.outbox] == [[wanted.email]]
    assert idle.email not in {address for m in mail.outbox for address in m.to}


def test_beat_schedule_is_created_by_a_migration():
    tasks = {t.task: t for t in PeriodicTask.objects.filter(enabled=True)}
    digest = tasks["recall.accounts.tasks.send_daily_digests"]
    assert digest.crontab is not None and digest.crontab.hour == "6"
    assert "recall.decks.tasks.check_stale_deck_links" in tasks
    # Every scheduled name is a task the worker knows.
    from config.celery import app

    app.loader.import_default_modules()
    assert set(tasks) <= set(app.tasks)
