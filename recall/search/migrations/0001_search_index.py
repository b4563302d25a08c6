"""Create the search index for the database in use: an FTS5 table on SQLite, a GIN-indexed
tsvector table (and a trigram-indexed vocabulary) on PostgreSQL. Other databases get nothing.

The SQL is written out here, not imported, so this migration never changes after the fact.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_card_fts USING fts5("
    "deck_id UNINDEXED, question, answer, parts, "
    "tokenize=\"porter unicode61 remove_diacritics 2 tokenchars '_'\")",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_card_fts"]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE IF NOT EXISTS search_document (card_id bigint PRIMARY KEY, "
    "deck_id bigint NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_document_document_gin ON search_document USING gin (document)",
    "CREATE INDEX IF NOT EXISTS search_document_deck ON search_document (deck_id)",
    "CREATE TABLE IF NOT EXISTS search_word (word text PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS search_word_trgm ON search_word USING gin (word gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP TABLE IF EXISTS search_document", "DROP TABLE IF EXISTS search_word"]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE})


def drop_index(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


class Migration(migrations.Migration):
    initial = True

    dependencies = [("decks", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
