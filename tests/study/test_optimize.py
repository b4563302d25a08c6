"""Fitting FSRS parameters from a user's review log with fsrs-rs, in a Celery task."""

from __future__ import annotations

from datetime import timedelta

import fsrs
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from recall.study import services
from recall.study.tasks import optimize_parameters
from tests.factories import CardFactory

from .history import START, simulate


@pytest.fixture
def history(user, deck, settings):
    # Without fuzz, which is seeded by card id: the history, and the parameters fitted to
    # it, must not depend on the ids the database hands out after the tests that ran before.
    settings.RECALL_FSRS_FUZZ = False
    cards = [CardFactory(deck=deck, position=i) for i in range(120)]
    count = simulate(user, cards, start=START, days=150, seed=7)
    return count


@pytest.mark.django_db
def test_optimiser_task_fits_valid_parameters_from_a_generated_history(user, history, settings):
    settings.RECALL_OPTIMIZE_MIN_REVIEWS = 400
    assert history >= 400
    items = services.training_items(user)
    assert items and all(item.long_term_review_cnt() > 0 for item in items)

    result = optimize_parameters.delay(user.pk).get()
    user.refresh_from_db()
    params = user.fsrs_parameters
    assert result == params
    assert len(params) == len(fsrs.Scheduler().parameters) == 21
    assert user.fsrs_parameters_updated_at is not None
    defaults = fsrs.Scheduler().parameters
    assert sum(abs(a - b) for a, b in zip(params, defaults, strict=True)) > 0.5
    # Same history, same seed: the optimiser is deterministic.
    assert services.fit_parameters(services.training_items(user)) == params

    scheduler = fsrs.Scheduler(parameters=params, enable_fuzzing=False)  # fsrs checks bounds
    now = START + timedelta(days=400)
    card = fsrs.Card(card_id=1, due=now)
    card, _ = scheduler.review_card(card, fsrs.Rating.Good, now)
    card, _ = scheduler.review_card(card, fsrs.Rating.Good, card.due)
    assert card.state == fsrs.State.Review and card.last_review is not None
    first_interval = card.due - card.last_review
    assert timedelta(hours=12) <= first_interval <= timedelta(days=60)
    # Grades order the next intervals, and a success lengthens the interval.
    moment = card.due
    nexts = [scheduler.review_card(card, r, moment)[0].due - moment for r in fsrs.Rating]
    assert nexts == sorted(nexts) and nexts[0] < timedelta(days=1)
    assert nexts[2] > first_interval
    # This learner forgets faster than FSRS' defaults assume: a mature card comes back sooner.
    mature = fsrs.Card(
        card_id=2,
        state=fsrs.State.Review,
        stability=20.0,
        difficulty=5.0,
        due=now,
        last_review=now - timedelta(days=20),
    )
    fitted_next = scheduler.review_card(mature, fsrs.Rating.Good, now)[0].due
    default_next = (
        fsrs.Scheduler(enable_fuzzing=False).review_card(mature, fsrs.Rating.Good, now)[0].due
    )
    assert fitted_next < default_next


@pytest.mark.django_db
def test_too_few_reviews_is_a_clear_400_and_enough_is_a_202(
    user, history, settings, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_authenticate(user)
    url = reverse("api:study:parameters")
    settings.RECALL_OPTIMIZE_MIN_REVIEWS = history + 1
    response = client.post(url)
    assert response.status_code == 400
    assert f"at least {history + 1} reviews" in response.json()["error"]["message"]
    assert client.get(url).json()["is_default"] is True

    settings.RECALL_OPTIMIZE_MIN_REVIEWS = 100
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    assert len(callbacks) == 1  # queued after commit, never run inside the request's transaction
    assert response.status_code == 202
    assert response.json()["task_id"]
    user.refresh_from_db()  # force_authenticate keeps this very object as request.user
    data = client.get(url).json()  # eager Celery: the task already ran
    assert data["is_default"] is False
    assert len(data["parameters"]) == 21 and data["updated_at"]


def test_fsrs_rs_and_fsrs_share_the_fsrs6_parameter_layout():
    from fsrs_rs_python import DEFAULT_PARAMETERS

    assert len(DEFAULT_PARAMETERS) == len(fsrs.Scheduler().parameters) == 21
    assert list(DEFAULT_PARAMETERS) == pytest.approx(list(fsrs.Scheduler().parameters), abs=1e-6)
