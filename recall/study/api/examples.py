"""Examples of the study API's OpenAPI schema."""

from __future__ import annotations

from .. import services

_PREVIEWS = {
    "again": "2026-03-01T09:01:00Z",
    "hard": "2026-03-01T09:06:00Z",
    "good": "2026-03-01T09:10:00Z",
    "easy": "2026-03-09T09:00:00Z",
}
QUEUE_EXAMPLE = {
    "counts": {"learning": 0, "review": 12, "new": 20, "exam": 0, "total": 32},
    "cards": [
        {
            "id": 1201,
            "note": 1201,
            "ordinal": 1,
            "deck": 7,
            "deck_title": "Python & Django interview notes",
            "queue": "new",
            "question": "What does select_related do?",
            "answer": "Follows foreign keys with a SQL JOIN.",
            "question_html": "<p>What does select_related do?</p>",
            "answer_html": "<p>Follows foreign keys with a SQL JOIN.</p>",
            "state": "new",
            "due": None,
            "version": 0,
            "previews": _PREVIEWS,
        }
    ],
}
GRADE_EXAMPLE = {
    "review": 5012,
    "card": 1201,
    "grade": 3,
    "state": "learning",
    "due": "2026-03-01T09:10:00Z",
    "stability": 2.3065,
    "difficulty": 2.1181,
    "reps": 1,
    "lapses": 0,
    "version": 1,
}
CONFLICT_EXAMPLE = {
    "error": {"code": "conflict", "message": services.ALREADY_GRADED},
}

STATS_EXAMPLE = {
    "day": "2026-03-01",
    "decks": [
        {
            "deck_id": 7,
            "title": "Python & Django interview notes",
            "slug": "python-django",
            "own": True,
            "new_cards_per_day": 20,
            "reviews_per_day": 200,
            "total": 148,
            "new": 100,
            "learning": 3,
            "review": 45,
            "due_today": 12,
            "archived": 2,
        }
    ],
    "today": {
        "day": "2026-03-01",
        "reviews": 8,
        "new": 3,
        "again": 1,
        "time_ms": 61000,
    },
    "reviews_per_day": [{"day": "2026-02-28", "count": 31, "time_ms": 240000}],
    "true_retention": {
        "days": 30,
        "reviews": 120,
        "passed": 107,
        "retention": 0.8917,
    },
    "due_forecast": [{"day": "2026-03-01", "count": 12}],
    "streaks": {"current": 4, "longest": 19},
    "average_time": {
        "reviews": 900,
        "cards": 148,
        "average_ms": 7200,
        "total_ms": 6480000,
        "per_card_ms": 43784,
    },
}
PARAMETERS_EXAMPLE = {
    "parameters": [0.212, 1.2931, 2.3065, 8.2956, "…21 numbers in all"],
    "is_default": True,
    "updated_at": None,
    "desired_retention": 0.9,
    "reviews": 57,
    "min_reviews": 400,
    "can_optimize": False,
}
