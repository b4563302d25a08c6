"""Where the flagship-shaped notes live, and what they contain, for the tests that read them.

The repository's own notes file (``tests/fixtures/django-interview-notes.md``) has the shape of
the team's real revision notes: numbered question headings, answers with fenced code in several
languages, bullet lists, lower-level headings inside answers, a references section of links and
section titles that are not questions. The team's real notes file is read only when
``RECALL_CORPUS_DIR`` names the folder that holds it: an extra check that skips otherwise, in CI
too, because it is a file no user's clone has, not a service. No test reads outside the
repository unless asked to.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTES_FILE = ROOT / "tests" / "fixtures" / "django-interview-notes.md"
NOTES_QUESTIONS = [
    "What is a Django model?",
    "select_related() vs prefetch_related()",
    "what is a migration.",
    "What is middleware and in which order does it run?",
    "How do you write a raw SQL query safely?",
    "what is celery beat.",
    "Gunicorn, Nginx, Supervisor",
    "What is the difference between a Form and a ModelForm?",
    "How does a DRF serializer validate data?",
    "When do you use threads and when processes?",
    "What are Django signals ?",
]

CORPUS_DIR = os.environ.get("RECALL_CORPUS_DIR", "")
CORPUS_FILE = Path(CORPUS_DIR or ROOT / "no-corpus-dir") / "python-django-revision-notes.md"
