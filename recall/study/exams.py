"""Exam dates: setting and removing a user's exam on a deck, and reading them (cached).

The plan itself is ``exam_plan``; its cards reach the study queue through ``exam_queue``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from recall.core.exceptions import ApplicationError, NotFoundError
from recall.core.ids import is_id
from recall.decks.models import Deck
from recall.decks.selectors import deck_readable_q

from . import scheduling
from .exam_plan import MAX_TARGET, MIN_TARGET
from .models import Exam

# An exam further away than this is not an exam plan but a normal schedule.
MAX_DAYS_AHEAD = 730


def _exams_key(user_id: int) -> str:
    return f"study:exams:{user_id}"


def exams_changed(user_id: int) -> None:
    """Forget the cached exams of a user once the change commits (``receivers``: every save
    and delete of an ``Exam``, the admin's and a deleted deck's included)."""
    transaction.on_commit(lambda: cache.delete(_exams_key(user_id)))


def _readable(user: Any) -> QuerySet[Exam]:
    """The user's exams on decks they may still read (a deck made private drops out)."""
    return Exam.objects.filter(deck_readable_q(user, prefix="deck__"), user=user)


def exams_of(user: Any) -> list[Exam]:
    """The user's exams, soonest first, with their decks."""
    return list(_readable(user).select_related("deck").order_by("date", "id"))


def exam_ids_by_deck(user: Any) -> dict[int, int]:
    """``{deck_id: exam_id}`` of the user's exams: cached, as the study queue asks every time."""
    key = _exams_key(user.pk)
    found = cache.get(key)
    if found is None:
        found = dict(Exam.objects.filter(user=user).values_list("deck_id", "id"))
        cache.set(key, found, None)
    return found  # type: ignore[no-any-return]


def exam_for(user: Any, exam_id: int) -> Exam:
    if not is_id(exam_id):
        raise NotFoundError("No such exam.")
    exam = _readable(user).filter(pk=exam_id).select_related("deck").first()
    if exam is None:
        raise NotFoundError("No such exam.")
    return exam


def exam_set(
    *,
    user: Any,
    deck_id: int,
    day: date,
    target_retention: float = 0.9,
    now: datetime | None = None,
) -> Exam:
    """Set (or move) the user's exam on a deck they may study, on a later study day."""
    now = now or timezone.now()
    deck = Deck.objects.filter(deck_readable_q(user), pk=deck_id).first()
    if deck is None:
        raise NotFoundError("No such deck.")
    today = scheduling.study_day(user, now)
    if day <= today:
        raise ApplicationError(
            "The exam must be on a later day than today: the plan needs days to review on.",
            extra={"fields": {"date": ["Choose a day after today."]}},
        )
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ApplicationError(
            f"The exam must be within {MAX_DAYS_AHEAD} days.",
            extra={"fields": {"date": [f"Choose a day within {MAX_DAYS_AHEAD} days."]}},
        )
    if not MIN_TARGET <= target_retention <= MAX_TARGET:
        raise ApplicationError(
            f"The target recall must be between {MIN_TARGET} and {MAX_TARGET}.",
            extra={"fields": {"target_retention": [f"Between {MIN_TARGET} and {MAX_TARGET}."]}},
        )
    with transaction.atomic():
        exam, _ = Exam.objects.update_or_create(
            user=user, deck=deck, defaults={"date": day, "target_retention": target_retention}
        )
    return exam


def exam_delete(*, user: Any, exam_id: int) -> None:
    if not is_id(exam_id):
        raise NotFoundError("No such exam.")
    deleted, _ = Exam.objects.filter(user=user, pk=exam_id).delete()
    if not deleted:
        raise NotFoundError("No such exam.")
