"""Grading a card: one grade applied exactly once.

``card_grade(*, user, card_id, grade, duration_ms, expected_version=None, now=None,
typed_answer="", interview_score=None) -> GradeResult`` applies one grade (1 Again, 2 Hard,
3 Good, 4 Easy) through ``scheduling.review`` (fsrs, with Anki's rules around it), appends a
``ReviewLog`` and sends ``card_reviewed`` after commit. Exactly once: with an
``expected_version`` (0 for a new card) the write is a compare-and-swap on the ``CardState``
version (a new card's row: the unique (user, card) constraint); without one, the version
read with the card stands in for it. A stale version,
or a grade that lost the race with a concurrent grade of the same card, raises
``ConflictError`` (HTTP 409). Interview mode passes the typed answer and its score, kept on
the log row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, FilteredRelation, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from recall.core.exceptions import ApplicationError, ConflictError, NotFoundError
from recall.core.ids import is_id
from recall.decks.models import Card
from recall.decks.selectors import deck_readable_q

from .. import scheduling
from ..models import CardState, DailyReviewCount, ReviewLog, State
from ..queue import queue_stale_for_user
from ..signals import card_reviewed

# Longer answer times are recorded as this much: a card left open over lunch says
# nothing about how long the card takes.
MAX_DURATION_MS = 10 * 60 * 1000
ALREADY_GRADED = (
    "This card was already graded (another grade of it arrived first); reload the queue."
)


_STATE_FIELDS = [
    "state",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
    "version",
]


@dataclass(frozen=True)
class GradeResult:
    review_id: int
    card_id: int
    grade: int
    state: int
    due: datetime
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    version: int


@dataclass(frozen=True)
class _TypedAnswer:
    """What an interview-mode grade adds to its log row: the typed answer and its score."""

    text: str = ""
    score: int | None = None


def _graded(
    *,
    user: Any,
    state: CardState,
    created: bool,
    card_id: int,
    deck_id: int,
    grade: int,
    duration_ms: int,
    now: datetime,
    typed_answer: str = "",
    interview_score: int | None = None,
) -> ReviewLog:
    """Run fsrs: update ``state`` in memory (version bumped) and return its unsaved log."""
    if created:
        before_card = scheduling.new_fsrs_card(card_id, now)
        state_before = State.NEW
    else:
        before_card = scheduling.to_fsrs_card(state)
        state_before = State(state.state)
    before = scheduling.snapshot(before_card, reps=state.reps, lapses=state.lapses)
    outcome = scheduling.review(user, before_card, grade, now, reps=state.reps, lapses=state.lapses)
    scheduling.apply_fsrs_card(state, outcome.card)
    state.reps, state.lapses = outcome.reps, outcome.lapses
    state.version += 1
    return ReviewLog(
        user_id=user.pk,
        card_id=card_id,
        deck_id=deck_id,
        grade=grade,
        duration_ms=duration_ms,
        reviewed_at=now,
        state_before=state_before,
        state_after=state.state,
        card_before=before,
        card_after=scheduling.snapshot(outcome.card, reps=state.reps, lapses=state.lapses),
        typed_answer=typed_answer,
        interview_score=interview_score,
    )


@dataclass(frozen=True)
class _Target:
    """What a grade needs of the card besides its id: its deck and the deck's owner."""

    deck_id: int
    owner_id: int | None


# Read with the card in one query (``_card_and_state``): the user's state row of it, if any.
_MINE = [f"mine__{name}" for name in ("id", "deck_id", *_STATE_FIELDS)]


def _card_and_state(user: Any, card_id: int) -> tuple[_Target, CardState | None]:
    """The card if the user may study it (else NotFoundError), and their state of it.

    One query: the card and its deck's readability, with the user's state row joined
    (``FilteredRelation``: a LEFT JOIN on the unique (user, card) pair, so at most one row).
    """
    mine = FilteredRelation("study_states", condition=Q(study_states__user=user))
    rows = (
        Card.objects.annotate(mine=mine)
        .filter(deck_readable_q(user, prefix="deck__"), pk=card_id)
        .order_by()
        .values_list("deck_id", "is_archived", "deck__owner_id", *_MINE)
    )
    row = next(iter(rows), None)
    if row is None:
        raise NotFoundError("No such card.")
    deck_id, is_archived, owner_id, state_id, *fields = row
    if is_archived:
        raise NotFoundError("This card is archived and cannot be studied.")
    target = _Target(deck_id=deck_id, owner_id=owner_id)
    if state_id is None:
        return target, None
    values = dict(zip(("deck_id", *_STATE_FIELDS), fields, strict=True))
    return target, CardState(id=state_id, user=user, card_id=card_id, **values)


