"""Reads of interview mode: which cards to ask, a card's key points, a session's report.

Every deck read goes through ``recall.decks.selectors.deck_readable_q`` (who may read a
deck); nothing here writes a rule of its own.
"""

from __future__ import annotations

import math
import random
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from recall.core.exceptions import NotFoundError
from recall.core.ids import is_id
from recall.decks.models import Card, CardKind, Deck
from recall.decks.selectors import deck_readable_q
from recall.study import scheduling
from recall.study.models import CardState

from .keypoints import KeyPoint, answer_points, cloze_points
from .models import InterviewQuestion, InterviewSession

# The most cards a draw weighs: enough for any one person's weak spots, bounded for decks
# of a million cards.
MAX_STUDIED = 5000
MAX_NEW = 500
# A card never studied is as likely as one half forgotten.
NEW_CARD_RETRIEVABILITY = 0.5


def card_for_interview(user: Any, card_id: int) -> Card:
    """The live card ``card_id`` if ``user`` may read its deck, else "No such card"."""
    if not is_id(card_id):
        raise NotFoundError("No such card.")
    card = (
        Card.objects.filter(deck_readable_q(user, prefix="deck__"), pk=card_id, is_archived=False)
        .select_related("note", "deck")
        .first()
    )
    if card is None:
        raise NotFoundError("No such card.")
    return card


def card_key_points(card: Card) -> list[KeyPoint]:
    """What a good answer to the card says: its answer's key points (a cloze card: the
    deletions it blanks)."""
    if card.note.kind == CardKind.CLOZE:
        points = cloze_points(card.note.question, card.ordinal)
        if points:
            return points
    return answer_points(card.answer, card.question)


def interview_decks(user: Any, deck_ids: list[int] | None) -> list[Deck]:
    """The decks to draw from: ``deck_ids`` (each must be readable), or by default the
    user's own decks and the readable decks they have studied."""
    readable = Deck.objects.filter(deck_readable_q(user))
    if deck_ids:
        wanted = {pk for pk in deck_ids if is_id(pk)}
        decks = list(readable.filter(pk__in=wanted))
        missing = set(deck_ids) - {d.pk for d in decks}
        if missing:
            raise NotFoundError(f"No such deck: {', '.join(str(pk) for pk in sorted(missing))}.")
        return decks
    studied = CardState.objects.filter(user=user).values("deck_id")
    return list(readable.filter(Q(owner=user) | Q(pk__in=studied)).order_by("title"))


def card_weight(retrievability: float, lapses: int) -> float:
    """How likely a card is to be asked: weak memories (low retrievability, many lapses)
    several times more than strong ones."""
    return 1.0 + 3.0 * (1.0 - retrievability) + 0.5 * min(lapses, 6)


def weak_cards_draw(
    *,
    user: Any,
    decks: list[Deck],
    count: int,
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> list[Card]:
    """``count`` cards (one per note) drawn at random, each as likely as its weight."""
    rng = rng or random.Random()  # noqa: S311  (a quiz draw, not a secret)
    now = now or timezone.now()
    live = Card.objects.filter(
        deck__in=decks, is_archived=False, suspended=False, note__is_archived=False
    )
    states = (
        CardState.objects.filter(user=user, card__in=live)
        .select_related("card")
        .order_by("-lapses", "due")[:MAX_STUDIED]
    )
    scheduler = scheduling.scheduler_for(user)
    weighted: list[tuple[float, Card]] = []
    for state in states:
        retrievability = scheduler.get_card_retrievability(
            scheduling.to_fsrs_card(state), scheduling.utc(now)
        )
        weighted.append((card_weight(float(retrievability), state.lapses), state.card))
    new_cards = live.exclude(study_states__user=user).order_by("deck_id", "position", "ordinal")
    for card in new_cards[:MAX_NEW]:
        weighted.append((card_weight(NEW_CARD_RETRIEVABILITY, 0), card))
    # Weighted sampling without replacement (Efraimidis-Spirakis): the largest u^(1/w).
    keyed = sorted(
        ((math.log(rng.random() or 1e-12) / weight, card) for weight, card in weighted),
        key=lambda pair: pair[0],
        reverse=True,
    )
    chosen: list[Card] = []
    notes: set[int] = set()
    for _, card in keyed:
        if card.note_id in notes:
            continue  # two prompts of one note would ask the same thing twice
        notes.add(card.note_id)
        chosen.append(card)
        if len(chosen) == count:
            break
    return chosen


def sessions_for(user: Any) -> QuerySet[InterviewSession]:
    return InterviewSession.objects.filter(user=user)


def session_for(user: Any, pk: int) -> InterviewSession:
    """The user's own session ``pk`` (anyone else's is "no such interview")."""
    if not is_id(pk) or user is None or not user.is_authenticated:
        raise NotFoundError("No such interview.")
    session = sessions_for(user).filter(pk=pk).first()
    if session is None:
        raise NotFoundError("No such interview.")
    return session


def session_questions(session: InterviewSession) -> list[InterviewQuestion]:
    return list(session.questions.select_related("card__note").order_by("position"))


def session_question_count(session: InterviewSession) -> int:
    return session.questions.count()


def question_current(session: InterviewSession) -> InterviewQuestion | None:
    """The first question whose grade is not recorded yet; None when the interview is over."""
    return (
        session.questions.filter(grade__isnull=True)
        .select_related("card__note", "card__deck")
        .order_by("position")
        .first()
    )


def session_report(session: InterviewSession) -> dict[str, Any]:
    """Score per question, the points missed, and which notes to reread (weakest first)."""
    questions = session_questions(session)
    rows: list[dict[str, Any]] = []
    for q in questions:
        note = q.card.note if q.card is not None else None
        rows.append(
            {
                "position": q.position,
                "question": q.question,
                "card": q.card_id,
                "note": note.pk if note is not None else None,
                "note_url": note.get_absolute_url() if note is not None else None,
                "answered": q.answered,
                "typed_answer": q.typed_answer,
                "score": q.score,
                "method": q.method,
                "overtime": q.overtime,
                "suggested_grade": q.suggested_grade,
                "grade": q.grade,
                "missed": [p["text"] for p in q.points if not p["covered"] and p["scored"]],
                "covered": [p["text"] for p in q.points if p["covered"]],
            }
        )
    scored = [r["score"] for r in rows if r["score"] is not None]
    reread = sorted(
        (r for r in rows if r["note_url"] and (r["grade"] or r["suggested_grade"] or 1) <= 2),
        key=lambda r: (r["score"] if r["score"] is not None else -1, r["position"]),
    )
    return {
        "session": session.pk,
        "finished": session.finished_at is not None,
        "finished_at": session.finished_at,
        "time_limit_seconds": session.time_limit_seconds,
        "average_score": round(sum(scored) / len(scored)) if scored else None,
        "questions": rows,
        "reread": [
            {
                "note": r["note"],
                "question": r["question"],
                "url": r["note_url"],
                "score": r["score"],
            }
            for r in reread
        ],
    }
