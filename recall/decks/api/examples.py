"""Request and response examples shown in the OpenAPI documentation of the decks API."""

from __future__ import annotations

# Re-exported: the decks, sources and study documentation read them as ``ex.page`` etc.
from recall.core.schema_examples import page as page
from recall.core.schema_examples import request as request
from recall.core.schema_examples import response as response
from recall.jobs.api.examples import JOB as JOB

DECK = {
    "id": 7,
    "title": "Python & Django interview notes",
    "slug": "python-django",
    "description": "Questions I keep forgetting.",
    "visibility": "public",
    "owner": "ada",
    "is_owner": True,
    "card_count": 148,
    "source_name": "python-django-revision-notes.md",
    "new_cards_per_day": 20,
    "reviews_per_day": 200,
    "bury_siblings": True,
    "import_options": {"inline_separator": ":="},
    "copied_from": None,
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-01-06T18:02:11Z",
}
NOTE_CARDS = [
    {"id": 1201, "ordinal": 1, "label": "forward", "is_archived": False},
    {"id": 1202, "ordinal": 2, "label": "backward", "is_archived": False},
]
CARD = {
    "id": 1201,
    "note": 1201,
    "deck": 7,
    "ordinal": 1,
    "label": "forward",
    "question": "What does select_related do?",
    "answer": "Follows foreign keys in the same query with a SQL JOIN.",
    "question_html": "<p>What does select_related do?</p>",
    "answer_html": "<p>Follows foreign keys in the same query with a SQL JOIN.</p>",
    "is_archived": False,
    "suspended": False,
    "flagged": False,
    "buried": False,
    "buried_until": None,
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-01-05T09:30:00Z",
}
NOTE = {
    "id": 1201,
    "deck": 7,
    "position": 3,
    "kind": "reversed",
    "cards": NOTE_CARDS,
    "question": "What does select_related do?",
    "answer": "Follows foreign keys in the same query with a SQL JOIN.",
    "question_html": "<p>What does select_related do?</p>",
    "answer_html": "<p>Follows foreign keys in the same query with a SQL JOIN.</p>",
    "tags": ["django", "orm"],
    "is_archived": False,
    "source_file": "python-django-revision-notes.md",
    "source_line": 120,
    "created_at": "2026-01-05T09:30:00Z",
    "updated_at": "2026-01-05T09:30:00Z",
}
IMPORT_PREVIEW = {
    "filename": "vault.md",
    "cards": 31,
    "skipped": 1,
    "files": [
        {
            "name": "vault.md",
            "deck_title": "Data structures",
            "deck_id": None,
            "cards": 31,
            "by_syntax": {"inline": 20, "multiline": 8, "cloze": 3},
            "skipped": [
                {"line": 42, "text": "a::b::c", "reason": "more than one separator on the line"}
            ],
            "options": {"inline_separator": ":="},
        }
    ],
}
TAG = {"id": 4, "name": "orm", "card_count": 12}


DECK_CREATE = request(
    "create a deck",
    {"title": "Python & Django interview notes", "visibility": "private"},
)
DECK_UPDATE = request("make it public", {"visibility": "public"})
NOTE_CREATE = request(
    "create a reversed note (two cards)",
    {
        "deck": 7,
        "kind": "reversed",
        "question": "What does select_related do?",
        "answer": "Follows foreign keys in the same query with a SQL JOIN.",
        "tags": ["django", "orm"],
    },
)
NOTE_UPDATE = request("archive a note (and its cards)", {"is_archived": True})
CARD_UPDATE = request("suspend a card", {"suspended": True})
CARD_BULK = request(
    "move cards to another deck", {"action": "move", "cards": [31, 32, 40], "deck": 9}
)
CARD_BURY = request("bury a card until your next study day", {"buried": True})
TAG_CREATE = request("create a tag", {"name": "orm"})