def _grade(
    *,
    user: Any,
    card_id: int,
    grade: int,
    duration_ms: int,
    expected_version: int | None,
    now: datetime,
    answer: _TypedAnswer,
) -> tuple[ReviewLog, CardState, _Target]:
    """The grade, against the version the client saw (the study pages and the API send it)
    or else the version read here.

    One read (the card with its deck's readability and the user's state), then a
    compare-and-swap write: the state row is updated only while it still has the version
    read (a new card's row inserted only if there is none), so the second of two racing
    grades writes nothing and gets a 409.
    """
    card, state = _card_and_state(user, card_id)
    created = state is None
    if state is None:
        fresh = scheduling.new_fsrs_card(card_id, now)
        state = CardState(
            user=user, card_id=card_id, deck_id=card.deck_id, due=fresh.due, step=0, version=0
        )
    # Without a version from the client, the one read here stands in: a grade that commits
    # between this read and the write below wins alone.
    if expected_version is not None and state.version != expected_version:
        raise ConflictError(ALREADY_GRADED)
    seen_version = state.version
    log = _graded(
        user=user,
        state=state,
        created=created,
        card_id=card_id,
        deck_id=card.deck_id,
        grade=grade,
        duration_ms=duration_ms,
        now=now,
        typed_answer=answer.text,
        interview_score=answer.score,
    )
    inserting = False
    try:
        with transaction.atomic():
            if created:
                # The transaction's first statement: when it fails, rolling the whole block
                # back undoes nothing else, so it needs no savepoint of its own.
                inserting = True
                state.save(force_insert=True)
                inserting = False
            else:
                values = {name: getattr(state, name) for name in _STATE_FIELDS}
                rows = CardState.objects.filter(pk=state.pk, version=seen_version).update(**values)
                if rows != 1:
                    raise ConflictError(ALREADY_GRADED)
            log.save()
            _count(log, scheduling.current_day(user, now).start)
    except IntegrityError:
        if inserting:  # another first grade of the card inserted its row first
            raise ConflictError(ALREADY_GRADED) from None
        raise
    return log, state, card


def _count(log: ReviewLog, day_start: datetime) -> None:
    """Add a review to its day's DailyReviewCount row (created by the day's first grade)."""
    if log.deck_id is None or log.state_before not in (State.NEW, State.REVIEW):
        return
    new = int(log.state_before == State.NEW)
    row = DailyReviewCount.objects.filter(
        user_id=log.user_id, deck_id=log.deck_id, day_start=day_start
    )
    added = {
        "new_cards": F("new_cards") + new,
        "reviews": F("reviews") + (1 - new),
        "last_reviewed_at": Greatest("last_reviewed_at", Value(log.reviewed_at)),
    }
    if row.update(**added):
        return
    try:
        with transaction.atomic():
            DailyReviewCount.objects.create(
                user_id=log.user_id,
                deck_id=log.deck_id,
                day_start=day_start,
                new_cards=new,
                reviews=1 - new,
                last_reviewed_at=log.reviewed_at,
            )
    except IntegrityError:  # another grade of the same day created it first
        row.update(**added)


def card_grade(
    *,
    user: Any,
    card_id: int,
    grade: int,
    duration_ms: int,
    expected_version: int | None = None,
    now: datetime | None = None,
    typed_answer: str = "",
    interview_score: int | None = None,
) -> GradeResult:
    """Grade a card once; see the module docstring."""
    if grade not in (1, 2, 3, 4):
        raise ApplicationError("Grade must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy).")
    if duration_ms < 0:
        raise ApplicationError("duration_ms cannot be negative.")
    if interview_score is not None and not 0 <= interview_score <= 100:
        raise ApplicationError("interview_score must be between 0 and 100.")
    answer = _TypedAnswer(typed_answer, interview_score)
    if not is_id(card_id):
        # No row can have it, and SQLite cannot even bind an int beyond 64 bits.
        raise NotFoundError("No such card.")
    now = now or timezone.now()
    duration_ms = min(int(duration_ms), MAX_DURATION_MS)
    log, state, card = _grade(
        user=user,
        card_id=card_id,
        grade=grade,
        duration_ms=duration_ms,
        expected_version=expected_version,
        now=now,
        answer=answer,
    )
    deck_id, owner_id = card.deck_id, card.owner_id
    if state.state == State.REVIEW and state.due < scheduling.current_day(user, now).end:
        # Due again today: a review the day queue did not pick this morning.
        queue_stale_for_user(user.pk)
    elif state.reps == 1 and owner_id != user.pk:
        # The first grade in someone else's deck may start it: it joins "all decks".
        queue_stale_for_user(user.pk)
    user_id, review_id = user.pk, log.pk
    transaction.on_commit(
        lambda: card_reviewed.send(
            sender=CardState,
            user_id=user_id,
            card_id=card_id,
            deck_id=deck_id,
            review_id=review_id,
            grade=grade,
        )
    )
    return GradeResult(
        review_id=log.pk,
        card_id=card_id,
        grade=grade,
        state=state.state,
        due=state.due,
        stability=state.stability,
        difficulty=state.difficulty,
        reps=state.reps,
        lapses=state.lapses,
        version=state.version,
    )
