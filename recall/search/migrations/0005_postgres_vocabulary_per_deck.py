"""PostgreSQL: the spelling vocabulary is kept per deck (search_deck_word), not shared.

A correction then considers only the words of decks the user may search, so it cannot
reveal a word of another user's private or unlisted card, and a deck's words leave with
it. The new table is filled from the live cards; the shared search_word table is dropped.
Going back rebuilds the shared list from the per-deck one. Other databases are untouched.

The SQL and the word rule are written out here, not imported, so this migration never
changes after the fact.
"""

import re

from django.db import migrations

WORD_RE = re.compile(r"[^\W\d_]{3,40}")
MAX_BYTES = 256 * 1024  # the text a card is indexed on, question first
BATCH = 2000

CREATE = [
    "CREATE TABLE IF NOT EXISTS search_deck_word "
    "(word text NOT NULL, deck_id bigint NOT NULL, PRIMARY KEY (word, deck_id))",
    "CREATE INDEX IF NOT EXISTS search_deck_word_deck ON search_deck_word (deck_id)",
    "CREATE INDEX IF NOT EXISTS search_deck_word_trgm ON search_deck_word "
    "USING gin (word gin_trgm_ops)",
]
INSERT = (
    "INSERT INTO search_deck_word (word, deck_id) "
    "SELECT * FROM unnest(%s::text[], %s::bigint[]) ON CONFLICT DO NOTHING"
)


def _clip(text, limit):
    return text.encode()[:limit].decode(errors="ignore")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT id, deck_id, question, answer FROM decks_card "
                "WHERE id > %s AND NOT is_archived ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            pairs = set()
            for _id, deck_id, question, answer in rows:
                question = _clip(question, MAX_BYTES)
                answer = _clip(answer, MAX_BYTES - len(question.encode()))
                text = f"{question} {answer}".lower()
                pairs.update((word, deck_id) for word in WORD_RE.findall(text))
            ordered = sorted(pairs)
            cursor.execute(INSERT, [[w for w, _d in ordered], [d for _w, d in ordered]])
            last = rows[-1][0]
    schema_editor.execute("DROP TABLE IF EXISTS search_word")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE TABLE IF NOT EXISTS search_word (word text PRIMARY KEY)")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_word_trgm ON search_word USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute(
        "INSERT INTO search_word (word) SELECT DISTINCT word FROM search_deck_word "
        "ON CONFLICT DO NOTHING"
    )
    schema_editor.execute("DROP TABLE IF EXISTS search_deck_word")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_postgres_shared_lexeme_public_only"), ("decks", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
