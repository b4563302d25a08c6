"""PostgreSQL: add each document's access lexemes (owner, and "shared" for public/unlisted).

A search ANDs them into its tsquery so the GIN index drops unreadable cards before any row
is fetched (recall/search/backends/postgres.py). Documents indexed before this migration
get theirs here; going back removes them. SQLite and other databases are untouched.

The SQL is written out here, not imported, so this migration never changes after the fact.
"""

from django.db import migrations

MARK = "\ue010"
ACCESS = (
    "CASE WHEN dk.visibility IN ('public', 'unlisted') "
    f"THEN ARRAY['{MARK}owner:' || dk.owner_id, '{MARK}shared'] "
    f"ELSE ARRAY['{MARK}owner:' || dk.owner_id] END"
)
HELD = (
    "ARRAY(SELECT u.lexeme FROM unnest(s.document) u "
    f"WHERE starts_with(u.lexeme, '{MARK}'))"
)
FORWARDS = (
    "UPDATE search_document s "
    f"SET document = ts_delete(s.document, {HELD}) || array_to_tsvector({ACCESS}) "
    "FROM decks_deck dk WHERE dk.id = s.deck_id"
)
BACKWARDS = f"UPDATE search_document s SET document = ts_delete(s.document, {HELD})"


def _run(schema_editor, statement):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, FORWARDS)


def backwards(apps, schema_editor):
    _run(schema_editor, BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_sqlite_card_deck_table"), ("decks", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
