"""SQLite: move each card's deck id out of the FTS5 table into a narrow rowid table.

Reading deck_id from the FTS5 content table loads the whole stored row (question and
answer text) for every match; a join on a two-column rowid table is several times
cheaper, so the visibility filter costs about as much as the bare MATCH. The index is
filled again from the cards. PostgreSQL and other databases are untouched.
"""

import re

from django.db import migrations

TOKENIZE = "porter unicode61 remove_diacritics 2 tokenchars '_'"
TOKEN_RE = re.compile(r"@?\w+(?:\.\w+)*")


def _parts(text):
    # Frozen copy of recall.search.query.identifier_parts at the time of this migration.
    seen = {}
    for match in TOKEN_RE.finditer(text):
        token = match.group(0).lower()
        if "_" in token and any(ch.isalnum() for ch in token) and len(token) <= 100:
            seen.setdefault(token, None)
    return " ".join(p for token in seen for p in re.split(r"[^\w]|_", token) if p)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    run = schema_editor.execute
    run("DROP TABLE IF EXISTS search_card_fts")
    run(
        "CREATE VIRTUAL TABLE search_card_fts USING fts5("
        f"question, answer, parts, tokenize=\"{TOKENIZE}\")"
    )
    run(
        "CREATE TABLE IF NOT EXISTS search_card ("
        "card_id INTEGER PRIMARY KEY, deck_id INTEGER NOT NULL)"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, deck_id, question, answer FROM decks_card WHERE NOT is_archived"
        )
        rows = cursor.fetchall()
        cursor.executemany(
            "INSERT INTO search_card_fts (rowid, question, answer, parts) VALUES (%s, %s, %s, %s)",
            [(i, q, a, _parts(f"{q}\n{a}")) for i, _d, q, a in rows],
        )
        cursor.executemany(
            "INSERT INTO search_card (card_id, deck_id) VALUES (%s, %s)",
            [(i, d) for i, d, _q, _a in rows],
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS search_card")
    schema_editor.execute("DROP TABLE IF EXISTS search_card_fts")
    schema_editor.execute(
        "CREATE VIRTUAL TABLE search_card_fts USING fts5("
        f"deck_id UNINDEXED, question, answer, parts, tokenize=\"{TOKENIZE}\")"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
