"""PostgreSQL: only public decks' documents carry the shared access lexeme now.

Unlisted decks are readable by link only, so search finds them for their owner alone
(recall.decks.selectors.decks_listed_for). The documents of unlisted decks lose the
shared lexeme here; going back gives it to them again. Other databases are untouched.

The SQL is written out here, not imported, so this migration never changes after the fact.
"""

from django.db import migrations

MARK = "\ue010"
HELD = f"ARRAY(SELECT u.lexeme FROM unnest(s.document) u WHERE starts_with(u.lexeme, '{MARK}'))"


def _access(shared_visibilities):
    return (
        f"CASE WHEN dk.visibility IN ({shared_visibilities}) "
        f"THEN ARRAY['{MARK}owner:' || dk.owner_id, '{MARK}shared'] "
        f"ELSE ARRAY['{MARK}owner:' || dk.owner_id] END"
    )


def _rewrite(shared_visibilities):
    # Only the documents of unlisted decks change either way.
    return (
        "UPDATE search_document s "
        f"SET document = ts_delete(s.document, {HELD}) "
        f"|| array_to_tsvector({_access(shared_visibilities)}) "
        "FROM decks_deck dk WHERE dk.id = s.deck_id AND dk.visibility = 'unlisted'"
    )


def _run(schema_editor, statement):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, _rewrite("'public'"))


def backwards(apps, schema_editor):
    _run(schema_editor, _rewrite("'public', 'unlisted'"))


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_access_lexemes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
