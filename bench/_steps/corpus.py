"""A synthetic corpus: decks of several users and cards made of words drawn from the
repository's notes with a Zipf-like frequency, plus code tokens, written in bulk."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent

# Word pools come from the repository's own notes, or from RECALL_CORPUS_DIR when it is set.
CORPUS = Path(os.environ.get("RECALL_CORPUS_DIR") or ROOT / "tests" / "fixtures")
POOL = 40_000  # distinct questions and answers; cards draw from these pools
CARDS_PER_DECK = 500

FALLBACK_WORDS = " ".join(
    [
        "django model view template queryset migration signal middleware request response",
        "session cache celery task worker redis postgres index query join filter annotate",
        "aggregate serializer router viewset permission token form field validation admin",
        "static media settings deploy gunicorn nginx docker test fixture factory transaction",
    ]
).split(" ")
CODE_TOKENS = [
    "select_related",
    "prefetch_related",
    "__init__",
    "__str__",
    "asgi.py",
    "wsgi.py",
    "settings.py",
    "@classmethod",
    "@staticmethod",
    "@property",
    "get_queryset",
    "on_commit",
    "post_save",
    "bulk_create",
    "only_once",
]


def vocabulary() -> list[str]:
    words: dict[str, None] = {}
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.md")):
            for word in re.findall(r"[a-z][a-z]{2,14}", path.read_text("utf-8").lower()):
                words.setdefault(word, None)
    for word in FALLBACK_WORDS:
        words.setdefault(word, None)
    # Synthetic rare words give the long tail a real vocabulary has.
    return list(words) + [f"term{i}" for i in range(20_000)]


class TextMaker:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        weights = [1.0 / (rank + 10) for rank in range(len(self.words))]
        total = 0.0
        self.cum: list[float] = []
        for w in weights:
            total += w
            self.cum.append(total)

    def sentence(self, low: int, high: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(low, high))
        if self.rng.random() < 0.1:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(CODE_TOKENS))
        return " ".join(words)

    def pools(self) -> tuple[list[str], list[str]]:
        questions = [self.sentence(5, 12).capitalize() + "?" for _ in range(POOL)]
        answers = [self.sentence(20, 60).capitalize() + "." for _ in range(POOL)]
        return questions, answers


def create_people(n_decks: int) -> tuple[Any, list[int]]:
    from recall.accounts.models import User
    from recall.decks.models import Deck, Visibility

    rng = random.Random(7)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", email=f"bench{i}@example.com")
            for i in range(max(2, n_decks // 4))
        ]
    )
    choices = [Visibility.PUBLIC] * 25 + [Visibility.UNLISTED] * 10 + [Visibility.PRIVATE] * 65
    decks = Deck.objects.bulk_create(
        [
            Deck(
                owner=users[i % len(users)],
                title=f"Deck {i}",
                slug=f"deck-{i}",
                visibility=rng.choice(choices),
            )
            for i in range(n_decks)
        ]
    )
    return users[0], [d.pk for d in decks]


def card_columns() -> list[str]:
    from recall.decks.models import Note

    # Search indexes notes: the corpus is notes (their cards play no part in a search).
    return [f.column for f in Note._meta.local_concrete_fields if not f.primary_key]


def card_row_values(deck_id: int, position: int, question: str, answer: str, now: Any) -> dict:
    return {
        "created_at": now,
        "updated_at": now,
        "position": position,
        "kind": "basic",
        "question": question,
        "answer": answer,
        "question_html": "",
        "answer_html": "",
        "source_file": "",
        "source_line": None,
        "source_key": "",
        "content_hash": "",
        "is_archived": False,
        "deck_id": deck_id,
    }


def insert_cards(
    start: int, stop: int, deck_ids: list[int], pools: tuple[list[str], list[str]]
) -> None:
    """Cards start..stop-1, written in bulk: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction
    from django.utils import timezone

    from recall.decks.models import Note

    columns = card_columns()
    defaults = {
        f.column: f.get_default() for f in Note._meta.local_concrete_fields if not f.primary_key
    }
    now = timezone.now()
    questions, answers = pools
    rng = random.Random(start)

    def rows(lo: int, hi: int) -> list[tuple]:
        out = []
        for i in range(lo, hi):
            values = {
                **defaults,
                **card_row_values(
                    deck_ids[i // CARDS_PER_DECK % len(deck_ids)],
                    i,
                    rng.choice(questions),
                    rng.choice(answers),
                    now,
                ),
            }
            out.append(tuple(values[c] for c in columns))
        return out

    table = Note._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(columns)
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for lo in range(start, stop, 50_000):
                    for row in rows(lo, min(stop, lo + 50_000)):
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            for lo in range(start, stop, 20_000):
                cursor.executemany(sql, rows(lo, min(stop, lo + 20_000)))
