"""Fitting a user's FSRS parameters to their review log.

- ``parameters_optimize_request(*, user) -> str``: checks there are enough reviews and
  queues the optimiser task; returns the Celery task id.
- ``parameters_optimize(*, user_id) -> list[float]``: the optimiser itself (run by the task).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import fsrs
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from recall.core.exceptions import ApplicationError
from recall.core.tasks import task_named

from .. import scheduling
from ..models import ReviewLog, State

logger = logging.getLogger(__name__)


def review_count(user: Any) -> int:
    return ReviewLog.objects.filter(user=user).count()


def parameters_optimize_request(*, user: Any) -> str:
    """Queue the optimiser for the user (never run in a request); returns the task id."""
    needed = int(settings.RECALL_OPTIMIZE_MIN_REVIEWS)
    have = review_count(user)
    if have < needed:
        raise ApplicationError(
            f"Optimising needs at least {needed} reviews; you have {have}. "
            "Until then the FSRS defaults are used."
        )
    task_id = str(uuid.uuid4())
    user_id = user.pk
    optimize = task_named("recall.study.tasks.optimize_parameters")
    transaction.on_commit(lambda: optimize.apply_async((user_id,), task_id=task_id))
    return task_id


def training_items(user: Any) -> list[Any]:
    """The user's history as fsrs-rs training items, one per review after a day's gap.

    For each card, every prefix of its review sequence ending in a review on a later
    study day than the one before is one item; ``delta_t`` counts study days (time
    zone and rollover hour respected), 0 for reviews on the same day.
    """
    from fsrs_rs_python import FSRSItem, FSRSReview

    items: list[Any] = []
    current_card: int | None = None
    reviews: list[Any] = []
    last_at: datetime | None = None
    skip = False
    rows = (
        ReviewLog.objects.filter(user=user, card__isnull=False)
        .order_by("card_id", "reviewed_at", "id")
        .values_list("card_id", "reviewed_at", "grade", "state_before")
        .iterator(chunk_size=5000)
    )
    for card_id, reviewed_at, grade, state_before in rows:
        if card_id != current_card:
            current_card, reviews, last_at = card_id, [], None
            # A history must start at the card's first review, or the gaps are wrong.
            skip = state_before != State.NEW
        if skip:
            continue
        delta = 0 if last_at is None else scheduling.study_days_between(user, last_at, reviewed_at)
        reviews.append(FSRSReview(int(grade), int(delta)))
        last_at = reviewed_at
        if delta > 0:
            items.append(FSRSItem(list(reviews)))
    return items


def fit_parameters(items: list[Any]) -> list[float]:
    """Run fsrs-rs' optimiser; it returns FSRS-6's 21 weights, the same layout as fsrs."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    relearning_steps = len(fsrs.Scheduler().relearning_steps)
    fitted = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(
        items, num_relearning_steps=relearning_steps
    )
    return [float(w) for w in fitted]


def parameters_optimize(*, user_id: int) -> list[float]:
    """Fit and store a user's FSRS parameters from their review log (CPU-bound: a task)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    items = training_items(user)
    if not items:
        raise ApplicationError("Not enough reviews spread over several days to optimise.")
    parameters = fit_parameters(items)
    # fsrs validates the count (21) and every bound; refuse anything it would not run.
    try:
        fsrs.Scheduler(parameters=parameters)
    except ValueError as exc:
        raise ApplicationError(f"The optimiser produced unusable parameters: {exc}") from exc
    user.fsrs_parameters = parameters
    user.fsrs_parameters_updated_at = timezone.now()
    user.save(update_fields=["fsrs_parameters", "fsrs_parameters_updated_at"])
    logger.info("fitted FSRS parameters of user %s from %s items", user_id, len(items))
    return parameters
