"""Response examples shown in the OpenAPI documentation of the jobs API."""

from __future__ import annotations

JOB = {
    "id": 31,
    "kind": "import",
    "status": "running",
    "filename": "python-django-revision-notes.md",
    "target_deck_slug": "",
    "import_options": {},
    "deck": None,
    "progress": 40,
    "total": 148,
    "message": "",
    "result": {},
    "created_at": "2026-01-05T09:30:00Z",
    "finished_at": None,
}
